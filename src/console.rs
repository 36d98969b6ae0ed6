//! The local console and `ask`: the same messages the bot sends, printed for
//! a terminal (colours when it is one).

use std::io::{BufRead, Write};

use crate::engine::request::{parse_line, usage};
use crate::engine::{Command, Locale, Request};
use crate::render::Message;
use crate::respond::Responder;

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// A message as terminal text.
pub fn to_text(m: &Message, colour: bool) -> String {
    let (b, d, c, r) = if colour {
        (BOLD, DIM, CYAN, RESET)
    } else {
        ("", "", "", "")
    };
    let mut out = String::new();
    if !m.content.is_empty() {
        out.push_str(&plain(&m.content, colour));
        out.push('\n');
    }
    for e in &m.embeds {
        if let Some(t) = &e.title {
            out.push_str(&format!("{c}{b}━━ {} ━━{r}\n", plain(t, false)));
        }
        if let Some(desc) = &e.description {
            out.push_str(&plain(desc, colour));
            out.push('\n');
        }
        for f in &e.fields {
            out.push_str(&format!("\n{b}▸ {}{r}\n", plain(&f.name, false)));
            for line in plain(&f.value, colour).lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        if let Some(img) = &e.image {
            out.push_str(&format!("\n{d}[image: {}]{r}\n", img.url));
        }
        if let Some(f) = &e.footer {
            out.push_str(&format!("\n{d}{}{r}\n", plain(&f.text, false)));
        }
    }
    let buttons: Vec<String> = m
        .components
        .iter()
        .flat_map(|row| row.components.iter().map(|b| format!("[{}]", b.label)))
        .collect();
    if !buttons.is_empty() {
        out.push_str(&format!("{d}{}{r}\n", buttons.join(" ")));
    }
    out
}

/// Discord Markdown for a terminal: `**bold**` as bold (or plain), escapes undone.
fn plain(s: &str, colour: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut bold = false;
    while let Some(ch) = chars.next() {
        match ch {
            '\\' if chars.peek().is_some_and(|n| n.is_ascii_punctuation()) => {
                out.push(chars.next().expect("peeked"));
            }
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                bold = !bold;
                if colour {
                    out.push_str(if bold { BOLD } else { RESET });
                }
            }
            '\u{200b}' => {}
            _ => out.push(ch),
        }
    }
    if bold && colour {
        out.push_str(RESET);
    }
    out
}

/// One console line: a slash command, or free text searched as in a channel.
pub fn request_for_line(line: &str, locale: Locale) -> Result<Request, String> {
    let line = line.trim();
    if line.starts_with('/') {
        parse_line(line)
            .map(|c| Request::new(c, locale))
            .map_err(|e| format!("{e}\n{}", usage()))
    } else {
        Ok(Request::new(Command::search(line, 0), locale))
    }
}

/// Where the console puts the pictures it draws: one folder per session,
/// made at the first picture by `tempfile` in the system's temp folder with
/// a random name and mode 0700 (pictures 0600), so no other local user can
/// predict, read or plant anything in it. Files are created with `create_new` (`O_EXCL`):
/// an existing file or link is never written through. The folder is kept
/// when the session ends, since the paths printed are for opening afterwards
/// too; the system's temp cleaning reclaims it.
#[derive(Default)]
struct Pictures {
    dir: Option<std::path::PathBuf>,
}

impl Pictures {
    fn save(&mut self, filename: &str, bytes: &[u8]) -> std::io::Result<std::path::PathBuf> {
        // A picture name is ours (`lineage-<slug>.png`); anything that could
        // leave the folder is refused rather than joined.
        let name = std::path::Path::new(filename);
        if name.components().count() != 1
            || !matches!(
                name.components().next(),
                Some(std::path::Component::Normal(_))
            )
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a plain file name",
            ));
        }
        let dir = match &self.dir {
            Some(dir) => dir.clone(),
            None => {
                let mut builder = tempfile::Builder::new();
                builder.prefix("lineage-bot-");
                // tempfile leaves the mode to the umask (often 0755).
                #[cfg(unix)]
                builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
                let made = builder.tempdir()?.keep();
                self.dir = Some(made.clone());
                made
            }
        };
        let path = dir.join(name);
        let create = || {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&path)
        };
        let mut file = match create() {
            // Drawn before in this session (the notes may have changed
            // since): only this session writes in the folder, so the old
            // file is ours to replace.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&path)?;
                create()?
            }
            r => r?,
        };
        file.write_all(bytes)?;
        Ok(path)
    }
}

/// The interactive console: reads lines until end of input or `quit`.
pub fn serve(
    responder: &Responder,
    locale: Locale,
    input: impl BufRead,
    mut out: impl Write,
    interactive: bool,
    colour: bool,
) -> std::io::Result<()> {
    let mut pictures = Pictures::default();
    if interactive {
        write!(out, "lineage-bot> ")?;
        out.flush()?;
    }
    for line in input.lines() {
        let line = line?;
        let t = line.trim();
        if matches!(t, "quit" | "exit" | "/quit" | "/exit") {
            break;
        }
        if !t.is_empty() {
            match request_for_line(t, locale) {
                Ok(req) => {
                    // Questions are recorded for the curator (when the
                    // responder records); commands are not.
                    let (mut message, _) = responder.answer_asked(&req, None);
                    write!(out, "{}", to_text(&message, colour))?;
                    // Pictures go to a file the terminal can open.
                    for f in responder.files(&mut message) {
                        match pictures.save(&f.filename, &f.bytes) {
                            Ok(path) => writeln!(out, "picture: {}", path.display())?,
                            Err(e) => writeln!(out, "picture {} not saved: {e}", f.filename)?,
                        }
                    }
                }
                Err(e) => writeln!(out, "{e}")?,
            }
            writeln!(out)?;
        }
        if interactive {
            write!(out, "lineage-bot> ")?;
            out.flush()?;
        }
    }
    Ok(())
}
