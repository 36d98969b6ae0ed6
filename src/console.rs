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
        Ok(Request::new(
            Command::Search {
                query: line.to_string(),
                page: 0,
            },
            locale,
        ))
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
                    let mut message = responder.answer(&req);
                    write!(out, "{}", to_text(&message, colour))?;
                    // Pictures go to a file the terminal can open.
                    for f in responder.files(&mut message) {
                        let path = std::env::temp_dir().join("lineage-bot").join(&f.filename);
                        let saved = std::fs::create_dir_all(path.parent().unwrap_or(&path))
                            .and_then(|_| std::fs::write(&path, f.bytes.as_slice()));
                        match saved {
                            Ok(()) => writeln!(out, "picture: {}", path.display())?,
                            Err(e) => writeln!(out, "picture not saved ({}): {e}", path.display())?,
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
