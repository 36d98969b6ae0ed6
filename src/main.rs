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
    match cli.command {
        Some(Command::Check) | None => match knowledge::load_dir(&dir) {
            Ok(k) => {
                println!("knowledge ok: {}", k.summary());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                eprintln!("knowledge invalid: {} problem(s)", e.problems.len());
                ExitCode::from(1)
            }
        },
    }
}
