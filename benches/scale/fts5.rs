//! What someone would otherwise pick: SQLite FTS5 with the trigram tokenizer
//! (substring matching, so Chinese needs no dictionary), ranked by bm25 with
//! the same field weights as ours, top hits with a snippet.

use std::path::Path;

use lineage_bot::domain::Knowledge;
use lineage_bot::search::{doc_text, DocRef};
use rusqlite::{params, Connection};

/// The documents as both engines index them: names, title, body.
pub struct Doc {
    pub names: String,
    pub title: String,
    pub body: String,
}

/// Every document of the knowledge, with the fields lineage-bot indexes.
pub fn documents(k: &Knowledge) -> Vec<Doc> {
    each_document(k).collect()
}

/// How many documents [`documents`] makes and their bytes (names, title,
/// body), without holding them all.
pub fn document_bytes(k: &Knowledge) -> (usize, usize) {
    each_document(k).fold((0, 0), |(n, bytes), d| {
        (n + 1, bytes + d.names.len() + d.title.len() + d.body.len())
    })
}

fn each_document(k: &Knowledge) -> impl Iterator<Item = Doc> + '_ {
    DocRef::all(k).into_iter().map(|d| {
        let t = doc_text(k, d);
        Doc {
            names: t.names,
            title: t.title_indexed,
            body: t.body,
        }
    })
}

pub struct Fts5 {
    conn: Connection,
}

pub struct Hit {
    pub title: String,
    pub body: String,
    pub snippet: String,
}

impl Fts5 {
    /// Creates the database file and indexes every document in one transaction,
    /// then merges the index's segments (`optimize`) as a bulk load should.
    pub fn build(path: &Path, docs: &[Doc]) -> rusqlite::Result<Fts5> {
        let _ = std::fs::remove_file(path);
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             CREATE VIRTUAL TABLE docs USING fts5(names, title, body, tokenize = 'trigram');",
        )?;
        conn.execute_batch("BEGIN")?;
        {
            let mut insert = conn
                .prepare("INSERT INTO docs (rowid, names, title, body) VALUES (?1, ?2, ?3, ?4)")?;
            for (i, d) in docs.iter().enumerate() {
                insert.execute(params![i as i64, d.names, d.title, d.body])?;
            }
        }
        conn.execute_batch("COMMIT; INSERT INTO docs(docs) VALUES('optimize');")?;
        Ok(Fts5 { conn })
    }

    pub fn open(path: &Path) -> rusqlite::Result<Fts5> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(Fts5 { conn })
    }

    /// The best `limit` documents for a question typed in a channel.
    pub fn search(&self, question: &str, limit: usize) -> rusqlite::Result<Vec<Hit>> {
        let Some(expr) = match_expression(question) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT title, body, snippet(docs, 2, '**', '**', '…', 24) FROM docs
             WHERE docs MATCH ?1 ORDER BY bm25(docs, 3.0, 1.5, 1.0) LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![expr, limit as i64], |r| {
            Ok(Hit {
                title: r.get(0)?,
                body: r.get(1)?,
                snippet: r.get(2)?,
            })
        })?;
        rows.collect()
    }
}

/// Common English words that would match most documents.
const STOP: &[&str] = &[
    "the", "and", "for", "what", "which", "who", "why", "how", "does", "did", "with", "from",
    "that", "this", "are", "was", "its", "into", "have", "has", "between", "about", "can",
];

/// The question as an FTS5 query: each Latin word of 3+ characters as a
/// quoted string, each Chinese run as its 3-character windows (the trigram
/// tokenizer matches nothing shorter), all OR-ed so bm25 ranks documents
/// that match more of them higher. `None` when nothing is searchable.
pub fn match_expression(question: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !parts.contains(&s) {
            parts.push(s);
        }
    };
    let mut latin = String::new();
    let mut han: Vec<char> = Vec::new();
    let flush_latin = |latin: &mut String, push: &mut dyn FnMut(String)| {
        let w = latin.trim_matches(|c| c == '-' || c == '.').to_lowercase();
        if w.chars().count() >= 3 && !STOP.contains(&w.as_str()) {
            push(format!("\"{w}\""));
        }
        latin.clear();
    };
    let flush_han = |han: &mut Vec<char>, push: &mut dyn FnMut(String)| {
        for w in han.windows(3) {
            push(format!("\"{}\"", w.iter().collect::<String>()));
        }
        han.clear();
    };
    for c in question.chars().take(300) {
        if is_han(c) {
            flush_latin(&mut latin, &mut push);
            han.push(c);
        } else if c.is_alphanumeric() || ((c == '-' || c == '.') && !latin.is_empty()) {
            flush_han(&mut han, &mut push);
            latin.push(c);
        } else {
            flush_latin(&mut latin, &mut push);
            flush_han(&mut han, &mut push);
        }
    }
    flush_latin(&mut latin, &mut push);
    flush_han(&mut han, &mut push);
    (!parts.is_empty()).then(|| parts.join(" OR "))
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}
