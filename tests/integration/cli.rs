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

/// `ask`, `search` and `gaps` with the bot's config (#29 point 1) leave the
/// bot's index folder alone, whatever notes they are given: the old code
/// built the drafts' index into it and stamped their fingerprint.
#[test]
fn one_shot_commands_never_touch_the_configured_index_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let config = tmp.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[search]\nindex_dir = {:?}\n[data]\ndir = {:?}\n",
            index.display().to_string(),
            tmp.path().join("data").display().to_string()
        ),
    )
    .unwrap();
    // Each run with the bot's config succeeds.
    let run = |args: &[&str]| {
        let out = bin()
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for args in [
        &["ask", "/model chatgpt"][..],
        &["search", "alignment tax"],
        &["gaps"],
    ] {
        run(args);
        assert!(!index.exists(), "{args:?} wrote the bot's index folder");
    }
    // Named on the command line, the folder is used.
    let named = index.to_str().unwrap();
    run(&["--index-dir", named, "search", "alignment tax"]);
    assert!(index.join("lineage-bot.index").is_file());
}

/// #29 point 1, across processes: while a bot owns an index folder, a
/// one-shot run given the same folder is refused with the owner's pid and
/// writes nothing; the old code updated the folder under the bot.
#[test]
fn a_folder_another_process_owns_is_refused_with_its_pid() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let owner =
        lineage_bot::engine::Engine::load(&crate::crate_path("knowledge"), Some(&index)).unwrap();
    let stamp = std::fs::read(index.join("lineage-bot.fingerprint")).unwrap();
    let drafts = tmp.path().join("drafts");
    std::fs::create_dir(&drafts).unwrap();
    crate::reload::copy_knowledge(&drafts);
    std::fs::write(drafts.join("extra.md"), "# 草稿\n\nThe okapi draft.\n").unwrap();
    let out = bin()
        .arg("--index-dir")
        .arg(&index)
        .arg("--knowledge")
        .arg(&drafts)
        .args(["search", "okapi"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains(&index.display().to_string()), "{stderr}");
    assert!(
        stderr.contains(&format!("pid {}", std::process::id())),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(index.join("lineage-bot.fingerprint")).unwrap(),
        stamp
    );
    drop(owner);
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
    std::fs::write(&config, "[data]\nrecord = false\n").unwrap();
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

/// A console session with questions piped in, as `run` without a token.
fn console_session(config: &std::path::Path, lines: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = bin()
        .arg("--config")
        .arg(config)
        .arg("run")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn data_config(dir: &std::path::Path) -> std::path::PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[data]\ndir = {:?}\n",
            dir.join("data").display().to_string()
        ),
    )
    .unwrap();
    config
}

/// Issue #18: the console records what was asked; `gaps --json` lists the
/// questions the notes could not answer, folded together, most asked first;
/// `gaps --purge` deletes them.
#[test]
fn console_questions_show_up_in_gaps() {
    let tmp = tempfile::tempdir().unwrap();
    let config = data_config(tmp.path());
    let out = console_session(
        &config,
        "What is a tokenizer?\nwhat is a  TOKENIZER\nhow many GPUs\nWhat is the alignment tax?\n/model chatgpt\nwhat is a tokenizer\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gaps = bin()
        .arg("--config")
        .arg(&config)
        .args(["gaps", "--json"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&gaps.stdout);
    assert!(
        gaps.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&gaps.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let listed: Vec<(&str, u64, &str)> = v["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["question"].as_str().unwrap(),
                g["count"].as_u64().unwrap(),
                g["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("what is a tokenizer", 3, "nothing"),
            ("how many GPUs", 1, "nothing")
        ],
        "answered questions and commands are not gaps: {stdout}"
    );
    let g = &v["gaps"][0];
    assert!(g["last_asked"].as_str().unwrap().ends_with('Z'), "{g}");
    assert!(g.get("closest").is_some(), "{g}");

    let purge = bin()
        .arg("--config")
        .arg(&config)
        .args(["gaps", "--purge"])
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&purge.stdout);
    assert!(
        purge.status.success() && said.contains("purged 5 rows"),
        "{said}"
    );
    let after = bin()
        .arg("--config")
        .arg(&config)
        .args(["gaps", "--json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&after.stdout).expect("JSON");
    assert_eq!(v["gaps"], serde_json::json!([]));
}

/// Issue #18, bad input: a corrupt store is reported with its path, and the
/// console goes on answering.
#[test]
fn a_corrupt_store_is_named_and_answering_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let config = data_config(tmp.path());
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let db = data.join("curation.sqlite3");
    std::fs::write(&db, vec![0x5a; 16384]).unwrap();
    let out = console_session(&config, "What is the alignment tax?\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("alignment tax") || stdout.contains("对齐税"),
        "{stdout}"
    );
    assert!(
        stderr.contains(&db.display().to_string()) && stderr.contains("recording is off"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        vec![0x5a; 16384],
        "the corrupt file is left for the operator"
    );
}

/// #31 point 1: `diff` asks the recorded questions of the serving notes and
/// of a draft: the question the draft answers is newly answered, nothing is
/// lost; the other way round it is lost, and `--fail-on-lost` exits 1. The
/// command did not exist before.
#[test]
fn diff_lists_what_a_draft_answers_and_loses() {
    let tmp = tempfile::tempdir().unwrap();
    let config = data_config(tmp.path());
    let out = console_session(&config, "GPT-4 的上下文窗口\nwhat is the alignment tax\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let draft = tmp.path().join("draft");
    std::fs::create_dir(&draft).unwrap();
    crate::reload::copy_knowledge(&draft);
    let notes = draft.join("notes.md");
    let mut text = std::fs::read_to_string(&notes).unwrap();
    text.push_str("\n* GPT-4 的上下文窗口是 8192 个 token（curator's test line）\n");
    std::fs::write(&notes, text).unwrap();
    let run = |serving: &std::path::Path, draft: &std::path::Path, extra: &[&str]| {
        bin()
            .arg("--config")
            .arg(&config)
            .arg("--knowledge")
            .arg(draft)
            .arg("diff")
            .arg("--serving")
            .arg(serving)
            .args(extra)
            .output()
            .expect("runs")
    };
    let bundled = crate::crate_path("knowledge");
    let out = run(&bundled, &draft, &["--json", "--fail-on-lost"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        v["newly_answered"][0]["question"], "GPT-4 的上下文窗口",
        "{v}"
    );
    assert!(v["newly_answered"][0]["after"]["quote"]
        .as_str()
        .unwrap()
        .contains("8192"));
    assert_eq!(v["lost"], serde_json::json!([]));
    assert_eq!(v["unchanged"], 1);

    let back = run(&draft, &bundled, &["--fail-on-lost"]);
    let stdout = String::from_utf8_lossy(&back.stdout);
    assert_eq!(back.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("No longer answered: 1"), "{stdout}");
    assert_eq!(
        run(&draft, &bundled, &[]).status.code(),
        Some(0),
        "exit 0 without the flag"
    );
}

/// #31 point 3: `check --suggest` prints the TOML for a new section's chain
/// line and status sentences; `--write` appends it and the notes still
/// check; a second run has nothing left to suggest. The flag did not exist
/// before (clap refused it).
/// `--write` applies the suggestions in memory and checks them first: when
/// the knowledge would not load with them (a chain that starts with a name
/// nobody knows gives a model no family), nothing is written, so the folder
/// a running bot watches never holds a catalogue it refuses.
#[test]
fn check_suggest_write_writes_nothing_the_knowledge_would_refuse() {
    let tmp = tempfile::tempdir().unwrap();
    crate::reload::copy_knowledge(tmp.path());
    let notes = tmp.path().join("notes.md");
    let mut text = std::fs::read_to_string(&notes).unwrap();
    text.push_str(
        "\n### Another lineage\n\n\
         > * **文心一言**（百度）--->[**ERNIE-Bot**]（SFT）--->[**ERNIE-Bot-4**]（RLHF）\n",
    );
    std::fs::write(&notes, text).unwrap();
    let files = ["models.toml", "capabilities.toml", "terms.toml"];
    let read = || files.map(|f| std::fs::read(tmp.path().join(f)).unwrap());
    let before = read();
    let out = bin()
        .arg("--knowledge")
        .arg(tmp.path())
        .args(["check", "--suggest", "--write"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing written"), "{stderr}");
    assert!(read() == before, "the catalogue is as it was");
}

#[test]
fn check_suggest_writes_what_the_notes_say_and_check_passes() {
    let tmp = tempfile::tempdir().unwrap();
    crate::reload::copy_knowledge(tmp.path());
    let notes = tmp.path().join("notes.md");
    let mut text = std::fs::read_to_string(&notes).unwrap();
    text.push_str(
        "\n### A test section\n\n\
         > * **ChatGPT**（对话）--->[**Model-Q**]（RLHF）--->[**Model-R**]（蒸馏）\n\
         > * **Model-Q**：复杂推理能力增强，世界知识增强\n",
    );
    std::fs::write(&notes, text).unwrap();
    let check = |args: &[&str]| {
        bin()
            .arg("--knowledge")
            .arg(tmp.path())
            .arg("check")
            .args(args)
            .output()
            .expect("runs")
    };
    let printed = check(&["--suggest"]);
    let stdout = String::from_utf8_lossy(&printed.stdout);
    assert!(
        printed.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    assert!(stdout.contains("[[model]]\nid = \"model-q\""), "{stdout}");
    assert!(
        stdout.contains("{ model = \"model-q\", status = \"improved\", evidence = \"Model-Q：复杂推理能力增强，世界知识增强\" }"),
        "{stdout}"
    );
    let before = std::fs::read_to_string(tmp.path().join("models.toml")).unwrap();
    assert!(
        !before.contains("model-q"),
        "--suggest alone writes nothing"
    );

    let written = check(&["--suggest", "--write"]);
    let stdout = String::from_utf8_lossy(&written.stdout);
    assert!(
        written.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&written.stderr)
    );
    assert!(stdout.contains("knowledge ok: 11 models"), "{stdout}");
    assert!(check(&[]).status.success());
    let again = check(&["--suggest"]);
    assert!(
        String::from_utf8_lossy(&again.stdout).starts_with("No suggestions"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}
