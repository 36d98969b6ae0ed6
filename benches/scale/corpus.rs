//! A deterministic, larger copy of the notes: the bundled knowledge plus
//! generated Markdown files whose passages recombine the notes' own
//! sentences, model names and terms. Same seed, same bytes, every run.
//!
//! Shared by the `scale` benchmark and the integration tests (which check
//! that it is deterministic and loads through the real loader).

use std::fmt::Write as _;
use std::path::Path;

use lineage_bot::domain::{Knowledge, PassageKind};

/// Passages per generated file (one file per thousand keeps files small
/// enough to open in an editor, as a curator's would be).
pub const PASSAGES_PER_FILE: usize = 1_000;
/// A new heading every this many passages.
const PASSAGES_PER_SECTION: usize = 25;

/// SplitMix64: tiny, seeded, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What the generator recombines, taken from the loaded notes.
pub struct Material {
    sentences: Vec<String>,
    headings: Vec<String>,
    /// Model names as the notes and the catalogue write them.
    models: Vec<String>,
    /// Every name of every model, lowercase: a passage must not open with one,
    /// or the loader would read it as that model's summary line.
    model_names: Vec<String>,
    /// (English, Chinese, meaning) of each term of the terminology table.
    terms: Vec<(String, String, String)>,
}

impl Material {
    pub fn from_knowledge(k: &Knowledge) -> Material {
        let mut sentences = Vec::new();
        for p in &k.passages {
            if p.kind == PassageKind::TableRow {
                continue;
            }
            for line in p.text.lines() {
                let line = line.trim().trim_start_matches("- ").trim();
                for s in split_sentences(line) {
                    if usable(&s) && !sentences.contains(&s) {
                        sentences.push(s);
                    }
                }
            }
        }
        let mut headings = Vec::new();
        for p in &k.passages {
            if let Some(h) = p.section() {
                let h = plain(h);
                if !h.is_empty() && !headings.contains(&h) {
                    headings.push(h);
                }
            }
        }
        let models = k.models.iter().map(|m| m.name.clone()).collect();
        let model_names = k
            .models
            .iter()
            .flat_map(|m| m.names())
            .map(|n| n.to_lowercase())
            .collect();
        let terms = k
            .terms
            .iter()
            .map(|t| {
                (
                    plain(&t.english),
                    plain(&t.chinese),
                    plain(&t.meaning.replace('\n', " ")),
                )
            })
            .collect();
        Material {
            sentences,
            headings,
            models,
            model_names,
            terms,
        }
    }

    /// One generated passage (a single line, under 800 characters so the
    /// loader keeps it whole, never opening with a model's name).
    fn passage(&self, rng: &mut Rng) -> String {
        loop {
            let p = self.draft(rng);
            let lower = p.to_lowercase();
            if !self
                .model_names
                .iter()
                .any(|n| lower.starts_with(n.as_str()))
            {
                return p;
            }
        }
    }

    fn draft(&self, rng: &mut Rng) -> String {
        match rng.below(4) {
            // A term, in both languages, with a sentence of the notes.
            0 if !self.terms.is_empty() => {
                let (en, zh, meaning) = rng.pick(&self.terms);
                let said = rng.pick(&self.sentences);
                if meaning.is_empty() {
                    format!("{zh}（{en}）：{said}")
                } else {
                    format!("{zh}（{en}）：{meaning}。{said}")
                }
            }
            // A sentence about one model, retold about another.
            1 => {
                let s = rng.pick(&self.sentences).clone();
                let other = rng.pick(&self.models);
                let mut out = s.clone();
                for m in &self.models {
                    if s.contains(m.as_str()) {
                        out = s.replace(m.as_str(), other);
                        break;
                    }
                }
                let more = rng.pick(&self.sentences);
                format!("{out}；{more}")
            }
            // Two to three sentences of the notes, recombined.
            _ => {
                let n = 2 + rng.below(2);
                let parts: Vec<&str> = (0..n).map(|_| rng.pick(&self.sentences).as_str()).collect();
                parts.join("，")
            }
        }
        .chars()
        .take(600)
        .collect()
    }
}

/// Sentence ends of both languages; the punctuation stays with its sentence.
fn split_sentences(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        let end = matches!(c, '。' | '！' | '？' | '；')
            || (matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|n| n.is_whitespace()));
        if end {
            out.push(plain(&current));
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(plain(&current));
    }
    out
}

/// Text that stays plain text in Markdown: no markup characters, no line
/// starts that would open a list, quote or heading.
fn plain(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| match c {
            '*' | '_' | '`' | '#' | '>' | '<' | '|' | '[' | ']' | '\\' | '!' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    words
        .join(" ")
        .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | ')'))
        .trim()
        .to_string()
}

/// A sentence worth reusing: long enough to say something, and not the
/// lineage chain line (there is one chain in the notes).
fn usable(s: &str) -> bool {
    s.chars().count() >= 4 && !s.contains("->") && !s.contains("--")
}

/// The generated files for `factor` × the notes' passages: `(file name, text)`.
/// The bundled notes count once, so `factor = 1` generates nothing.
pub fn generate(k: &Knowledge, factor: usize, seed: u64) -> Vec<(String, String)> {
    let material = Material::from_knowledge(k);
    let wanted = k.passages.len() * factor.max(1) - k.passages.len();
    let mut rng = Rng::new(seed);
    let mut files = Vec::new();
    let mut made = 0;
    while made < wanted {
        let n = PASSAGES_PER_FILE.min(wanted - made);
        let number = files.len() + 1;
        let mut text = String::with_capacity(n * 200);
        writeln!(text, "# 扩充笔记 {number:05}").unwrap();
        for i in 0..n {
            if i % PASSAGES_PER_SECTION == 0 {
                let heading = rng.pick(&material.headings);
                writeln!(
                    text,
                    "\n## {heading}（续 {number}-{}）",
                    i / PASSAGES_PER_SECTION + 1
                )
                .unwrap();
            }
            let body = material.passage(&mut rng);
            if rng.below(2) == 0 {
                writeln!(text, "\n{body}").unwrap();
            } else {
                writeln!(text, "\n* {body}").unwrap();
            }
        }
        files.push((format!("grown-{number:05}.md"), text));
        made += n;
    }
    files
}

/// What [`write_dir`] made.
pub struct Grown {
    /// Generated files beside the bundled ones.
    pub files: usize,
    /// Passages in all, bundled ones included.
    pub passages: usize,
}

/// Writes a knowledge directory at `out`: the bundled files copied, plus the
/// generated ones.
pub fn write_dir(bundled: &Path, out: &Path, factor: usize, seed: u64) -> std::io::Result<Grown> {
    let k = lineage_bot::knowledge::load_dir(bundled)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    for entry in std::fs::read_dir(bundled)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), out.join(entry.file_name()))?;
        }
    }
    let files = generate(&k, factor, seed);
    for (name, text) in &files {
        std::fs::write(out.join(name), text)?;
    }
    Ok(Grown {
        files: files.len(),
        passages: k.passages.len() * factor.max(1),
    })
}
