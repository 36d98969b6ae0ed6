//! How the cost grows with the notes, side by side with SQLite FTS5.
//!
//! `cargo bench --bench scale` grows the notes to 1×, 100× and 10 000× their
//! passages (seeded, see corpus.rs), and for each size and each engine runs
//! child processes pinned to one core (`taskset -c 0`):
//! - build: load the corpus, build the persisted index (time, MB/s, peak RSS,
//!   size on disk);
//! - ready: process start → first answer from the persisted index (median of 3);
//! - serve: the labelled queries (Chinese, English, mixed, misspelled,
//!   alias, no-answer) over and over, top 5 with snippets (p50/p99, peak RSS);
//! - quality at 1×: MRR@3 and recall@3 on the labelled queries;
//! - reload (lineage-bot only): with the persisted index current, one notes
//!   file gets a sentence appended and `Engine::reload` runs until the new
//!   snapshot finds it (median of 3 edits); the file is restored after.
//!
//! The table is printed and written to `target/scale/report.md`.
//! `SCALE_SIZES=1,100` picks sizes; `--corpus N DIR` only writes the notes
//! grown N× (for timing the binary by hand). `SCALE_PER_QUERY=1` makes each
//! serve child print every query's own p50 and p99 (ms) on stderr, to see
//! which questions make the p99:
//! `SCALE_PER_QUERY=1 scale-… --child lineage-bot serve CORPUS WORK`.

mod corpus;
mod fts5;
#[allow(dead_code)]
#[path = "../../tests/integration/labelled.rs"]
mod labelled;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use labelled::Labelled;
use lineage_bot::search::SearchIndex;
use serde_json::{json, Value};

const SEED: u64 = 0x58f3_ed8e_513e_ab84;
const SIZES: &[usize] = &[1, 100, 10_000];
const BUNDLED: &str = "knowledge";
const LABELLED: &[&str] = &[
    "../shared/eval/dev-search.json",
    "tests/data/search-queries.json",
];
/// Time spent on the query mix per engine and size (at least 3 rounds).
const SERVE_BUDGET: Duration = Duration::from_secs(8);
const TOP: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        child(&args[at + 1..]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // `--corpus N DIR`: only the grown notes, for measuring the binary by
    // hand (`lineage-bot search --knowledge DIR --index-dir …`).
    if let Some(at) = args.iter().position(|a| a == "--corpus") {
        let n = args[at + 1].parse().expect("--corpus N DIR");
        let grown = corpus::write_dir(Path::new(BUNDLED), Path::new(&args[at + 2]), n, SEED);
        eprintln!("{} files", grown.expect("corpus").files);
        return;
    }
    parent();
}

// ---------------------------------------------------------------- labelled

/// Every labelled query of the sets that are present.
fn labelled() -> Vec<Labelled> {
    let mut out = Vec::new();
    for path in LABELLED {
        match labelled::load(path) {
            Ok(queries) => out.extend(queries),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("(no {path}; skipped)")
            }
            Err(e) => panic!("{path}: {e}"),
        }
    }
    out
}

// ---------------------------------------------------------------- engines

trait Engine {
    fn search(&self, q: &str, limit: usize) -> Vec<(String, String)>;
}

struct Lineage(std::sync::Arc<SearchIndex>);

impl Engine for Lineage {
    fn search(&self, q: &str, limit: usize) -> Vec<(String, String)> {
        let r = self.0.search(q, limit, 0);
        r.hits
            .into_iter()
            .map(|h| {
                std::hint::black_box(&h.snippet);
                (h.title, h.text)
            })
            .collect()
    }
}

struct Sqlite(fts5::Fts5);

impl Engine for Sqlite {
    fn search(&self, q: &str, limit: usize) -> Vec<(String, String)> {
        self.0
            .search(q, limit)
            .expect("fts5 query")
            .into_iter()
            .map(|h| {
                std::hint::black_box(&h.snippet);
                (h.title, h.body)
            })
            .collect()
    }
}

fn open(engine: &str, corpus: &Path, work: &Path) -> Box<dyn Engine> {
    match engine {
        "lineage-bot" => {
            let e = lineage_bot::engine::Engine::load(corpus, Some(&work.join("lineage-index")))
                .expect("corpus loads");
            Box::new(Lineage(e.index()))
        }
        "fts5" => Box::new(Sqlite(
            fts5::Fts5::open(&work.join("fts5.db")).expect("fts5 db"),
        )),
        other => panic!("unknown engine {other}"),
    }
}

// ---------------------------------------------------------------- child

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn child(args: &[String]) {
    let (engine, phase, corpus, work) = (
        args[0].as_str(),
        args[1].as_str(),
        Path::new(&args[2]),
        Path::new(&args[3]),
    );
    let out = match phase {
        "build" => build(engine, corpus, work),
        "ready" => {
            let e = open(engine, corpus, work);
            std::hint::black_box(e.search("对齐税是什么", TOP));
            println!("ready");
            json!({ "rss_mb": peak_rss_mb() })
        }
        "serve" => serve(engine, corpus, work),
        "reload" => reload(corpus, work),
        "quality" => quality(engine, corpus, work),
        other => panic!("unknown phase {other}"),
    };
    println!("{out}");
}

fn build(engine: &str, corpus: &Path, work: &Path) -> Value {
    let t = Instant::now();
    let k = std::sync::Arc::new(lineage_bot::knowledge::load_dir(corpus).expect("corpus loads"));
    let load_s = t.elapsed().as_secs_f64();
    // The documents' bytes, counted one at a time: holding them all (193 MB
    // at 10 000×) is FTS5's input, not lineage-bot's, and would be counted
    // in lineage-bot's peak.
    let (n, bytes) = fts5::document_bytes(&k);
    let docs = (engine == "fts5").then(|| fts5::documents(&k));
    let t = Instant::now();
    match engine {
        "lineage-bot" => {
            let dir = work.join("lineage-index");
            let _ = std::fs::remove_dir_all(&dir);
            let segmenter = lineage_bot::search::segmenter_for(&k);
            let index = SearchIndex::build(k.clone(), segmenter, Some(&dir)).expect("index");
            std::hint::black_box(index.num_docs());
        }
        "fts5" => {
            let docs = docs.expect("made above");
            fts5::Fts5::build(&work.join("fts5.db"), &docs).expect("fts5 build");
        }
        other => panic!("unknown engine {other}"),
    }
    let build_s = t.elapsed().as_secs_f64();
    json!({ "load_s": load_s, "build_s": build_s, "bytes": bytes, "docs": n, "rss_mb": peak_rss_mb() })
}

fn serve(engine: &str, corpus: &Path, work: &Path) -> Value {
    let queries = labelled();
    let e = open(engine, corpus, work);
    for q in &queries {
        std::hint::black_box(e.search(&q.q, TOP));
    }
    let mut samples: Vec<(Duration, usize)> = Vec::new();
    let start = Instant::now();
    let mut rounds = 0;
    while rounds < 3 || (start.elapsed() < SERVE_BUDGET && rounds < 300) {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            std::hint::black_box(e.search(&q.q, TOP));
            samples.push((t.elapsed(), i));
        }
        rounds += 1;
    }
    let mut all: Vec<Duration> = samples.iter().map(|s| s.0).collect();
    all.sort();
    let at = |v: &[Duration], p: f64| v[((v.len() - 1) as f64 * p).round() as usize].as_secs_f64();
    // The slowest query by its own p99.
    let mut worst = (0.0, String::new());
    for (i, q) in queries.iter().enumerate() {
        let mut mine: Vec<Duration> = samples.iter().filter(|s| s.1 == i).map(|s| s.0).collect();
        mine.sort();
        let p99 = at(&mine, 0.99);
        if std::env::var_os("SCALE_PER_QUERY").is_some() {
            eprintln!("{:9.3} {:9.3} {}", at(&mine, 0.5) * 1e3, p99 * 1e3, q.q);
        }
        if p99 > worst.0 {
            worst = (p99, q.q.clone());
        }
    }
    json!({
        "queries": queries.len(), "samples": all.len(),
        "p50_s": at(&all, 0.5), "p99_s": at(&all, 0.99), "max_s": at(&all, 1.0),
        "worst_q": worst.1, "worst_p99_s": worst.0,
        "rss_mb": peak_rss_mb(),
    })
}

/// The notes file a reload edits: the middle one in name order (at 1×, the
/// bundled notes), so files before and after it stay as they were.
fn edited_file(corpus: &Path) -> PathBuf {
    let mut notes: Vec<PathBuf> = std::fs::read_dir(corpus)
        .expect("corpus dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    notes.sort();
    notes[notes.len() / 2].clone()
}

/// One-file reload: the engine opened on the persisted index, then three
/// times a sentence with a word found nowhere else appended to one notes file
/// and [`lineage_bot::engine::Engine::reload`] timed until the new snapshot
/// answers with that sentence. The file is restored afterwards.
fn reload(corpus: &Path, work: &Path) -> Value {
    let file = edited_file(corpus);
    let original = std::fs::read_to_string(&file).expect("edited file");
    let engine = lineage_bot::engine::Engine::load(corpus, Some(&work.join("lineage-index")))
        .expect("corpus loads");
    let words = ["zorblaxquent", "quimbrelfast", "vextromundel"];
    let mut times = Vec::new();
    let mut text = original.clone();
    for word in words {
        let found = |e: &lineage_bot::engine::Engine| {
            e.index()
                .search(word, TOP, 0)
                .hits
                .iter()
                .any(|h| h.text.contains(word))
        };
        assert!(!found(&engine), "{word} found before the edit");
        text.push_str(&format!(
            "\n\nThe {word} calibration was appended by the scale benchmark.\n"
        ));
        std::fs::write(&file, &text).expect("edit");
        let t = Instant::now();
        engine.reload().expect("reload");
        let served = found(&engine);
        times.push(t.elapsed().as_secs_f64());
        assert!(served, "{word} not found after the reload");
    }
    std::fs::write(&file, &original).expect("restore");
    times.sort_by(f64::total_cmp);
    json!({ "file": file.display().to_string(), "reload_s": times, "rss_mb": peak_rss_mb() })
}

fn quality(engine: &str, corpus: &Path, work: &Path) -> Value {
    let queries = labelled();
    let e = open(engine, corpus, work);
    let mut rr = 0.0;
    let mut found = 0;
    let mut misses = Vec::new();
    for q in &queries {
        let hits = e.search(&q.q, 3);
        let r = q
            .rank(
                hits.iter()
                    .map(|(title, text)| (title.as_str(), text.as_str())),
            )
            .map_or(0.0, |rank| 1.0 / rank as f64);
        rr += r;
        if r > 0.0 {
            found += 1;
        } else {
            misses.push(q.q.clone());
        }
    }
    let n = queries.len() as f64;
    json!({ "mrr": rr / n, "recall": found as f64 / n, "queries": queries.len(), "misses": misses })
}

// ---------------------------------------------------------------- parent

struct Run {
    ready_s: Option<f64>,
    out: Value,
}

fn run_child(engine: &str, phase: &str, corpus: &Path, work: &Path) -> Run {
    let exe = std::env::current_exe().expect("own path");
    let pinned = Path::new("/usr/bin/taskset").exists();
    let mut cmd = if pinned {
        let mut c = Command::new("/usr/bin/taskset");
        c.args(["-c", "0"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args(["--child", engine, phase])
        .arg(corpus)
        .arg(work)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn child");
    let mut ready_s = None;
    let mut last = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.expect("child output");
        if line == "ready" {
            ready_s = Some(start.elapsed().as_secs_f64());
        } else if !line.trim().is_empty() {
            last = line;
        }
    }
    let status = child.wait().expect("child");
    assert!(status.success(), "{engine} {phase} failed: {status}");
    Run {
        ready_s,
        out: serde_json::from_str(&last).unwrap_or_else(|_| panic!("{engine} {phase}: {last}")),
    }
}

fn size_on_disk(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => std::fs::read_dir(path)
            .map(|d| d.flatten().map(|e| size_on_disk(&e.path())).sum())
            .unwrap_or(0),
        Err(_) => 0,
    }
}

#[derive(Default, Clone)]
struct Figures {
    build_s: f64,
    mb_per_s: f64,
    build_rss: f64,
    disk_mb: f64,
    ready_s: f64,
    p50_s: f64,
    p99_s: f64,
    worst: String,
    serve_rss: f64,
    /// One-file reload (lineage-bot only).
    reload_s: Option<f64>,
    mrr: Option<f64>,
    recall: Option<f64>,
    misses: Vec<String>,
}

fn measure(engine: &str, corpus: &Path, work: &Path, with_quality: bool) -> (Figures, Value) {
    let b = run_child(engine, "build", corpus, work).out;
    let disk = size_on_disk(&work.join(if engine == "fts5" {
        "fts5.db"
    } else {
        "lineage-index"
    }));
    let mut ready: Vec<f64> = (0..3)
        .map(|_| {
            run_child(engine, "ready", corpus, work)
                .ready_s
                .expect("ready line")
        })
        .collect();
    ready.sort_by(f64::total_cmp);
    let s = run_child(engine, "serve", corpus, work).out;
    let q = with_quality.then(|| run_child(engine, "quality", corpus, work).out);
    // Last: it edits the notes (and restores them), so the index it leaves
    // is for notes that are no longer there.
    let r = (engine == "lineage-bot").then(|| run_child(engine, "reload", corpus, work).out);
    let mb = b["bytes"].as_f64().unwrap() / 1e6;
    let f = Figures {
        build_s: b["build_s"].as_f64().unwrap(),
        mb_per_s: mb / b["build_s"].as_f64().unwrap(),
        build_rss: b["rss_mb"].as_f64().unwrap(),
        disk_mb: disk as f64 / 1e6,
        ready_s: ready[1],
        p50_s: s["p50_s"].as_f64().unwrap(),
        p99_s: s["p99_s"].as_f64().unwrap(),
        worst: format!(
            "{} ({:.2} ms)",
            s["worst_q"].as_str().unwrap(),
            s["worst_p99_s"].as_f64().unwrap() * 1e3
        ),
        serve_rss: s["rss_mb"].as_f64().unwrap(),
        reload_s: r.as_ref().map(|r| r["reload_s"][1].as_f64().unwrap()),
        mrr: q.as_ref().map(|q| q["mrr"].as_f64().unwrap()),
        recall: q.as_ref().map(|q| q["recall"].as_f64().unwrap()),
        misses: q
            .as_ref()
            .map(|q| {
                q["misses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default(),
    };
    (
        f,
        json!({ "build": b, "ready_s": ready, "serve": s, "quality": q, "reload": r }),
    )
}

fn sizes() -> Vec<usize> {
    std::env::var("SCALE_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| SIZES.to_vec())
}

fn parent() {
    let root = PathBuf::from("target/scale");
    std::fs::create_dir_all(&root).expect("target/scale");
    let queries = labelled().len();
    let mut rows: Vec<(usize, usize, f64, Figures, Figures)> = Vec::new();
    let mut raw = Vec::new();
    for n in sizes() {
        let corpus = root.join(format!("corpus-{n}x"));
        let work = root.join(format!("work-{n}x"));
        let t = Instant::now();
        let grown = corpus::write_dir(Path::new(BUNDLED), &corpus, n, SEED).expect("corpus");
        let corpus_mb = size_on_disk(&corpus) as f64 / 1e6;
        eprintln!(
            "{n}×: generated {} files, {corpus_mb:.1} MB in {:.1} s",
            grown.files,
            t.elapsed().as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).expect("work dir");
        let passages = grown.passages;
        let (ours, ours_raw) = measure("lineage-bot", &corpus, &work, n == 1);
        eprintln!("  lineage-bot: {ours_raw}");
        let (theirs, theirs_raw) = measure("fts5", &corpus, &work, n == 1);
        eprintln!("  fts5: {theirs_raw}");
        raw.push(
            json!({ "size": n, "passages": passages, "lineage-bot": ours_raw, "fts5": theirs_raw }),
        );
        rows.push((n, passages, corpus_mb, ours, theirs));
    }
    let report = report(&rows, queries);
    println!("{report}");
    std::fs::write(root.join("report.md"), &report).expect("report");
    std::fs::write(
        root.join("report.json"),
        serde_json::to_string_pretty(&raw).unwrap(),
    )
    .expect("report.json");
    eprintln!("written: target/scale/report.md, target/scale/report.json");
}

/// The table's figures: name, decimals, unit scale, and where each is kept.
type Figure = (&'static str, usize, f64, fn(&Figures) -> f64);
const FIGURES: [Figure; 8] = [
    ("index build, s", 3, 1.0, |f| f.build_s),
    ("index build, MB/s", 1, 1.0, |f| f.mb_per_s),
    ("query p50, ms", 3, 1e3, |f| f.p50_s),
    ("query p99, ms", 3, 1e3, |f| f.p99_s),
    ("start to ready (persisted), ms", 0, 1e3, |f| f.ready_s),
    ("peak RSS serving, MB", 0, 1.0, |f| f.serve_rss),
    ("peak RSS building, MB", 0, 1.0, |f| f.build_rss),
    ("index on disk, MB", 2, 1.0, |f| f.disk_mb),
];

fn report(rows: &[(usize, usize, f64, Figures, Figures)], queries: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let ratio = |a: f64, b: f64| {
        if b > 0.0 {
            format!("{:.2}", a / b)
        } else {
            "–".into()
        }
    };
    writeln!(
        s,
        "| size | passages | notes MB | figure | lineage-bot | FTS5 | lineage-bot/FTS5 |\n|---|---|---|---|---|---|---|"
    )
    .unwrap();
    for (n, passages, mb, a, b) in rows {
        let lead = format!("| {n}× | {passages} | {mb:.2} ");
        let mut line = |name: &str, x: String, y: String, r: String| {
            writeln!(s, "{lead}| {name} | {x} | {y} | {r} |").unwrap();
        };
        for (name, decimals, scale, get) in FIGURES {
            let (x, y) = (get(a), get(b));
            line(
                name,
                format!("{:.*}", decimals, x * scale),
                format!("{:.*}", decimals, y * scale),
                ratio(x, y),
            );
        }
        if let Some(r) = a.reload_s {
            // FTS5 has no counterpart here: it would need its own file column.
            line(
                "one-file reload, ms",
                format!("{:.0}", r * 1e3),
                "–".into(),
                "–".into(),
            );
        }
        if let (Some(am), Some(bm)) = (a.mrr, b.mrr) {
            line(
                "MRR@3",
                format!("{am:.3}"),
                format!("{bm:.3}"),
                ratio(am, bm),
            );
            line(
                "recall@3",
                format!("{:.3}", a.recall.unwrap()),
                format!("{:.3}", b.recall.unwrap()),
                ratio(a.recall.unwrap(), b.recall.unwrap()),
            );
        }
    }
    writeln!(
        s,
        "\nQuery mix: {queries} labelled queries ({}), top {TOP} with snippets.",
        LABELLED.join(", ")
    )
    .unwrap();
    for (n, _, _, a, b) in rows {
        writeln!(
            s,
            "- {n}×: slowest query (its own p99): lineage-bot {}; FTS5 {}",
            a.worst, b.worst
        )
        .unwrap();
    }
    for (n, _, _, a, b) in rows {
        if a.mrr.is_some() {
            writeln!(s, "- {n}×: missed by lineage-bot: {:?}", a.misses).unwrap();
            writeln!(s, "- {n}×: missed by FTS5: {:?}", b.misses).unwrap();
        }
    }
    s
}
