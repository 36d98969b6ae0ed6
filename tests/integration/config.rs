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
        "[log]",
        "level",
    ] {
        assert!(
            text.contains(key),
            "config.example.toml does not mention {key}"
        );
    }
}
