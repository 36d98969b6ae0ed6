//! The layering ARCHITECTURE.md describes, checked on the source: each
//! module of `src/` imports (`crate::…`) only modules of earlier layers, and
//! the heavy outside crates stay in the module that owns them. A change that
//! breaks a rule fails here, so the document stays true.

use std::path::{Path, PathBuf};

use crate::crate_path;

/// The layers in order; a module may import only modules of earlier layers.
/// Modules that share a layer (the adapters) may not import each other.
const LAYERS: &[&[&str]] = &[
    &["domain"],
    &["knowledge"],
    &["config"],
    &["search"],
    &["engine"],
    &["picture"],
    &["render"],
    &["curation"],
    &["respond"],
    &["transport", "web"],
    &["discord", "http", "console"],
];

/// Outside crates that only their owners may name (outside tests).
const OWNED: &[(&str, &[&str])] = &[
    ("serenity::", &["discord", "transport"]),
    ("reqwest::", &["transport"]),
    ("ferrous_opencc::", &["render"]),
    ("axum::", &["http"]),
    ("ed25519_dalek::", &["http"]),
    ("tantivy::", &["search"]),
    ("rusqlite::", &["curation"]),
    ("jieba_rs::", &["search"]),
    ("resvg::", &["picture"]),
    ("maud::", &["web"]),
    ("rkyv::", &["knowledge"]),
    ("tokio::", &["transport", "discord", "http"]),
    // The progress bar is the binary's: the library only counts.
    ("indicatif::", &[]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`engine` for
/// `src/engine/request.rs`); `None` for the crate roots.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The code a reader runs: comments dropped, and the tests at the end of a
/// file (`#[cfg(test)]`) left out, since tests may reach further.
fn code(text: &str) -> String {
    let body = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules a piece of code names as `crate::name`.
fn crate_imports(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let boundary = rest[..at]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        if boundary && !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        rest = after;
    }
    out
}

/// Every rule broken in `src/`, one line each.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    for file in &files {
        let Some(module) = module_of(src, file) else {
            continue;
        };
        let shown = file.strip_prefix(src).unwrap_or(file).display().to_string();
        let Some(own) = layer_of(&module) else {
            broken.push(format!(
                "src/{shown}: module `{module}` is in no layer of ARCHITECTURE.md"
            ));
            continue;
        };
        let code = code(&std::fs::read_to_string(file).expect("a readable source file"));
        for imported in crate_imports(&code) {
            if imported == module {
                continue;
            }
            match layer_of(&imported) {
                Some(l) if l < own => {}
                _ => broken.push(format!(
                    "src/{shown}: `{module}` imports `{imported}`, which is not an earlier layer"
                )),
            }
        }
        for (krate, owners) in OWNED {
            let named = code
                .match_indices(krate)
                .any(|(at, _)| !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
            if named && !owners.contains(&module.as_str()) {
                broken.push(format!(
                    "src/{shown}: `{module}` names `{krate}`, which only {owners:?} may"
                ));
            }
        }
    }
    broken
}

#[test]
fn imports_follow_the_layers() {
    let broken = violations(&crate_path("src"));
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_layer_check_catches_a_broken_rule() {
    // A copy of src/ with one import turned upside down must fail the check.
    let dir = tempfile::tempdir().unwrap();
    let engine = dir.path().join("engine");
    std::fs::create_dir_all(&engine).unwrap();
    std::fs::write(
        engine.join("mod.rs"),
        "//! doc naming crate::render is fine\nuse crate::render::Message;\nuse crate::domain::Knowledge;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("search.rs"),
        "use tantivy::Index;\n#[cfg(test)]\nmod tests { use crate::engine::Engine; }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("render.rs"), "use tantivy::Index;\n").unwrap();
    std::fs::write(dir.path().join("gadgets.rs"), "").unwrap();
    let broken = violations(dir.path());
    assert_eq!(broken.len(), 3, "{broken:#?}");
    assert!(
        broken[0].contains("engine` imports `render`"),
        "{}",
        broken[0]
    );
    assert!(
        broken[1].contains("`gadgets` is in no layer"),
        "{}",
        broken[1]
    );
    assert!(
        broken[2].contains("`render` names `tantivy::`"),
        "{}",
        broken[2]
    );
}

#[test]
fn every_source_file_says_what_it_is_for() {
    let mut files = Vec::new();
    rust_files(&crate_path("src"), &mut files);
    let undocumented: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(undocumented.is_empty(), "no module doc: {undocumented:#?}");
}
