//! `config.toml`: every key is documented in `config.example.toml`; unknown
//! keys are rejected by name so a typo never silently does nothing.

use std::fmt;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

/// The default config path, relative to the working directory (git-ignored).
pub const DEFAULT_PATH: &str = "config.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub knowledge: KnowledgeConfig,
    #[serde(default)]
    pub search: SearchConfig,
    #[serde(default)]
    pub discord: DiscordConfig,
    #[serde(default)]
    pub http: HttpConfig,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub data: DataConfig,
}

/// `[data]`: where the curator's store lives (questions asked, their
/// outcome, votes) and how long rows are kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    #[serde(default = "default_data_dir")]
    pub dir: PathBuf,
    /// Rows older than this many days are deleted.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// `false`: nothing is recorded and no vote buttons are shown.
    #[serde(default = "record_by_default")]
    pub record: bool,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            dir: default_data_dir(),
            retention_days: default_retention_days(),
            record: true,
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

fn default_retention_days() -> u32 {
    90
}

fn record_by_default() -> bool {
    true
}

/// `data.retention_days`: a day to ten years.
pub const RETENTION_DAYS: RangeInclusive<u32> = 1..=3650;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeConfig {
    #[serde(default = "default_knowledge_dir")]
    pub dir: PathBuf,
    /// Largest knowledge file, in bytes.
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
    /// All knowledge files together, in bytes.
    #[serde(default = "default_max_total_bytes")]
    pub max_total_bytes: u64,
}

impl Default for KnowledgeConfig {
    fn default() -> Self {
        KnowledgeConfig {
            dir: default_knowledge_dir(),
            max_file_bytes: default_max_file_bytes(),
            max_total_bytes: default_max_total_bytes(),
        }
    }
}

impl KnowledgeConfig {
    pub fn limits(&self) -> crate::knowledge::Limits {
        crate::knowledge::Limits {
            max_file_bytes: self.max_file_bytes,
            max_total_bytes: self.max_total_bytes,
        }
    }
}

fn default_max_file_bytes() -> u64 {
    crate::knowledge::Limits::default().max_file_bytes
}

fn default_max_total_bytes() -> u64 {
    crate::knowledge::Limits::default().max_total_bytes
}

fn default_knowledge_dir() -> PathBuf {
    PathBuf::from("knowledge")
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Persist the index here (rebuilt when the notes change); in RAM when unset.
    pub index_dir: Option<PathBuf>,
}

/// A Discord id, written as a number or as the string of digits "Copy ID" gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Snowflake(pub u64);

impl<'de> Deserialize<'de> for Snowflake {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(n) if n > 0 => Ok(Snowflake(n as u64)),
            Raw::Str(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .map(Snowflake)
                .ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "'{s}' is not a Discord id (a string of digits)"
                    ))
                }),
            Raw::Int(n) => Err(serde::de::Error::custom(format!("{n} is not a Discord id"))),
        }
    }
}

/// A secret that never prints.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_empty() {
            "Secret(<empty>)"
        } else {
            "Secret(<redacted>)"
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    /// Better set through `DISCORD_TOKEN`.
    #[serde(default)]
    pub token: Secret,
    #[serde(default = "default_api_url")]
    pub api_url: String,
    #[serde(default)]
    pub guild_ids: Vec<Snowflake>,
    #[serde(default)]
    pub search_channels: Vec<Snowflake>,
    #[serde(default = "yes")]
    pub free_text: bool,
    /// Answer free text in direct messages (without a mention).
    #[serde(default)]
    pub dm: bool,
    /// Reply in a search channel even when the notes have nothing (off:
    /// chatter gets no reply; mentions and DMs are always answered).
    #[serde(default)]
    pub reply_when_nothing: bool,
    #[serde(default)]
    pub owners: Vec<Snowflake>,
    #[serde(default)]
    pub cooldown: CooldownConfig,
    pub shards: Option<ShardsConfig>,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        DiscordConfig {
            token: Secret::default(),
            api_url: default_api_url(),
            guild_ids: Vec::new(),
            search_channels: Vec::new(),
            free_text: true,
            dm: false,
            reply_when_nothing: false,
            owners: Vec::new(),
            cooldown: CooldownConfig::default(),
            shards: None,
        }
    }
}

pub const DISCORD_API_URL: &str = "https://discord.com";

impl DiscordConfig {
    /// `api_url` as it may be logged: without `user:password@` and without
    /// the values of query parameters that look like credentials. A proxy URL
    /// such as `http://user:pass@proxy` carries them.
    pub fn api_url_for_logs(&self) -> String {
        redact_url(&self.api_url)
    }
}

/// Redacts what may be a credential in every URL found in `text`: the user
/// information (`scheme://user:pass@host` → `scheme://<redacted>@host`) and
/// the values of query parameters named like a secret (`token`, `key`,
/// `secret`, `password`, `auth`, `sig`, …). Use it on any URL, or any error
/// text that may quote one, before it reaches the log.
pub fn redact_url(text: &str) -> String {
    use std::sync::LazyLock;
    static USERINFO: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]+@").expect("a valid pattern")
    });
    static SECRET_PARAM: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)([?&][a-z0-9_.-]*(?:token|key|secret|passw(?:or)?d|pass|auth|sig(?:nature)?|credential)[a-z0-9_.-]*=)[^&#\s]*",
        )
        .expect("a valid pattern")
    });
    // An interaction's or a webhook's token is a path segment
    // (`/interactions/<id>/<token>/callback`, `/webhooks/<app>/<token>/…`):
    // a live credential for 15 minutes.
    static TOKEN_SEGMENT: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)(/(?:interactions|webhooks)/[^/\s?#)]+/)[^/\s?#)]+")
            .expect("a valid pattern")
    });
    let text = USERINFO.replace_all(text, "${1}<redacted>@");
    let text = TOKEN_SEGMENT.replace_all(&text, "${1}<redacted>");
    SECRET_PARAM
        .replace_all(&text, "${1}<redacted>")
        .into_owned()
}

fn default_api_url() -> String {
    DISCORD_API_URL.to_string()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CooldownConfig {
    /// Seconds between two free-text answers to the same person.
    #[serde(default = "default_user_cooldown")]
    pub user_seconds: f64,
    /// Seconds between two free-text answers in the same channel.
    #[serde(default = "default_channel_cooldown")]
    pub channel_seconds: f64,
}

impl Default for CooldownConfig {
    fn default() -> Self {
        CooldownConfig {
            user_seconds: default_user_cooldown(),
            channel_seconds: default_channel_cooldown(),
        }
    }
}

fn default_user_cooldown() -> f64 {
    10.0
}
fn default_channel_cooldown() -> f64 {
    3.0
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ShardsConfig {
    pub total: u32,
    pub first: u32,
    pub last: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Where `serve-http` listens (default [`DEFAULT_LISTEN`]); when set,
    /// `run` serves the notes' pages here too. See [`HttpConfig::listen_address`].
    #[serde(default)]
    pub listen: Option<String>,
    /// The address the pages are reached at from outside
    /// (`https://bot.example.org`): cards and answers in Discord then carry
    /// an "Open in browser" link to the page of the same answer.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Serve the notes as web pages (default true); false: `serve-http` is
    /// the interactions endpoint alone.
    #[serde(default = "default_pages")]
    pub pages: bool,
    /// The application's public key (hex), also `DISCORD_PUBLIC_KEY`.
    #[serde(default)]
    pub public_key: String,
    /// Connections served at once; more wait in the listen backlog.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// A connection that has not sent a whole request head this long after
    /// it opened (or after its previous answer) is closed.
    #[serde(default = "default_header_timeout")]
    pub header_timeout_seconds: u64,
    /// A request not answered this long after its head arrived gets 503.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_seconds: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: None,
            public_url: None,
            pages: true,
            public_key: String::new(),
            max_connections: default_max_connections(),
            header_timeout_seconds: default_header_timeout(),
            request_timeout_seconds: default_request_timeout(),
        }
    }
}

/// Half of the usual 1 024 descriptors, so that a full endpoint leaves the
/// rest of the process (the notes, the index, the REST client) room.
fn default_max_connections() -> usize {
    512
}
fn default_header_timeout() -> u64 {
    10
}
fn default_request_timeout() -> u64 {
    15
}

/// The ranges of the numeric keys, checked at start-up.
pub const MAX_CONNECTIONS: std::ops::RangeInclusive<usize> = 1..=65_536;
pub const HEADER_TIMEOUT_SECONDS: std::ops::RangeInclusive<u64> = 1..=10;
pub const REQUEST_TIMEOUT_SECONDS: std::ops::RangeInclusive<u64> = 1..=120;
pub const COOLDOWN_SECONDS: std::ops::RangeInclusive<f64> = 0.0..=86_400.0;
pub const SHARDS_TOTAL: std::ops::RangeInclusive<u32> = 1..=65_536;

fn default_pages() -> bool {
    true
}

/// Where `serve-http` listens when `http.listen` is not set.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl HttpConfig {
    /// `http.listen`, or [`DEFAULT_LISTEN`].
    pub fn listen_address(&self) -> &str {
        self.listen.as_deref().unwrap_or(DEFAULT_LISTEN)
    }

    /// `http.public_url` without its trailing `/`, when set.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/'))
            .filter(|u| !u.is_empty())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter: `info`, `lineage_bot=debug`, …
    #[serde(default = "default_level")]
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: default_level(),
        }
    }
}

fn default_level() -> String {
    "info".to_string()
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Semantic { path: String, message: String },
}

impl Config {
    /// Parses the text of a config file; `path` is only for messages.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |s| crate::knowledge::line_col(text, s.start));
            ConfigError::Invalid {
                path: path.to_string(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        config.validate(path, text)?;
        Ok(config)
    }

    /// Reads a config file. A missing file at the default path is the default
    /// config; a missing file the user named is an error.
    pub fn from_file(path: &Path, required: bool) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&shown, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(Config::default())
            }
            Err(source) => Err(ConfigError::Read {
                path: shown,
                source,
            }),
        }
    }

    /// `DISCORD_TOKEN`, `DISCORD_API_URL` and `DISCORD_PUBLIC_KEY` win over the file.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        if let Some(t) = get("DISCORD_TOKEN").filter(|t| !t.trim().is_empty()) {
            self.discord.token = Secret::new(t.trim());
        }
        if let Some(u) = get("DISCORD_API_URL").filter(|u| !u.trim().is_empty()) {
            self.discord.api_url = u.trim().to_string();
        }
        if let Some(k) = get("DISCORD_PUBLIC_KEY").filter(|k| !k.trim().is_empty()) {
            self.http.public_key = k.trim().to_string();
        }
    }

    /// Every numeric key with its value and allowed range (inclusive): one
    /// line per key. A value outside (NaN and infinities too) is a startup
    /// error naming the key and its line, never a panic later on.
    fn numeric_keys(&self) -> Vec<(&'static str, f64, RangeInclusive<f64>)> {
        let c = self.discord.cooldown;
        let mut keys = vec![
            (
                "discord.cooldown.user_seconds",
                c.user_seconds,
                COOLDOWN_SECONDS,
            ),
            (
                "discord.cooldown.channel_seconds",
                c.channel_seconds,
                COOLDOWN_SECONDS,
            ),
        ];
        let (h, k) = (&self.http, &self.knowledge);
        keys.extend([
            (
                "http.max_connections",
                h.max_connections as f64,
                range_f64(&MAX_CONNECTIONS),
            ),
            (
                "http.header_timeout_seconds",
                h.header_timeout_seconds as f64,
                range_f64(&HEADER_TIMEOUT_SECONDS),
            ),
            (
                "http.request_timeout_seconds",
                h.request_timeout_seconds as f64,
                range_f64(&REQUEST_TIMEOUT_SECONDS),
            ),
            (
                "knowledge.max_file_bytes",
                k.max_file_bytes as f64,
                range_f64(&KNOWLEDGE_BYTES),
            ),
            (
                "knowledge.max_total_bytes",
                k.max_total_bytes as f64,
                range_f64(&KNOWLEDGE_BYTES),
            ),
        ]);
        keys.push((
            "data.retention_days",
            f64::from(self.data.retention_days),
            f64::from(*RETENTION_DAYS.start())..=f64::from(*RETENTION_DAYS.end()),
        ));
        if let Some(s) = self.discord.shards {
            let shards = f64::from(MAX_SHARDS);
            keys.extend([
                ("discord.shards.total", f64::from(s.total), 1.0..=shards),
                (
                    "discord.shards.first",
                    f64::from(s.first),
                    0.0..=shards - 1.0,
                ),
                ("discord.shards.last", f64::from(s.last), 0.0..=shards - 1.0),
            ]);
        }
        keys
    }

    fn validate(&self, path: &str, text: &str) -> Result<(), ConfigError> {
        let fail = |message: String| {
            Err(ConfigError::Semantic {
                path: path.to_string(),
                message,
            })
        };
        for (key, value, range) in self.numeric_keys() {
            if range.contains(&value) {
                continue;
            }
            let (start, end) = (range.start(), range.end());
            let found = key_span(text, key);
            let written = found
                .as_ref()
                .and_then(|s| text.get(s.clone()))
                .map_or_else(|| format!("{value}"), str::to_string);
            let message = format!("{key} = {written} is out of range: allowed {start} to {end}");
            let Some(span) = found else {
                return fail(message);
            };
            let (line, column) = crate::knowledge::line_col(text, span.start);
            return Err(ConfigError::Invalid {
                path: path.to_string(),
                line,
                column,
                message,
            });
        }
        if let Some(s) = self.discord.shards {
            if s.first > s.last || s.last >= s.total {
                return fail(format!(
                    "discord.shards: need 0 <= first <= last < total, got first = {}, last = {}, total = {}",
                    s.first, s.last, s.total
                ));
            }
        }
        if let Some(url) = self.http.public_url() {
            let scheme = url.starts_with("http://") || url.starts_with("https://");
            if !scheme
                || url
                    .chars()
                    .any(|c| c.is_whitespace() || c == '?' || c == '#')
            {
                return fail(format!(
                    "http.public_url: '{url}' is not an http(s) address of the pages (such as https://bot.example.org)"
                ));
            }
        }
        if !(self.discord.api_url.starts_with("http://")
            || self.discord.api_url.starts_with("https://"))
        {
            return fail(format!(
                "discord.api_url: '{}' is not an http(s) URL",
                self.discord.api_url_for_logs()
            ));
        }
        Ok(())
    }
}

/// Shards a bot may have: Discord asks for one per 1 000 guilds or so; this
/// is far above any real bot and far below what would exhaust the process.
const MAX_SHARDS: u32 = *SHARDS_TOTAL.end();

/// Bytes of knowledge: at least a small note, at most 4 GiB (a file is read
/// into memory whole).
const KNOWLEDGE_BYTES: RangeInclusive<u64> = 1024..=4 * 1024 * 1024 * 1024;

/// An integer range as the numeric table compares it (every bound here is
/// far below 2^53, so exact).
fn range_f64<T: Copy + TryInto<u64>>(r: &RangeInclusive<T>) -> RangeInclusive<f64> {
    let bound = |v: T| v.try_into().map_or(f64::MAX, |v: u64| v as f64);
    bound(*r.start())..=bound(*r.end())
}

/// Where the value of a dotted `key` is written in `text` (table headers,
/// dotted keys and inline tables alike), if it is.
fn key_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let (_, value) = table.iter().find(|(k, _)| &**k.get_ref() == part)?;
        if parts.peek().is_none() {
            return Some(value.span());
        }
        match value.get_ref() {
            toml::de::DeValue::Table(t) => table = t,
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_be_numbers_or_strings() {
        let c = Config::parse("c.toml", "[discord]\nguild_ids = [123, \"456\"]\n").unwrap();
        assert_eq!(c.discord.guild_ids, vec![Snowflake(123), Snowflake(456)]);
        assert!(Config::parse("c.toml", "[discord]\nguild_ids = [\"abc\"]\n").is_err());
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = Config::parse("c.toml", "[discord]\ntokn = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("tokn"), "{e}");
        assert!(e.starts_with("c.toml:2:"), "{e}");
    }

    #[test]
    fn secrets_never_print() {
        let mut c = Config::default();
        c.apply_env(|k| (k == "DISCORD_TOKEN").then(|| "sekrit.token".to_string()));
        assert_eq!(c.discord.token.expose(), "sekrit.token");
        assert!(!format!("{c:?}").contains("sekrit"));
    }

    /// Issue #15, point 8: numbers that pass TOML but would panic or make
    /// no sense later are a startup error naming the key and its line.
    #[test]
    fn out_of_range_numbers_name_the_key_and_line() {
        for (text, key, line) in [
            (
                "[discord.cooldown]\nuser_seconds = 1e300\n",
                "discord.cooldown.user_seconds",
                2,
            ),
            (
                "[discord]\nfree_text = true\n\n[discord.cooldown]\nchannel_seconds = -1\n",
                "discord.cooldown.channel_seconds",
                5,
            ),
            (
                "[discord.cooldown]\nuser_seconds = nan\n",
                "discord.cooldown.user_seconds",
                2,
            ),
            (
                "[discord]\ncooldown = { user_seconds = inf }\n",
                "discord.cooldown.user_seconds",
                2,
            ),
            (
                "[discord.shards]\ntotal = 4294967295\nfirst = 0\nlast = 4294967294\n",
                "discord.shards.total",
                2,
            ),
        ] {
            let e = Config::parse("config.toml", text)
                .expect_err(text)
                .to_string();
            assert!(
                e.starts_with(&format!("config.toml:{line}:")) && e.contains(key),
                "{text:?} gave {e}"
            );
        }
    }

    #[test]
    fn numbers_in_range_are_accepted() {
        let c = Config::parse(
            "config.toml",
            "[discord.cooldown]\nuser_seconds = 0\nchannel_seconds = 86400\n\n[discord.shards]\ntotal = 16\nfirst = 0\nlast = 15\n",
        )
        .unwrap();
        assert_eq!(c.discord.cooldown.channel_seconds, 86400.0);
    }

    #[test]
    fn bad_shard_ranges_are_refused() {
        let e = Config::parse(
            "c.toml",
            "[discord]\nshards = { total = 2, first = 1, last = 2 }\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("discord.shards"));
    }

    #[test]
    fn numeric_keys_out_of_range_are_named() {
        for (text, key) in [
            ("[http]\nmax_connections = 0\n", "http.max_connections"),
            (
                "[http]\nmax_connections = 1000000\n",
                "http.max_connections",
            ),
            (
                "[http]\nheader_timeout_seconds = 0\n",
                "http.header_timeout_seconds",
            ),
            (
                "[http]\nheader_timeout_seconds = 11\n",
                "http.header_timeout_seconds",
            ),
            (
                "[http]\nrequest_timeout_seconds = 0\n",
                "http.request_timeout_seconds",
            ),
            (
                "[http]\nrequest_timeout_seconds = 121\n",
                "http.request_timeout_seconds",
            ),
            (
                "[discord.cooldown]\nuser_seconds = 1e300\n",
                "discord.cooldown.user_seconds",
            ),
            (
                "[discord.cooldown]\nuser_seconds = nan\n",
                "discord.cooldown.user_seconds",
            ),
            (
                "[discord.cooldown]\nchannel_seconds = -1.0\n",
                "discord.cooldown.channel_seconds",
            ),
            (
                "[discord.shards]\ntotal = 0\nfirst = 0\nlast = 0\n",
                "discord.shards.total",
            ),
            (
                "[knowledge]\nmax_file_bytes = 10\n",
                "knowledge.max_file_bytes",
            ),
            (
                "[knowledge]\nmax_total_bytes = 99999999999999\n",
                "knowledge.max_total_bytes",
            ),
        ] {
            let e = Config::parse("c.toml", text).unwrap_err().to_string();
            assert!(e.starts_with("c.toml:2:"), "{text:?}: {e}");
            assert!(e.contains(&format!("{key} = ")), "{text:?}: {e}");
            assert!(e.contains("out of range"), "{text:?}: {e}");
        }
        // The bounds themselves are accepted, and the defaults are in range.
        let c = Config::parse(
            "c.toml",
            "[http]\nmax_connections = 1\nheader_timeout_seconds = 10\nrequest_timeout_seconds = 120\n\
             [discord.cooldown]\nuser_seconds = 0.0\nchannel_seconds = 86400.0\n",
        )
        .unwrap();
        assert_eq!(c.http.max_connections, 1);
        let d = Config::parse("c.toml", "").unwrap().http;
        assert_eq!(
            (
                d.max_connections,
                d.header_timeout_seconds,
                d.request_timeout_seconds
            ),
            (512, 10, 15)
        );
    }

    #[test]
    fn credentials_in_urls_are_redacted() {
        for (url, shown) in [
            ("https://discord.com", "https://discord.com"),
            (
                "http://user:pass@proxy:8080",
                "http://<redacted>@proxy:8080",
            ),
            (
                "http://token@proxy/api/v10",
                "http://<redacted>@proxy/api/v10",
            ),
            (
                "HTTPS://u:p@h/x?a=1&token=abc&b=2",
                "HTTPS://<redacted>@h/x?a=1&token=<redacted>&b=2",
            ),
            (
                "http://h/x?api_key=abc#f",
                "http://h/x?api_key=<redacted>#f",
            ),
            ("http://h/a@b", "http://h/a@b"),
            (
                "error sending request for url (http://127.0.0.1:9/api/v10/interactions/123/aW50ZXJhY3Rpb24.tok-en_9/callback): operation timed out",
                "error sending request for url (http://127.0.0.1:9/api/v10/interactions/123/<redacted>/callback): operation timed out",
            ),
            (
                "https://discord.com/api/v10/webhooks/456/aW50ZX.JhY3Rpb24/messages/@original",
                "https://discord.com/api/v10/webhooks/456/<redacted>/messages/@original",
            ),
            (
                "error sending request for url (http://bob:hunter2@10.0.0.1/api/v10/x): refused",
                "error sending request for url (http://<redacted>@10.0.0.1/api/v10/x): refused",
            ),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
        let mut c = Config::default();
        c.discord.api_url = "http://user:sekrit@proxy".into();
        assert_eq!(c.discord.api_url_for_logs(), "http://<redacted>@proxy");
        // The start-up error for a bad URL does not quote the password either.
        let e = Config::parse(
            "c.toml",
            "[discord]\napi_url = \"ftp://user:sekrit@proxy\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("discord.api_url") && !e.contains("sekrit"),
            "{e}"
        );
    }
}
