//! The `lineage-bot` binary: argument parsing and start-up only; every answer
//! comes from `lineage_bot::engine`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use lineage_bot::config::{self, Config};
use lineage_bot::curation::{diff, record, report, store, Recorder, Store};
use lineage_bot::engine::{Engine, Locale, ReloadError, Request};
use lineage_bot::knowledge::Phase;
use lineage_bot::render::markdown;
use lineage_bot::respond::Responder;
use lineage_bot::transport::interaction;
use lineage_bot::{console, knowledge};

/// A Discord knowledge assistant for the GPT-3 → ChatGPT lineage.
#[derive(Parser, Debug)]
#[command(name = "lineage-bot", version, about)]
struct Cli {
    /// The config file (default: ./config.toml when it exists).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The knowledge directory (default: knowledge.dir of the config, else ./knowledge).
    #[arg(long, global = true, value_name = "DIR")]
    knowledge: Option<PathBuf>,
    /// Keep the search index in this directory, rebuilt when the notes change
    /// (default: search.index_dir of the config for `run` and `serve-http`,
    /// else in memory; `ask`, `search` and `gaps` never use the config's, so a
    /// one-shot run cannot touch the folder a running bot serves from). It
    /// must be new, empty or made by lineage-bot: any other folder is refused.
    #[arg(long, global = true, value_name = "DIR")]
    index_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run the bot: on Discord with a token, else in a local console.
    Run,
    /// Validate the knowledge directory and print a one-line summary.
    Check(CheckArgs),
    /// Search the notes as a question typed in a channel would.
    Search(SearchArgs),
    /// Answer one command, e.g. `ask "/model chatgpt"`, as the bot would.
    Ask(AskArgs),
    /// Serve Discord's HTTP interactions endpoint (POST /interactions) and
    /// the notes as web pages (/) on http.listen, instead of connecting to
    /// the gateway.
    ServeHttp,
    /// The curator's report: questions the notes could not answer and
    /// answers voted down, most asked first, each with the closest passage.
    Gaps(GapsArgs),
    /// What an edit of the notes does to the recorded questions: each asked
    /// again of the serving notes and of the draft (--knowledge, default the
    /// knowledge directory as it is now): newly answered, no longer
    /// answered, first answer changed; the unchanged counted.
    Diff(DiffArgs),
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Print the TOML the notes suggest and the catalogue lacks: models on
    /// a chain line, capability statuses said in a sentence, terms of the
    /// table.
    #[arg(long)]
    suggest: bool,
    /// Append the suggestions to models.toml, capabilities.toml and
    /// terms.toml (with a comment), then check.
    #[arg(long, requires = "suggest")]
    write: bool,
}

#[derive(clap::Args, Debug)]
struct DiffArgs {
    /// The notes the bot serves (default: the knowledge directory as last
    /// committed to git, HEAD).
    #[arg(long, value_name = "DIR")]
    serving: Option<PathBuf>,
    /// Only questions asked in the last DAYS days (default: every kept row).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
    since: Option<u32>,
    /// At most N questions, the most asked.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    limit: usize,
    /// Print the changes as JSON.
    #[arg(long)]
    json: bool,
    /// Exit 1 when any question loses its answer (a pre-commit check).
    #[arg(long)]
    fail_on_lost: bool,
}

#[derive(clap::Args, Debug)]
struct GapsArgs {
    /// Only questions asked in the last DAYS days (default: every kept row).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
    since: Option<u32>,
    /// At most N gaps.
    #[arg(long, value_name = "N", default_value_t = 50)]
    limit: usize,
    /// Print `{"gaps": [...]}`.
    #[arg(long)]
    json: bool,
    /// Delete every recorded question and vote, and print how many.
    #[arg(long, conflicts_with_all = ["since", "limit", "json"])]
    purge: bool,
    /// Print the secret link to the gaps page (`/gaps?token=…`) of the pages
    /// `serve-http` (or `run` with http.listen) serves. Keep it private.
    #[arg(long, conflicts_with_all = ["since", "limit", "json", "purge"])]
    link: bool,
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
    /// The question.
    #[arg(required_unless_present = "stdin", allow_hyphen_values = true, num_args = 1.., trailing_var_arg = true)]
    query: Vec<String>,
}

#[derive(clap::Args, Debug)]
struct AskArgs {
    /// Print exactly the message payload the bot sends, as JSON.
    #[arg(long)]
    json: bool,
    /// Write every attachment of the reply (the lineage picture) here.
    #[arg(long, value_name = "DIR")]
    attachments_dir: Option<PathBuf>,
    /// The reader's Discord locale (`zh-CN`, `zh-TW` read Chinese).
    #[arg(long, default_value = "en-US")]
    locale: String,
    /// A message typed in a search channel instead of a command: prints the
    /// reply the bot would post (its language follows the message), or
    /// `null` (with --json) when it would stay silent.
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        conflicts_with = "command"
    )]
    message: Option<String>,
    /// The command, e.g. `/compare 002 003` or `/compare first:002 second:003`.
    #[arg(required_unless_present = "message", allow_hyphen_values = true, num_args = 1.., trailing_var_arg = true)]
    command: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match load_config(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    init_logging(&config.log.level);
    let dir = cli
        .knowledge
        .clone()
        .unwrap_or_else(|| config.knowledge.dir.clone());
    // The configured index folder belongs to the serving bot. A one-shot
    // command (`ask`, `search`, `gaps`), perhaps over other notes, builds its
    // index in memory unless `--index-dir` names a folder for it: it must
    // never rebuild or update the folder a running bot serves from.
    let one_shot = matches!(
        cli.command,
        Some(Cmd::Ask(_)) | Some(Cmd::Search(_)) | Some(Cmd::Gaps(_))
    );
    let index_dir = cli.index_dir.clone().or_else(|| {
        (!one_shot)
            .then(|| config.search.index_dir.clone())
            .flatten()
    });
    // An unknown command is a usage error before any work is done.
    if let Some(Cmd::Ask(args)) = &cli.command {
        if args.message.is_some() {
            // A channel message: any text is a question.
        } else if let Err(e) = ask_request(&args.command.join(" "), Locale::En) {
            // The error carries the usage.
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let command = cli.command.unwrap_or(Cmd::Run);
    if let Cmd::Gaps(GapsArgs { purge: true, .. }) = command {
        return match Store::open(&config.data.dir).and_then(|s| s.purge()) {
            Ok(n) => {
                println!(
                    "purged {n} rows from {}",
                    config.data.dir.join(store::FILE).display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        };
    }
    if let Cmd::Gaps(GapsArgs { link: true, .. }) = command {
        if !config.data.record {
            eprintln!("error: data.record is false: nothing is recorded, so there is no gaps page");
            return ExitCode::from(1);
        }
        let listen = config.http.listen_address();
        if config.http.public_url().is_none()
            && (listen.starts_with("0.0.0.0:") || listen.starts_with("[::]:"))
        {
            eprintln!("note: http.listen is every address ({listen}); set http.public_url to print the address readers use");
        }
        return match lineage_bot::web::gaps_token(&config.data.dir) {
            Ok(token) => {
                let base = config.http.public_url().map_or_else(
                    || format!("http://{}", config.http.listen_address()),
                    str::to_string,
                );
                println!("{base}/gaps?token={token}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!(
                    "error: the gaps page's secret in {} could not be read or made: {e}",
                    config.data.dir.display()
                );
                ExitCode::from(1)
            }
        };
    }
    if let Cmd::Diff(args) = &command {
        return match diff(&dir, &config, args) {
            Ok(lost) if lost && args.fail_on_lost => ExitCode::from(1),
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        };
    }
    if let Cmd::Check(CheckArgs {
        suggest: true,
        write,
    }) = command
    {
        return match suggest(&dir, config.knowledge.limits(), write) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        };
    }
    if let Cmd::Check(_) = command {
        let limits = config.knowledge.limits();
        return match knowledge::read_dir_within(&dir, limits) {
            Ok(sources) => checked(sources),
            Err(e) => invalid(&e),
        };
    }
    let engine = match load_shown(&dir, index_dir.as_deref(), config.knowledge.limits()) {
        Ok(e) => e.with_owners(config.discord.owners.iter().map(|o| o.0)),
        Err(ReloadError::Invalid(e)) => return invalid(&e),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match command {
        Cmd::Search(args) => search_cmd(&engine, &args),
        Cmd::Ask(args) => {
            // Exactly what the bot sends: with its page links when public.
            let responder = Responder::new(engine).with_public_url(config.http.public_url());
            match &args.message {
                Some(text) => ask_message(&responder, &args, text, &config),
                None => ask(&responder, &args),
            }
        }
        Cmd::ServeHttp => serve_http(engine, &config),
        Cmd::Gaps(args) => gaps(&engine, &config, &args),
        Cmd::Run | Cmd::Check(_) | Cmd::Diff(_) => run(engine, &config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn load_config(path: Option<&Path>) -> Result<Config, config::ConfigError> {
    let mut c = match path {
        Some(p) => Config::from_file(p, true)?,
        None => Config::from_file(Path::new(config::DEFAULT_PATH), false)?,
    };
    c.apply_env(|k| std::env::var(k).ok());
    Ok(c)
}

fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LINEAGE_BOT_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| LogWriter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// Work shorter than this shows nothing: quick loads look as they always did.
const SHOW_AFTER: Duration = Duration::from_secs(2);

/// The progress bar drawn on stderr, if any (there is one stderr).
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// The bar, if one is drawn.
fn bar_drawn() -> Option<ProgressBar> {
    BAR.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// stderr for the log, written around the bar when one is drawn: a line
/// written over it would be cut by its next redraw.
struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match bar_drawn() {
            Some(bar) => bar.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match bar_drawn() {
            Some(bar) => bar.suspend(|| std::io::stderr().write_all(buf)),
            None => std::io::stderr().write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// How long work is shown. The library counts it (`knowledge::Progress`);
/// here it becomes a bar with an estimate when stderr is a terminal and
/// the work is the command's own (a start, `check`), else log lines (no
/// terminal, or a reload while the bot serves). Work done within
/// [`SHOW_AFTER`] shows nothing.
#[derive(Clone)]
struct Shown(Arc<Mutex<ShownState>>);

struct ShownState {
    /// A bar may be drawn (else the steps are logged).
    terminal: bool,
    pace: Pace,
}

impl Shown {
    fn new() -> Shown {
        Shown(Arc::new(Mutex::new(ShownState {
            terminal: std::io::stderr().is_terminal(),
            pace: Pace::default(),
        })))
    }

    /// What the library reports to.
    fn progress(&self) -> knowledge::Progress {
        let shown = self.clone();
        knowledge::Progress::new(move |phase, done, total| {
            shown.report(phase, done, total, Instant::now())
        })
    }

    fn report(&self, phase: Phase, done: u64, total: u64, now: Instant) {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let Some(step) = state.pace.note(phase, done, total, now) else {
            return;
        };
        let (doing, unit) = match phase {
            Phase::Parsing => ("parsing the notes", "files"),
            Phase::Indexing => ("indexing", "documents"),
        };
        if !state.terminal {
            if step.log {
                let percent = done * 100 / total;
                match step.left {
                    Some(left) if done < total => tracing::info!(
                        "{doing}: {done} of {total} {unit} ({percent} %), about {} s left",
                        left.as_secs().max(1)
                    ),
                    _ => tracing::info!("{doing}: {done} of {total} {unit} ({percent} %)"),
                }
            }
            return;
        }
        let mut drawn = BAR.lock().unwrap_or_else(|p| p.into_inner());
        match &*drawn {
            Some(bar) if !step.new_phase => bar.set_position(done),
            Some(bar) => {
                bar.set_message(doing);
                bar.set_prefix(unit);
                bar.set_length(total);
                bar.set_position(done);
                bar.reset_eta();
            }
            None => {
                let style = ProgressStyle::with_template(
                    "{msg} [{bar:30}] {human_pos}/{human_len} {prefix}, about {eta} left",
                )
                .expect("a valid template")
                .progress_chars("=> ");
                // Drawn once it says everything.
                let bar = ProgressBar::hidden()
                    .with_style(style)
                    .with_message(doing)
                    .with_prefix(unit);
                bar.set_length(total);
                bar.set_position(done);
                bar.reset_eta();
                bar.set_draw_target(ProgressDrawTarget::stderr());
                // The estimate keeps moving between reports.
                bar.enable_steady_tick(Duration::from_millis(250));
                *drawn = Some(bar);
            }
        }
    }

    /// The command's own work is over: the bar goes (before the console's
    /// prompt or an error appears), and later work is logged.
    fn finish(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).terminal = false;
        if let Some(bar) = BAR.lock().unwrap_or_else(|p| p.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}

/// When long work is worth showing: once the load (which starts with its
/// notes) has run [`SHOW_AFTER`]; in the log, at the first report after
/// that in each phase, then each time another tenth of it is done, so at
/// most 11 lines a phase, the last at its end.
#[derive(Default)]
struct Pace {
    /// When the load began, and the phase under way with when it began.
    load_began: Option<Instant>,
    phase: Option<(Phase, Instant)>,
    /// The count the last log line of this phase gave.
    logged: Option<u64>,
}

/// A report worth showing.
struct Step {
    /// The first shown of its phase.
    new_phase: bool,
    /// Worth a log line.
    log: bool,
    /// The phase's remaining time at its pace so far (none before any is done).
    left: Option<Duration>,
}

impl Pace {
    fn note(&mut self, phase: Phase, done: u64, total: u64, now: Instant) -> Option<Step> {
        if done == 0 && phase == Phase::Parsing || self.load_began.is_none() {
            self.load_began = Some(now);
        }
        let began = match self.phase {
            Some((p, began)) if p == phase && done > 0 => began,
            _ => {
                self.phase = Some((phase, now));
                self.logged = None;
                now
            }
        };
        let load_began = self.load_began.unwrap_or(now);
        if total == 0 || now.duration_since(load_began) < SHOW_AFTER {
            return None;
        }
        let tenth = |n: u64| n * 10 / total;
        let new_phase = self.logged.is_none();
        let log = self.logged.is_none_or(|last| tenth(done) > tenth(last));
        if log {
            self.logged = Some(done);
        }
        let left = (done > 0).then(|| {
            now.duration_since(began)
                .mul_f64((total - done) as f64 / done as f64)
        });
        Some(Step {
            new_phase,
            log,
            left,
        })
    }
}

/// [`Engine::load_reporting`], its progress shown. The bar goes before
/// anything else is printed (the console's prompt, say); later reloads are
/// logged.
fn load_shown(
    dir: &Path,
    index_dir: Option<&Path>,
    limits: knowledge::Limits,
) -> Result<Engine, ReloadError> {
    let shown = Shown::new();
    let loaded = Engine::load_reporting(dir, index_dir, limits, shown.progress());
    shown.finish();
    loaded
}

/// [`knowledge::parse`], its progress shown (`check` on large notes).
fn parse_shown(
    sources: knowledge::Sources,
) -> Result<lineage_bot::domain::Knowledge, knowledge::LoadError> {
    let shown = Shown::new();
    let parsed = knowledge::parse_reusing(sources, None, &shown.progress()).map(|(k, _)| k);
    shown.finish();
    parsed
}

/// `check`'s verdict on `sources`: what they hold, or every problem.
fn checked(sources: knowledge::Sources) -> ExitCode {
    match parse_shown(sources) {
        Ok(k) => {
            println!("knowledge ok: {}", k.summary());
            ExitCode::SUCCESS
        }
        Err(e) => invalid(&e),
    }
}

fn invalid(e: &knowledge::LoadError) -> ExitCode {
    eprintln!("{e}");
    eprintln!("knowledge invalid: {} problem(s)", e.problems.len());
    ExitCode::from(1)
}

/// How often the knowledge directory is looked at for edits.
const WATCH_EVERY: Duration = Duration::from_millis(500);

fn search_cmd(engine: &Engine, args: &SearchArgs) -> anyhow::Result<()> {
    use std::io::{BufRead, Write};
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let answer = |q: &str, out: &mut dyn Write| -> anyhow::Result<()> {
        let results = engine.index().search(q, args.limit, 0);
        if args.json {
            let hits: Vec<_> = results
                .hits
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    serde_json::json!({
                        "rank": i + 1,
                        "score": (h.score * 1000.0).round() / 1000.0,
                        "confidence": (h.confidence * 1000.0).round() / 1000.0,
                        "kind": h.doc.kind(),
                        "title": h.title,
                        "text": h.text,
                        // What the reader sees (Markdown rendered: no `**`).
                        "snippet": h.snippet.visible(),
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
                    markdown::snippet(&h.snippet)
                )?;
            }
        }
        Ok(())
    };
    if args.stdin {
        for line in std::io::stdin().lock().lines() {
            answer(&line?, &mut out)?;
        }
    } else {
        answer(&args.query.join(" "), &mut out)?;
    }
    Ok(())
}

fn ask(responder: &Responder, args: &AskArgs) -> anyhow::Result<()> {
    let request = ask_request(&args.command.join(" "), Locale::from_discord(&args.locale))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut message = responder.answer(&request);
    let mut saved = Vec::new();
    if let Some(dir) = &args.attachments_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for f in responder.files(&mut message) {
            // The name comes from a model's slug in the curator's catalogue:
            // it is written inside `dir` or not at all.
            if !is_plain_file_name(&f.filename) {
                anyhow::bail!(
                    "refusing to write a picture named {:?}: not a plain file name inside {}",
                    f.filename,
                    dir.display()
                );
            }
            let path = dir.join(&f.filename);
            std::fs::write(&path, f.bytes.as_slice())
                .with_context(|| format!("writing {}", path.display()))?;
            saved.push(path);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&message)?);
    } else {
        print!(
            "{}",
            console::to_text(&message, std::io::stdout().is_terminal())
        );
        for path in saved {
            println!("picture: {}", path.display());
        }
    }
    Ok(())
}

/// A single, ordinary path component: no separator, no `..`, not hidden.
fn is_plain_file_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(_)), None)
    ) && !name.starts_with('.')
        && !name.contains(['/', '\\'])
}

/// What `ask` was given: a slash command, or (as the console reads it) a
/// question in free text, searched.
fn ask_request(line: &str, locale: Locale) -> Result<Request, String> {
    console::request_for_line(line, locale)
}

/// `ask --message TEXT`: the reply the gateway bot would post to TEXT in a
/// search channel (the same `free_text` path), or nothing.
fn ask_message(
    responder: &Responder,
    args: &AskArgs,
    text: &str,
    config: &Config,
) -> anyhow::Result<()> {
    let question = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let reply = if question.is_empty() {
        None
    } else {
        interaction::free_text(
            responder,
            &question,
            false,
            config.discord.reply_when_nothing,
        )
        .map(|(m, posting)| {
            // Printed is posted: a question answered here counts as asked.
            responder.posted(posting, None);
            m
        })
    };
    match (reply, args.json) {
        (Some(m), true) => println!("{}", serde_json::to_string_pretty(&m)?),
        (None, true) => println!("null"),
        (Some(m), false) => print!("{}", console::to_text(&m, std::io::stdout().is_terminal())),
        (None, false) => println!("(no reply: nothing in the notes for this)"),
    }
    Ok(())
}

fn serve_http(engine: Engine, config: &Config) -> anyhow::Result<()> {
    let _watch = engine.watch(WATCH_EVERY);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(lineage_bot::http::run(config, responder(engine, config)))
}

/// The responder of a serving mode: it records questions and votes in
/// `data.dir` unless `data.record` is false.
fn responder(engine: Engine, config: &Config) -> Responder {
    let r = Responder::new(engine).with_public_url(config.http.public_url());
    if !config.data.record {
        return r;
    }
    r.with_recorder(Recorder::open(&config.data.dir, config.data.retention_days))
}

fn gaps(engine: &Engine, config: &Config, args: &GapsArgs) -> anyhow::Result<()> {
    let found = report::report(&config.data.dir, args.since, args.limit, &engine.index())?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report::to_json(&found))?
        );
    } else {
        print!("{}", report::to_text(&found));
    }
    Ok(())
}

/// `check --suggest [--write]`: prints what the notes say that the
/// catalogue lacks, then checks. With `--write` the suggestions are applied
/// in memory and checked first: the files are written (each whole, through
/// a temporary file renamed into place) only when the result passes, so a
/// suggestion the loader would refuse never reaches a folder a running bot
/// watches.
fn suggest(dir: &Path, limits: knowledge::Limits, write: bool) -> anyhow::Result<ExitCode> {
    use knowledge::suggest::{self, WRITTEN};
    let sources = knowledge::read_dir_within(dir, limits)?;
    let s = suggest::suggest(&sources)?;
    print!("{}", suggest::to_text(&s));
    if !write || s.is_empty() {
        return Ok(checked(sources));
    }
    let text_of = |file: &Option<knowledge::SourceFile>| {
        file.as_ref().map(|f| f.text.clone()).unwrap_or_default()
    };
    let appended = |mut text: String, blocks: Vec<String>| {
        if blocks.is_empty() {
            return None;
        }
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("\n{WRITTEN}\n"));
        text.push_str(&blocks.join("\n"));
        Some(text)
    };
    let models = appended(
        text_of(&sources.models),
        s.models.iter().map(suggest::model_toml).collect(),
    );
    let terms = appended(
        text_of(&sources.terms),
        s.terms.iter().map(suggest::term_toml).collect(),
    );
    let mut capabilities = None;
    if !s.statuses.is_empty() {
        let mut text = text_of(&sources.capabilities);
        // Grouped by capability already (suggest sorts them).
        let mut ids: Vec<&str> = s.statuses.iter().map(|x| x.capability.as_str()).collect();
        ids.dedup();
        for c in ids {
            let entries: Vec<_> = s.statuses.iter().filter(|x| x.capability == c).collect();
            match suggest::insert_statuses(&text, c, &entries) {
                Some(t) => {
                    text = t;
                    capabilities = Some(text.clone());
                }
                None => eprintln!(
                    "not written: capability '{c}' has no multi-line `status = [` list in {}; paste its lines by hand",
                    knowledge::CAPABILITIES_FILE
                ),
            }
        }
    }
    let changes = [
        (knowledge::MODELS_FILE, models),
        (knowledge::TERMS_FILE, terms),
        (knowledge::CAPABILITIES_FILE, capabilities),
    ];
    // The catalogue as it would be, checked before anything is written.
    let mut after = sources.clone();
    for (file, text) in &changes {
        let Some(text) = text else { continue };
        let slot = match *file {
            knowledge::MODELS_FILE => &mut after.models,
            knowledge::TERMS_FILE => &mut after.terms,
            _ => &mut after.capabilities,
        };
        let path = slot
            .as_ref()
            .map_or_else(|| dir.join(file).display().to_string(), |f| f.path.clone());
        *slot = Some(knowledge::SourceFile {
            path,
            text: text.clone(),
            ..Default::default()
        });
    }
    let k = match parse_shown(after) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
                "nothing written: with these suggestions the knowledge would not load ({} problem(s)); edit them in by hand",
                e.problems.len()
            );
            return Ok(ExitCode::from(1));
        }
    };
    for (file, text) in changes {
        let Some(text) = text else { continue };
        let path = dir.join(file);
        write_whole(&path, &text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    println!("knowledge ok: {}", k.summary());
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to `path` whole: to a temporary file beside it, synced,
/// then renamed over it, so a reader (the bot's watcher) never sees half.
fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = file.as_file().set_permissions(meta.permissions());
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `diff`: both notes loaded with their index in memory (never the
/// configured index folder a running bot holds), the recorded questions
/// asked of both. Returns whether any question lost its answer.
fn diff(draft: &Path, config: &Config, args: &DiffArgs) -> anyhow::Result<bool> {
    let limits = config.knowledge.limits();
    let committed;
    let serving = match &args.serving {
        Some(dir) => dir.clone(),
        None => {
            committed = committed_notes(draft)?;
            committed.path().to_path_buf()
        }
    };
    let load = |dir: &Path, what: &str| match load_shown(dir, None, limits) {
        Ok(e) => Ok(e),
        Err(ReloadError::Invalid(e)) => Err(anyhow::anyhow!("{what} notes are invalid:\n{e}")),
        Err(e) => Err(anyhow::Error::new(e).context(format!("{what} notes"))),
    };
    let before = load(&serving, "the serving")?;
    let after = load(draft, "the draft")?;
    // Read only: the store belongs to the bot that records into it.
    let store = Store::open_read_only(&config.data.dir)?;
    let questions = diff::recorded(&store, args.since, args.limit, record::now())
        .context("reading the recorded questions")?;
    if questions.is_empty() {
        eprintln!(
            "note: {} holds no recorded questions{}: nothing to compare",
            store.path().display(),
            args.since
                .map_or(String::new(), |d| format!(" from the last {d} days"))
        );
    }
    let d = diff::compare(&questions, &before.snapshot(), &after.snapshot());
    let out = if args.json {
        format!("{}\n", serde_json::to_string_pretty(&diff::to_json(&d))?)
    } else {
        diff::to_text(&d)
    };
    // The committed notes were read from a temporary copy: cite them as
    // `HEAD:notes.md:12`, which outlives it.
    let out = match &args.serving {
        None => out.replace(&format!("{}/", serving.display()), "HEAD:"),
        Some(_) => out,
    };
    print!("{out}");
    Ok(!d.lost.is_empty())
}

/// The knowledge directory `dir` as last committed (git HEAD), written to
/// a temporary folder: the notes a bot deployed from the repository serves.
fn committed_notes(dir: &Path) -> anyhow::Result<tempfile::TempDir> {
    let git = |args: &[&str]| -> anyhow::Result<Vec<u8>> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| {
                anyhow::anyhow!("running git: {e} (give the serving notes with --serving DIR)")
            })?;
        if !out.status.success() {
            anyhow::bail!(
                "{} is not committed in a git repository ({}); give the serving notes with --serving DIR",
                dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(out.stdout)
    };
    let listed = git(&["ls-tree", "-r", "-z", "--name-only", "HEAD", "--", "."])?;
    let tmp = tempfile::tempdir()?;
    for name in listed.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name)?;
        let rel = Path::new(name);
        if rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            continue;
        }
        let text = git(&["show", &format!("HEAD:./{name}")])?;
        let to = tmp.path().join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(to, text)?;
    }
    Ok(tmp)
}

fn run(engine: Engine, config: &Config) -> anyhow::Result<()> {
    // Edits to the notes reach every serving mode within a few seconds.
    let _watch = engine.watch(WATCH_EVERY);
    let responder = responder(engine, config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // With http.listen set, the pages are served beside the bot; a bot
    // whose pages cannot listen does not start (its links would lead nowhere).
    if config.http.listen.is_some() {
        let listener = runtime.block_on(lineage_bot::http::bind(config))?;
        let (config, responder) = (config.clone(), responder.clone());
        runtime.spawn(async move {
            if let Err(e) = lineage_bot::http::run_pages(listener, &config, responder).await {
                tracing::error!("the pages stopped: {e:#}");
            }
        });
    } else if config.http.public_url().is_some() {
        tracing::warn!(
            "http.public_url is set but http.listen is not: this process serves no pages, so the Open in browser links lead to whatever serves them elsewhere"
        );
    }
    if config.discord.token.is_empty() {
        let interactive = std::io::stdin().is_terminal();
        eprintln!(
            "knowledge ok: {}\nNo Discord token, so the bot answers here. Type /help, a command such as /model chatgpt, or a question; quit to leave.\nTo connect a real bot, set DISCORD_TOKEN (see README: \"Run it on your server\").",
            responder.engine().knowledge().summary()
        );
        let colour = std::io::stdout().is_terminal();
        console::serve(
            &responder,
            Locale::En,
            std::io::stdin().lock(),
            std::io::stdout().lock(),
            interactive,
            colour,
        )?;
        runtime.shutdown_timeout(Duration::from_secs(1));
        return Ok(());
    }
    runtime.block_on(lineage_bot::discord::run(config, responder))
}

#[cfg(test)]
mod tests {
    use super::{is_plain_file_name, Pace, Phase, SHOW_AFTER};
    use std::time::{Duration, Instant};

    /// The log lines a phase of `total` items gets when it takes `takes`,
    /// after `before` of the load, reported as the library does (every
    /// thousandth): the count each line gives.
    fn logged(
        pace: &mut Pace,
        start: Instant,
        before: Duration,
        phase: Phase,
        total: u64,
        takes: Duration,
    ) -> Vec<u64> {
        let every = (total / 1000).max(1);
        let mut lines = Vec::new();
        let mut done = 0;
        loop {
            let now = start + before + takes.mul_f64(done as f64 / total as f64);
            if pace.note(phase, done, total, now).is_some_and(|s| s.log) {
                lines.push(done);
            }
            if done == total {
                return lines;
            }
            done = (done + every).min(total);
        }
    }

    /// #32 point 5: without a terminal, a long load is logged in at most
    /// eleven lines a phase, the last at its end, once past two seconds;
    /// quick work is not logged at all.
    #[test]
    fn long_work_is_logged_in_a_few_steps_and_quick_work_not_at_all() {
        let start = Instant::now();
        let mut pace = Pace::default();
        let parsing = logged(
            &mut pace,
            start,
            Duration::ZERO,
            Phase::Parsing,
            400,
            Duration::from_secs(4),
        );
        let indexing = logged(
            &mut pace,
            start,
            Duration::from_secs(5),
            Phase::Indexing,
            954_503,
            Duration::from_secs(55),
        );
        for lines in [&parsing, &indexing] {
            assert!((2..=11).contains(&lines.len()), "{lines:?}");
            assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
        }
        // Parsing shows from its half (two seconds of four), indexing
        // (after five seconds of the load) from its start.
        assert_eq!(parsing[0], 200);
        assert_eq!(parsing.last(), Some(&400));
        assert_eq!(indexing[0], 0);
        assert_eq!(indexing.last(), Some(&954_503));

        // The bundled notes: a load in a fraction of a second shows nothing.
        let mut pace = Pace::default();
        let quick = SHOW_AFTER / 4;
        assert!(logged(&mut pace, start, Duration::ZERO, Phase::Parsing, 2, quick).is_empty());
        assert!(logged(&mut pace, start, quick, Phase::Indexing, 98, quick).is_empty());
        // A reload later is timed from its own start.
        let later = start + Duration::from_secs(600);
        assert!(logged(&mut pace, later, Duration::ZERO, Phase::Parsing, 400, quick).is_empty());
        let lines = logged(
            &mut pace,
            later,
            quick,
            Phase::Indexing,
            1000,
            Duration::from_secs(10),
        );
        assert!(lines.len() <= 11 && lines[0] >= 150, "{lines:?}");
        assert_eq!(lines.last(), Some(&1000));
    }

    /// `ask --attachments-dir` writes a picture only under a plain name
    /// (#29 point 10): a slug such as `../x` cannot climb out of the folder.
    #[test]
    fn picture_names_stay_inside_the_folder() {
        for ok in [
            "lineage.png",
            "lineage-chatgpt.png",
            "capability-in-context-learning.png",
        ] {
            assert!(is_plain_file_name(ok), "{ok}");
        }
        for bad in [
            "../x.png",
            "lineage-../../x.png",
            "/etc/passwd",
            "a/b.png",
            ".hidden",
            "",
            "..",
            "a\\b",
        ] {
            assert!(!is_plain_file_name(bad), "{bad}");
        }
    }
}
