//! The example config documents every key and parses as is.

use lineage_bot::config::Config;

#[test]
fn the_example_config_parses() {
    let text = std::fs::read_to_string("config.example.toml").expect("config.example.toml");
    let c = Config::parse("config.example.toml", &text).expect("valid");
    assert_eq!(c.knowledge.dir, std::path::PathBuf::from("knowledge"));
    assert!(c.discord.token.is_empty(), "the example carries no token");
}

#[test]
fn the_example_config_documents_every_section() {
    let text = std::fs::read_to_string("config.example.toml").expect("config.example.toml");
    for key in [
        "[knowledge]",
        "dir",
        "[search]",
        "index_dir",
        "[discord]",
        "token",
        "api_url",
        "guild_ids",
        "search_channels",
        "free_text",
        "owners",
        "[discord.cooldown]",
        "user_seconds",
        "channel_seconds",
        "[discord.shards]",
        "[http]",
        "listen",
        "public_key",
        "max_connections",
        "header_timeout_seconds",
        "request_timeout_seconds",
        "[log]",
        "level",
    ] {
        assert!(
            text.contains(key),
            "config.example.toml does not mention {key}"
        );
    }
}

/// An out-of-range number stops every command at start with the key's name
/// (`check` here: it would otherwise print the notes' summary and succeed).
#[test]
fn out_of_range_numbers_stop_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (text, key) in [
        (
            "[http]\nheader_timeout_seconds = 3600\n",
            "http.header_timeout_seconds",
        ),
        ("[http]\nmax_connections = 0\n", "http.max_connections"),
        (
            "[http]\nrequest_timeout_seconds = 0\n",
            "http.request_timeout_seconds",
        ),
        (
            "[discord.cooldown]\nuser_seconds = 1e300\n",
            "discord.cooldown.user_seconds",
        ),
    ] {
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lineage-bot"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("--config")
            .arg(&path)
            .arg("check")
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{text:?}: {stderr}");
        assert!(stderr.contains(key), "{text:?}: {stderr}");
        assert!(stderr.contains("out of range"), "{text:?}: {stderr}");
    }
}
