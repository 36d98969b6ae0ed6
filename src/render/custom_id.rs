//! Buttons carry the command they run in their `custom_id`: the codec both
//! ways (`model:chatgpt`, `compare:a|b`, `search:1:query`,
//! `capability:zero-shot`).

use crate::engine::Command;

/// The prefix of a button whose command is kept on the bot's side (see
/// `respond::Responder`): `kept:` and a short key.
pub const KEPT_PREFIX: &str = "kept:";

/// The prefix of a button that posts, for everyone, the answer its asker
/// alone saw: `public:` and the command's id.
pub const PUBLIC_PREFIX: &str = "public:";

/// The prefix of a 👍 / 👎 button: `vote:up:<answer key>`, `vote:down:<answer key>`.
pub const VOTE_PREFIX: &str = "vote:";

/// The id of a vote button on the answer `key`.
pub fn vote(up: bool, key: &str) -> String {
    format!("{VOTE_PREFIX}{}:{key}", if up { "up" } else { "down" })
}

/// A vote button's direction and answer key.
pub fn vote_of(id: &str) -> Option<(bool, &str)> {
    let rest = id.strip_prefix(VOTE_PREFIX)?;
    let (dir, key) = rest.split_once(':')?;
    let up = match dir {
        "up" => true,
        "down" => false,
        _ => return None,
    };
    (!key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some((up, key))
}

/// The id of a button that posts `cmd`'s answer publicly.
pub fn public(cmd: &Command) -> String {
    format!("{PUBLIC_PREFIX}{}", custom_id(cmd))
}

/// The id of a button whose command is kept on the bot's side under `key`.
pub fn kept(key: &str) -> String {
    format!("{KEPT_PREFIX}{key}")
}

/// The key of a kept button's id.
pub fn kept_key(id: &str) -> Option<&str> {
    id.strip_prefix(KEPT_PREFIX)
}

/// Whether an id fits in a button (`custom_id`, 1–100 characters).
pub fn fits(id: &str) -> bool {
    (1..=super::limits::CUSTOM_ID).contains(&id.chars().count())
}

/// The command a button runs, in full: never cut. An id that does not fit
/// (see [`fits`]) is kept on the bot's side by `respond::Responder`, which
/// puts a short [`kept`] id on the button instead.
pub fn custom_id(cmd: &Command) -> String {
    let id = match cmd {
        Command::Model { name } => format!("model:{name}"),
        Command::Term { name } => format!("term:{name}"),
        Command::Compare { first, second } => format!("compare:{first}|{second}"),
        Command::Search { query, page } => format!("search:{page}:{query}"),
        Command::Lineage { name } => format!("lineage:{}", name.as_deref().unwrap_or("")),
        Command::Capability { name } => format!("capability:{name}"),
        Command::Help => "help:".to_string(),
    };
    id
}

/// The command a button stands for; `None` for ids that are not ours.
pub fn from_custom_id(id: &str) -> Option<Command> {
    let (kind, rest) = id.split_once(':')?;
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    Some(match kind {
        "model" => Command::Model { name: some(rest)? },
        "term" => Command::Term { name: some(rest)? },
        "compare" => {
            let (a, b) = rest.split_once('|')?;
            Command::Compare {
                first: some(a)?,
                second: some(b)?,
            }
        }
        "search" => {
            let (page, query) = rest.split_once(':')?;
            Command::search(&some(query)?, page.parse().ok().filter(|p| *p < 200)?)
        }
        "lineage" => Command::Lineage { name: some(rest) },
        // Empty: the matrix of every capability.
        "capability" => Command::Capability {
            name: some(rest).unwrap_or_default(),
        },
        "help" => Command::Help,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_round_trip() {
        for cmd in [
            Command::Model {
                name: "text-davinci-002".into(),
            },
            Command::Compare {
                first: "code-davinci-002".into(),
                second: "text-davinci-002".into(),
            },
            Command::Search {
                query: "对齐税 alignment".into(),
                page: 2,
            },
            Command::Lineage { name: None },
            Command::Capability {
                name: "in-context-learning".into(),
            },
            // No name: the matrix.
            Command::Capability {
                name: String::new(),
            },
        ] {
            assert_eq!(from_custom_id(&custom_id(&cmd)), Some(cmd));
        }
        assert_eq!(from_custom_id("delete:123"), None);
        assert_eq!(from_custom_id("search:x:q"), None);
        let long = Command::Search {
            query: "字".repeat(300),
            page: 1,
        };
        let id = custom_id(&long);
        assert!(!fits(&id), "too long for a button: kept on the bot's side");
        assert_eq!(from_custom_id(&id), Some(long), "never cut");
        assert_eq!(kept_key(&kept("abc")), Some("abc"));
        assert_eq!(vote_of(&vote(true, "0a1b")), Some((true, "0a1b")));
        assert_eq!(vote_of(&vote(false, "0a1b")), Some((false, "0a1b")));
        assert_eq!(vote_of("vote:sideways:0a1b"), None);
        assert_eq!(vote_of("vote:up:not hex"), None);
        assert_eq!(from_custom_id(&vote(true, "0a1b")), None, "not a command");
    }
}
