//! The curator's database: one SQLite file in `data.dir`, created on first
//! use, in WAL mode (the report reads while the recorder writes), its schema
//! migrated by `PRAGMA user_version`. Rows older than `data.retention_days`
//! are pruned; `purge` deletes everything.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags};

/// The database's file name inside `data.dir`.
pub const FILE: &str = "curation.sqlite3";

/// How long a write waits for a lock held by another process before it is
/// an error (the writer thread waits, never an answer).
const BUSY_TIMEOUT: Duration = Duration::from_millis(500);

/// The schema, one step per version: step `i` takes `user_version` from `i`
/// to `i + 1`. Append, never edit a step that has shipped.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at INTEGER NOT NULL,           -- unix seconds
        question TEXT NOT NULL,              -- normalised
        answer_key TEXT NOT NULL,            -- hash of `question`: the votes' key
        locale TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'weak', 'nothing')),
        top_source TEXT                      -- file:line of the first hit
    );
    CREATE INDEX questions_by_key ON questions (answer_key, asked_at);
    CREATE INDEX questions_by_time ON questions (asked_at);
    CREATE TABLE votes (
        answer_key TEXT NOT NULL,
        voter TEXT NOT NULL,                 -- keyed hash of (user, answer): no user id
        up INTEGER NOT NULL CHECK (up IN (0, 1)),
        voted_at INTEGER NOT NULL,
        PRIMARY KEY (answer_key, voter)
    );
    CREATE INDEX votes_by_time ON votes (voted_at);
",
    "
    CREATE TABLE questions_2 (
        id INTEGER PRIMARY KEY,
        asked_at INTEGER NOT NULL,
        question TEXT NOT NULL,
        answer_key TEXT NOT NULL,
        locale TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'weak', 'nothing', 'error')),
        top_source TEXT
    );
    INSERT INTO questions_2 SELECT id, asked_at, question, answer_key, locale, outcome, top_source
        FROM questions;
    DROP TABLE questions;
    ALTER TABLE questions_2 RENAME TO questions;
    CREATE INDEX questions_by_key ON questions (answer_key, asked_at);
    CREATE INDEX questions_by_time ON questions (asked_at);
",
    "
    -- keyed hash of (user, answer) as for votes: who asked, without a user
    -- id; NULL where no one is known (the console, rows from before).
    ALTER TABLE questions ADD COLUMN asker TEXT;
",
    "
    -- Button commands too long for a custom_id, by their short key: read
    -- by a restarted bot, or another replica on the same data dir.
    CREATE TABLE kept (
        key TEXT PRIMARY KEY,
        command TEXT NOT NULL,
        kept_at INTEGER NOT NULL
    );
    CREATE INDEX kept_by_time ON kept (kept_at);
",
    "
    -- The question as it was typed: `question` is normalised to group
    -- askings, but the report shows people's own words. NULL in rows from
    -- before (the report falls back to `question`).
    ALTER TABLE questions ADD COLUMN wording TEXT;
",
];

/// Kept button commands the store holds at most (the newest stay).
pub const KEPT_ROWS: i64 = 100_000;

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: schema version {found} is no version of this store (a file of another program?); refusing to use it")]
    Foreign { path: String, found: i64 },
    #[error("{path}: schema version {found} is newer than this build's {known}")]
    Newer {
        path: String,
        found: i64,
        known: i64,
    },
}

/// Where a recorded question came from: what the report groups and shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    Weak,
    Nothing,
    /// The search failed: no gap of the notes, kept apart from them.
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Weak => "weak",
            Outcome::Nothing => "nothing",
            Outcome::Error => "error",
        }
    }
}

/// One question as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub at: i64,
    pub question: String,
    pub answer_key: String,
    pub locale: &'static str,
    pub outcome: Outcome,
    pub top_source: Option<String>,
    /// The asker's keyed hash (see `record::voter_key`), when known.
    pub asker: Option<String>,
    /// The question as typed (`question` is its normalised form).
    pub wording: Option<String>,
}

/// One vote as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub at: i64,
    pub answer_key: String,
    pub voter: String,
    pub up: bool,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating `dir` and the file when missing) and migrates.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let path = dir.join(FILE);
        let err = |source| StoreError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // The questions are for the curator only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        // The first statements that read the file: a corrupt one fails here.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), %mode, "the curator's store is not in WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        let store = Store { conn, path };
        store.migrate()?;
        Ok(store)
    }

    /// The store in `dir` opened to read only: nothing is created, changed
    /// or migrated (a bot of another build may own it). Missing, or of
    /// another schema version than this build's, is an error that says so.
    pub fn open_read_only(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(FILE);
        if !path.is_file() {
            return Err(StoreError::Io {
                path: path.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no recorded questions here: give the data.dir of the bot that records them",
                ),
            });
        }
        let err = |source| StoreError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        let store = Store { conn, path };
        let (found, known) = (store.version()?, schema_version());
        if found > known {
            return Err(StoreError::Newer {
                path: store.path.display().to_string(),
                found,
                known,
            });
        }
        if found != known {
            return Err(StoreError::Io {
                path: store.path.display().to_string(),
                source: std::io::Error::other(format!(
                    "schema version {found}, older than this build's {known}: start the bot (this version) once to bring it up to date"
                )),
            });
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A SQLite failure on this store, naming its file.
    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// The schema version of the file.
    pub fn version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let found = self.version()?;
        let known = schema_version();
        if found < 0 {
            return Err(StoreError::Foreign {
                path: self.path.display().to_string(),
                found,
            });
        }
        if found > known {
            return Err(StoreError::Newer {
                path: self.path.display().to_string(),
                found,
                known,
            });
        }
        for (version, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            // Each step and its version bump in one transaction.
            let sql = format!(
                "BEGIN IMMEDIATE; {step}; PRAGMA user_version = {}; COMMIT;",
                version + 1
            );
            if let Err(e) = self.conn.execute_batch(&sql) {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(self.err(e));
            }
        }
        Ok(())
    }

    pub fn insert_asked(&self, a: &Asked) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO questions (asked_at, question, answer_key, locale, outcome, top_source, asker, wording)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.at,
                    a.question,
                    a.answer_key,
                    a.locale,
                    a.outcome.as_str(),
                    a.top_source,
                    a.asker,
                    a.wording
                ])
            })
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// One vote per voter and answer: a second click replaces the first.
    pub fn insert_vote(&self, v: &Vote) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO votes (answer_key, voter, up, voted_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (answer_key, voter) DO UPDATE SET up = excluded.up, voted_at = excluded.voted_at",
            )
            .and_then(|mut s| s.execute(params![v.answer_key, v.voter, v.up, v.at]))
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Keeps a button's command under its key (a second keep refreshes it).
    pub fn insert_kept(&self, key: &str, command: &str, at: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO kept (key, command, kept_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET command = excluded.command, kept_at = excluded.kept_at",
            )
            .and_then(|mut s| s.execute(params![key, command, at]))
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// The command kept under `key` since `since` (unix seconds), if any.
    pub fn kept(&self, key: &str, since: i64) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension as _;
        self.conn
            .prepare_cached("SELECT command FROM kept WHERE key = ?1 AND kept_at >= ?2")
            .and_then(|mut s| s.query_row(params![key, since], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// Deletes kept commands older than `since`, and the oldest past
    /// [`KEPT_ROWS`]; returns how many.
    pub fn prune_kept(&self, since: i64) -> Result<usize, StoreError> {
        let old = self
            .conn
            .execute("DELETE FROM kept WHERE kept_at < ?1", [since])
            .map_err(|e| self.err(e))?;
        let over = self
            .conn
            .execute(
                "DELETE FROM kept WHERE key IN
                 (SELECT key FROM kept ORDER BY kept_at DESC LIMIT -1 OFFSET ?1)",
                [KEPT_ROWS],
            )
            .map_err(|e| self.err(e))?;
        Ok(old + over)
    }

    /// Deletes the rows older than `days` before `now`; returns how many.
    pub fn prune(&self, now: i64, days: u32) -> Result<usize, StoreError> {
        let before = now - i64::from(days) * 86_400;
        let q = self
            .conn
            .execute("DELETE FROM questions WHERE asked_at < ?1", [before])
            .map_err(|e| self.err(e))?;
        let v = self
            .conn
            .execute("DELETE FROM votes WHERE voted_at < ?1", [before])
            .map_err(|e| self.err(e))?;
        Ok(q + v)
    }

    /// Deletes every question and vote, and compacts the file so nothing
    /// deleted stays readable in it.
    pub fn purge(&self) -> Result<usize, StoreError> {
        let q = self
            .conn
            .execute("DELETE FROM questions", [])
            .map_err(|e| self.err(e))?;
        let v = self
            .conn
            .execute("DELETE FROM votes", [])
            .map_err(|e| self.err(e))?;
        self.conn
            .execute("DELETE FROM kept", [])
            .map_err(|e| self.err(e))?;
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")
            .map_err(|e| self.err(e))?;
        Ok(q + v)
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Rows in (questions, votes).
    pub fn counts(&self) -> Result<(i64, i64), StoreError> {
        self.conn
            .query_row(
                "SELECT (SELECT count(*) FROM questions), (SELECT count(*) FROM votes)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(at: i64, q: &str, outcome: Outcome) -> Asked {
        Asked {
            at,
            question: q.to_string(),
            answer_key: format!("k-{q}"),
            locale: "en",
            outcome,
            top_source: None,
            asker: None,
            wording: None,
        }
    }

    #[test]
    fn created_on_first_use_in_wal_at_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("nested").join("data");
        let store = Store::open(&data).unwrap();
        assert!(data.join(FILE).is_file());
        assert_eq!(store.version().unwrap(), schema_version());
        let mode: String = store
            .connection()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        store
            .insert_asked(&asked(1, "a", Outcome::Nothing))
            .unwrap();
        drop(store);
        // Reopening migrates nothing and keeps the rows.
        let store = Store::open(&data).unwrap();
        assert_eq!(store.counts().unwrap(), (1, 0));
    }

    /// A store of the first schema (before failed searches were recorded as
    /// `error`) keeps its rows and takes an error row after migrating.
    #[test]
    fn a_first_schema_store_migrates_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(&format!("{}; PRAGMA user_version = 1;", MIGRATIONS[0]))
                .unwrap();
            c.execute(
                "INSERT INTO questions (asked_at, question, answer_key, locale, outcome)
                 VALUES (1, 'old', 'k-old', 'en', 'nothing')",
                [],
            )
            .unwrap();
            // The first schema refuses the new outcome.
            assert!(c
                .execute(
                    "INSERT INTO questions (asked_at, question, answer_key, locale, outcome)
                     VALUES (2, 'x', 'k-x', 'en', 'error')",
                    [],
                )
                .is_err());
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.version().unwrap(), schema_version());
        store
            .insert_asked(&asked(3, "failed", Outcome::Error))
            .unwrap();
        assert_eq!(store.counts().unwrap(), (2, 0));
    }

    /// A SQLite file whose version no step ever wrote (negative) is refused,
    /// not "opened" with no tables (#29 point 10).
    #[test]
    fn a_negative_schema_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let c = rusqlite::Connection::open(dir.path().join(FILE)).unwrap();
            c.pragma_update(None, "user_version", -3).unwrap();
        }
        let e = Store::open(dir.path()).unwrap_err();
        assert!(matches!(e, StoreError::Foreign { found: -3, .. }), "{e}");
    }

    #[test]
    fn a_newer_schema_is_refused_not_downgraded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .connection()
            .pragma_update(None, "user_version", schema_version() + 1)
            .unwrap();
        drop(store);
        let e = Store::open(dir.path()).unwrap_err();
        assert!(matches!(e, StoreError::Newer { .. }), "{e}");
    }

    #[test]
    fn one_vote_per_voter_and_answer() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let vote = |voter: &str, up| Vote {
            at: 5,
            answer_key: "k".into(),
            voter: voter.into(),
            up,
        };
        store.insert_vote(&vote("v1", true)).unwrap();
        store.insert_vote(&vote("v1", false)).unwrap();
        store.insert_vote(&vote("v2", false)).unwrap();
        assert_eq!(store.counts().unwrap(), (0, 2));
        let up: i64 = store
            .connection()
            .query_row("SELECT up FROM votes WHERE voter = 'v1'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(up, 0, "the second click changed the vote");
    }

    #[test]
    fn prune_drops_only_old_rows_and_purge_everything() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = 100 * 86_400;
        store
            .insert_asked(&asked(now - 91 * 86_400, "old", Outcome::Nothing))
            .unwrap();
        store
            .insert_asked(&asked(now - 89 * 86_400, "new", Outcome::Weak))
            .unwrap();
        store
            .insert_vote(&Vote {
                at: now - 95 * 86_400,
                answer_key: "k".into(),
                voter: "v".into(),
                up: false,
            })
            .unwrap();
        assert_eq!(store.prune(now, 90).unwrap(), 2);
        let left: String = store
            .connection()
            .query_row("SELECT question FROM questions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, "new");
        assert_eq!(store.purge().unwrap(), 1);
        assert_eq!(store.counts().unwrap(), (0, 0));
    }

    #[test]
    fn a_corrupt_file_is_an_error_naming_its_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), vec![0x5a; 8192]).unwrap();
        let e = Store::open(dir.path()).unwrap_err().to_string();
        assert!(e.contains(FILE), "{e}");
    }
}
