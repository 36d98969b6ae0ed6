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

/// Issue #15, point 5: the console's pictures go to a private folder made for
/// the session, never through a link planted at a predictable path.
#[cfg(unix)]
#[test]
fn console_pictures_never_follow_a_planted_link() {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    use std::process::Stdio;

    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    // What another local user could prepare in a shared /tmp.
    let old = tmp.path().join("lineage-bot");
    std::fs::create_dir(&old).unwrap();
    std::os::unix::fs::symlink(&victim, old.join("lineage.png")).unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let mut child = bin()
        .arg("--config")
        .arg(&config)
        .arg("run")
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"/lineage\nquit\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let picture = stdout
        .lines()
        .find_map(|l| l.strip_prefix("picture: "))
        .unwrap_or_else(|| panic!("no picture saved: {stdout}"));
    let picture = std::path::Path::new(picture);
    let folder = picture.parent().unwrap();
    assert!(
        folder.starts_with(tmp.path()) && folder != old,
        "{}",
        picture.display()
    );
    let mode = std::fs::metadata(folder).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "{}", folder.display());
    assert!(std::fs::read(picture).unwrap().starts_with(b"\x89PNG"));
    let mode = std::fs::metadata(picture).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{}: readable by others", picture.display());
}
