//! `config.toml`: every key is documented in `config.example.toml`; unknown
//! keys are rejected by name so a typo never silently does nothing.

use std::fmt;
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeConfig {
    #[serde(default = "default_knowledge_dir")]
    pub dir: PathBuf,
}

impl Default for KnowledgeConfig {
    fn default() -> Self {
        KnowledgeConfig {
            dir: default_knowledge_dir(),
        }
    }
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
            reply_when_nothing: false,
            owners: Vec::new(),
            cooldown: CooldownConfig::default(),
            shards: None,
        }
    }
}

pub const DISCORD_API_URL: &str = "https://discord.com";

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
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The application's public key (hex), also `DISCORD_PUBLIC_KEY`.
    #[serde(default)]
    pub public_key: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: default_listen(),
            public_key: String::new(),
        }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_string()
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
        config.validate(path)?;
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

    fn validate(&self, path: &str) -> Result<(), ConfigError> {
        let fail = |message: String| {
            Err(ConfigError::Semantic {
                path: path.to_string(),
                message,
            })
        };
        if let Some(s) = self.discord.shards {
            if s.total == 0 || s.first > s.last || s.last >= s.total {
                return fail(format!(
                    "discord.shards: need 0 <= first <= last < total, got first = {}, last = {}, total = {}",
                    s.first, s.last, s.total
                ));
            }
        }
        let c = self.discord.cooldown;
        if !(c.user_seconds.is_finite()
            && c.user_seconds >= 0.0
            && c.channel_seconds.is_finite()
            && c.channel_seconds >= 0.0)
        {
            return fail("discord.cooldown: seconds must be zero or more".into());
        }
        if !(self.discord.api_url.starts_with("http://")
            || self.discord.api_url.starts_with("https://"))
        {
            return fail(format!(
                "discord.api_url: '{}' is not an http(s) URL",
                self.discord.api_url
            ));
        }
        Ok(())
    }
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

    #[test]
    fn bad_shard_ranges_are_refused() {
        let e = Config::parse(
            "c.toml",
            "[discord]\nshards = { total = 2, first = 1, last = 2 }\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("discord.shards"));
    }
}
