//! The binary itself, as a user runs it.

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lineage-bot"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DISCORD_TOKEN");
    c
}

#[test]
fn check_reports_the_bundled_knowledge() {
    let out = bin().args(["check"]).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("knowledge ok: 9 models, 9 lineage edges, 14 terms,"),
        "{stdout}"
    );
}

#[test]
fn check_fails_with_file_and_line() {
    let out = bin()
        .args([
            "check",
            "--knowledge",
            "tests/fixtures/knowledge_invalid/lineage-cycle",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "tests/fixtures/knowledge_invalid/lineage-cycle/models.toml:6: lineage cycle"
        ),
        "{stderr}"
    );
}

#[test]
fn a_bad_config_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[knowledge]\ndir = \"knowledge\"\ncolour = true\n").unwrap();
    let out = bin()
        .arg("--config")
        .arg(&path)
        .arg("check")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml:3:") && stderr.contains("colour"),
        "{stderr}"
    );
}
