use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use lineage_bot::config::{self, Config};
use lineage_bot::knowledge;

/// A Discord knowledge assistant for the GPT-3 → ChatGPT lineage.
#[derive(Parser, Debug)]
#[command(name = "lineage-bot", version, about)]
struct Cli {
    /// The config file (default: ./config.toml when it exists).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The knowledge directory (default: knowledge.dir of the config, else ./knowledge).
    #[arg(long, global = true, value_name = "DIR")]
    knowledge: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate the knowledge directory and print a one-line summary.
    Check,
    /// Search the notes as a question typed in a channel would.
    Search(SearchArgs),
}

#[derive(clap::Args, Debug)]
struct SearchArgs {
    /// Print one JSON object per query.
    #[arg(long)]
    json: bool,
    /// Hits to return.
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// Read one query per line from standard input.
    #[arg(long, conflicts_with = "query")]
    stdin: bool,
    /// Keep the index in this directory (rebuilt when the notes change).
    #[arg(long, value_name = "DIR")]
    index_dir: Option<PathBuf>,
    /// The question.
    #[arg(required_unless_present = "stdin")]
    query: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (required, path) = match &cli.config {
        Some(p) => (true, p.clone()),
        None => (false, PathBuf::from(config::DEFAULT_PATH)),
    };
    let mut config = match Config::from_file(&path, required) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    config.apply_env(|k| std::env::var(k).ok());
    let dir = cli
        .knowledge
        .clone()
        .unwrap_or_else(|| config.knowledge.dir.clone());
    let knowledge = match knowledge::load_dir(&dir) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("knowledge invalid: {} problem(s)", e.problems.len());
            return ExitCode::from(1);
        }
    };
    match cli.command {
        Some(Command::Check) | None => {
            println!("knowledge ok: {}", knowledge.summary());
            ExitCode::SUCCESS
        }
        Some(Command::Search(args)) => {
            let index_dir = args.index_dir.clone().or(config.search.index_dir.clone());
            match cli_search::run(knowledge, index_dir.as_deref(), &args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

mod cli_search {
    use std::io::{BufRead, Write};
    use std::path::Path;
    use std::sync::Arc;

    use lineage_bot::domain::Knowledge;
    use lineage_bot::search::{self, SearchIndex};

    pub fn run(
        knowledge: Knowledge,
        index_dir: Option<&Path>,
        args: &super::SearchArgs,
    ) -> anyhow::Result<()> {
        let knowledge = Arc::new(knowledge);
        let segmenter = search::segmenter_for(&knowledge);
        let index = SearchIndex::build(knowledge, segmenter, index_dir)?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let answer = |q: &str, out: &mut dyn Write| -> anyhow::Result<()> {
            let results = index.search(q, args.limit, 0);
            if args.json {
                let hits: Vec<_> = results
                    .hits
                    .iter()
                    .enumerate()
                    .map(|(i, h)| {
                        serde_json::json!({
                            "rank": i + 1,
                            "score": (h.score * 1000.0).round() / 1000.0,
                            "kind": h.doc.kind(),
                            "title": h.title,
                            "text": h.text,
                            "snippet": h.snippet,
                            "source": h.source.to_string(),
                        })
                    })
                    .collect();
                let corrections: Vec<_> = results
                    .corrections
                    .iter()
                    .map(|(a, b)| serde_json::json!({"typed": a, "used": b}))
                    .collect();
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"query": q, "hits": hits, "corrections": corrections})
                )?;
            } else {
                for (a, b) in &results.corrections {
                    writeln!(out, "(did you mean \"{b}\" for \"{a}\"?)")?;
                }
                if results.hits.is_empty() {
                    writeln!(out, "no hits for {q:?}")?;
                }
                for (i, h) in results.hits.iter().enumerate() {
                    writeln!(
                        out,
                        "{}. [{}] {}  ({}, score {:.2})\n   {}",
                        i + 1,
                        h.doc.kind(),
                        h.title,
                        h.source,
                        h.score,
                        h.snippet
                    )?;
                }
            }
            Ok(())
        };
        if args.stdin {
            for line in std::io::stdin().lock().lines() {
                answer(&line?, &mut out)?;
            }
        } else if let Some(q) = &args.query {
            answer(q, &mut out)?;
        }
        Ok(())
    }
}
