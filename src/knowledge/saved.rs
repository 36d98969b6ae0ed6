//! What the notes files came to (passages, answer units, headings, tables,
//! the chain line, and where the evidence quotes and model summaries were
//! found), saved beside the persisted index so that a start reads no
//! Markdown for files unchanged since (each file's stamp: size, times,
//! inode, with its text's hash), parses none whose text is unchanged, and
//! looks for quotes and summaries only in the files that changed: [`load`]
//! gives a knowledge holding only passages and units, which
//! [`super::parse_after`] takes as the load before (everything else is
//! validated again, so the result is a parse from scratch's).
//!
//! The layout is rkyv's (already built for the zh-TW converter): the
//! [`Saved`] mirror below borrows the knowledge as it is written, and a
//! start maps the file and reads the archive where it lies, checked by
//! rkyv's validation (every offset and length inside the file, every text
//! UTF-8), copying out only what the knowledge keeps. The file names the executable
//! that wrote it and ends with a CRC-32 of the rest: any other binary's
//! file, or one cut short or damaged, is ignored and the notes are parsed.
//! Shared heading lists, contexts and paths are written once, by number.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use rkyv::rancor;
use rkyv::with::{InlineAsBox, Map};
use rkyv::{Archive, Serialize};

use crate::domain::{
    Excerpt, Knowledge, Lineage, NameIndex, Passage, PassageId, PassageKind, Source, Unit, UnitId,
    UnitKind,
};

use super::build::{Found, NoteFile, Notes};
use super::chain::{Chain, ChainName, Stage};
use super::markdown::{Row, Table};
use super::read::Stamp;

/// The file's name in the index directory.
pub const FILE: &str = "lineage-bot.notes";

const MAGIC: &[u8; 16] = b"lineage-bot/nts4";
/// The magic, the writer's identity and padding: the archive after it
/// starts 16-aligned, as rkyv reads it.
const HEADER: usize = 32;

/// Which binary wrote the file: a parse made by other code is not reused.
fn writer_id() -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta.modified().ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (env!("CARGO_PKG_VERSION"), meta.len(), modified).hash(&mut h);
    Some(h.finish())
}

// ---------------------------------------------------------------- the layout

/// The saved notes: borrowed from the knowledge when written, read in place.
#[derive(Archive, Serialize)]
struct Saved<'a> {
    #[rkyv(with = Map<InlineAsBox>)]
    paths: Vec<&'a str>,
    /// Heading lists and contexts, each once.
    #[rkyv(with = Map<InlineAsBox>)]
    lists: Vec<&'a [String]>,
    passages: Vec<SavedPassage<'a>>,
    units: Vec<SavedUnit<'a>>,
    files: Vec<SavedFile<'a>>,
    quotes: Vec<SavedQuote<'a>>,
    summaries: Vec<SavedSummary<'a>>,
}

#[derive(Archive, Serialize)]
struct SavedPassage<'a> {
    kind: u8,
    #[rkyv(with = InlineAsBox)]
    text: &'a str,
    headings: u32,
    file: u32,
    line: u32,
    #[rkyv(with = InlineAsBox)]
    lines: &'a [(usize, usize)],
}

#[derive(Archive, Serialize)]
struct SavedUnit<'a> {
    kind: u8,
    passage: u32,
    /// Its text when it is not `start..end` of its passage's.
    #[rkyv(with = Map<InlineAsBox>)]
    own: Option<&'a str>,
    start: u32,
    end: u32,
    context: u32,
    file: u32,
    line: u32,
    #[rkyv(with = InlineAsBox)]
    lines: &'a [(usize, usize)],
}

#[derive(Archive, Serialize)]
struct SavedFile<'a> {
    path: u32,
    hash: u64,
    /// Size, modified, changed, inode.
    stamp: Option<(u64, i64, i64, u64)>,
    passages: (u32, u32),
    units: (u32, u32),
    headings: Vec<SavedHeading<'a>>,
    tables: Vec<SavedTable<'a>>,
    chain: Option<SavedChain<'a>>,
}

#[derive(Archive, Serialize)]
struct SavedHeading<'a> {
    #[rkyv(with = InlineAsBox)]
    text: &'a str,
    file: u32,
    line: u32,
}

#[derive(Archive, Serialize)]
struct SavedTable<'a> {
    #[rkyv(with = InlineAsBox)]
    header: &'a [String],
    rows: Vec<SavedRow<'a>>,
    line: u32,
    headings: u32,
}

#[derive(Archive, Serialize)]
struct SavedRow<'a> {
    #[rkyv(with = InlineAsBox)]
    cells: &'a [String],
    line: u32,
}

#[derive(Archive, Serialize)]
struct SavedChain<'a> {
    line: u32,
    stages: Vec<SavedStage<'a>>,
}

#[derive(Archive, Serialize)]
struct SavedStage<'a> {
    #[rkyv(with = Map<InlineAsBox>)]
    label: Option<&'a str>,
    names: Vec<SavedName<'a>>,
}

#[derive(Archive, Serialize)]
struct SavedName<'a> {
    #[rkyv(with = InlineAsBox)]
    name: &'a str,
    #[rkyv(with = Map<InlineAsBox>)]
    parameters: Option<&'a str>,
}

#[derive(Archive, Serialize)]
struct SavedQuote<'a> {
    #[rkyv(with = InlineAsBox)]
    quote: &'a str,
    passage: u32,
}

#[derive(Archive, Serialize)]
struct SavedSummary<'a> {
    #[rkyv(with = InlineAsBox)]
    slug: &'a str,
    #[rkyv(with = InlineAsBox)]
    names: &'a [String],
    passage: Option<u32>,
}

// ---------------------------------------------------------------- writing

/// Writes `k`'s passages and units and `notes` to `path` (through a
/// temporary file, renamed: a start cut short leaves the old file or none,
/// and a failed write leaves no temporary file behind).
pub fn save(path: &Path, k: &Knowledge, notes: &Notes) -> io::Result<()> {
    let id = writer_id().ok_or_else(|| io::Error::other("the executable's identity is unknown"))?;
    // A name of its own: two writers never write into one temporary file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("notes.{}.{n}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|f| {
            let f = write(BufWriter::new(f), id, k, notes)?;
            f.into_inner().map_err(|e| e.into_error())?.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The whole file into `w`: header, archive, check sum.
fn write<W: Write>(w: W, id: u64, k: &Knowledge, notes: &Notes) -> io::Result<W> {
    let mut out = Summed {
        w,
        sum: crc32fast::Hasher::new(),
    };
    let mut header = [0; HEADER];
    header[..16].copy_from_slice(MAGIC);
    header[16..24].copy_from_slice(&id.to_le_bytes());
    out.write_all(&header)?;
    let saved = layout(k, notes)?;
    let writer = rkyv::ser::writer::IoWriter::new(out);
    let mut out = rkyv::api::high::to_bytes_in::<_, rancor::Error>(&saved, writer)
        .map_err(io::Error::other)?
        .into_inner();
    let sum = out.sum.clone().finalize();
    out.w.write_all(&sum.to_le_bytes())?;
    Ok(out.w)
}

/// Sums what is written through it.
struct Summed<W: Write> {
    w: W,
    sum: crc32fast::Hasher,
}

impl<W: Write> Write for Summed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.w.write(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

fn count(n: usize) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| io::Error::other("a count over 2^32"))
}

/// Numbers shared paths and lists by address, each kept once.
#[derive(Default)]
struct Shared<'a> {
    paths: Vec<&'a str>,
    path_numbers: HashMap<&'a str, u32>,
    lists: Vec<&'a [String]>,
    list_numbers: HashMap<(usize, usize), u32>,
}

impl<'a> Shared<'a> {
    fn path(&mut self, p: &'a str) -> u32 {
        *self.path_numbers.entry(p).or_insert_with(|| {
            self.paths.push(p);
            self.paths.len() as u32 - 1
        })
    }
    fn list(&mut self, l: &'a [String]) -> u32 {
        *self
            .list_numbers
            .entry((l.as_ptr() as usize, l.len()))
            .or_insert_with(|| {
                self.lists.push(l);
                self.lists.len() as u32 - 1
            })
    }
}

/// What is written, borrowed from `k` and `notes`.
fn layout<'a>(k: &'a Knowledge, notes: &'a Notes) -> io::Result<Saved<'a>> {
    let mut s = Shared::default();
    let passages = k
        .passages
        .iter()
        .map(|p| {
            Ok(SavedPassage {
                kind: p.kind as u8,
                text: &p.text,
                headings: s.list(&p.headings),
                file: s.path(&p.source.file),
                line: count(p.source.line)?,
                lines: &p.lines,
            })
        })
        .collect::<io::Result<_>>()?;
    let units = k
        .units
        .iter()
        .map(|u| {
            let part = u.text.range_in(&k.passage(u.passage).text);
            Ok(SavedUnit {
                kind: u.kind as u8,
                passage: count(u.passage.index())?,
                own: part.is_none().then_some(&*u.text),
                start: part.map_or(0, |p| p.0),
                end: part.map_or(0, |p| p.1),
                context: s.list(&u.context),
                file: s.path(&u.source.file),
                line: count(u.source.line)?,
                lines: &u.lines,
            })
        })
        .collect::<io::Result<_>>()?;
    let mut files = Vec::with_capacity(notes.files.len());
    for f in &notes.files {
        let headings = f
            .headings
            .iter()
            .map(|(text, source)| {
                Ok(SavedHeading {
                    text,
                    file: s.path(&source.file),
                    line: count(source.line)?,
                })
            })
            .collect::<io::Result<_>>()?;
        let tables = f
            .tables
            .iter()
            .map(|t| {
                Ok(SavedTable {
                    header: &t.header,
                    rows: t
                        .rows
                        .iter()
                        .map(|r| {
                            Ok(SavedRow {
                                cells: &r.cells,
                                line: count(r.line)?,
                            })
                        })
                        .collect::<io::Result<_>>()?,
                    line: count(t.line)?,
                    headings: s.list(&t.headings),
                })
            })
            .collect::<io::Result<_>>()?;
        let chain = match &f.chain {
            None => None,
            Some(c) => Some(SavedChain {
                line: count(c.line)?,
                stages: c
                    .stages
                    .iter()
                    .map(|stage| SavedStage {
                        label: stage.label.as_deref(),
                        names: stage
                            .names
                            .iter()
                            .map(|n| SavedName {
                                name: &n.name,
                                parameters: n.parameters.as_deref(),
                            })
                            .collect(),
                    })
                    .collect(),
            }),
        };
        files.push(SavedFile {
            path: s.path(&f.path),
            hash: f.hash,
            stamp: f.stamp.map(|s| (s.len, s.modified, s.changed, s.inode)),
            passages: (count(f.passages.start)?, count(f.passages.end)?),
            units: (count(f.units.start)?, count(f.units.end)?),
            headings,
            tables,
            chain,
        });
    }
    let quotes = notes
        .found
        .quotes
        .iter()
        .map(|(quote, at)| SavedQuote {
            quote,
            passage: at.0,
        })
        .collect();
    let summaries = notes
        .found
        .summaries
        .iter()
        .map(|(slug, names, at)| SavedSummary {
            slug,
            names,
            passage: at.map(|p| p.0),
        })
        .collect();
    Ok(Saved {
        paths: s.paths,
        lists: s.lists,
        passages,
        units,
        files,
        quotes,
        summaries,
    })
}

// ---------------------------------------------------------------- reading

/// What [`save`] wrote at `path`, if this binary wrote it and it is whole.
pub fn load(path: &Path) -> Option<(Knowledge, Notes)> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the map is read only while this function runs, and the file
    // is never written in place (a save writes a new file and renames it
    // over this one, which leaves this mapping's pages as they were). What
    // it holds is checked below before anything is believed.
    let bytes = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    read_file(&bytes)
}

/// The file's bytes, checked: magic, writer, check sum, archive. A map is
/// page-aligned, so the archive after the header is 16-aligned as rkyv
/// wants it.
fn read_file(bytes: &[u8]) -> Option<(Knowledge, Notes)> {
    let body = bytes.len().checked_sub(4)?;
    let (header, sum) = (bytes.get(..HEADER)?, &bytes[body..]);
    if &header[..16] != MAGIC || header[16..24] != writer_id()?.to_le_bytes() {
        return None;
    }
    // The check sum first: a changed letter of a passage is still a valid
    // archive, and would be served.
    if u32::from_le_bytes(sum.try_into().ok()?) != crc32fast::hash(&bytes[..body]) {
        return None;
    }
    read(bytes.get(HEADER..body)?)
}

/// The knowledge and notes an archive holds, if rkyv finds it sound and
/// every number in it names a passage, list or path it holds.
fn read(archive: &[u8]) -> Option<(Knowledge, Notes)> {
    let saved = rkyv::access::<ArchivedSaved, rancor::Error>(archive).ok()?;
    let paths: Vec<Arc<str>> = saved.paths.iter().map(|p| Arc::from(&**p)).collect();
    let lists: Vec<Arc<[String]>> = saved
        .lists
        .iter()
        .map(|l| l.iter().map(|s| s.as_str().to_owned()).collect())
        .collect();
    let source = |file: &rkyv::Archived<u32>, line: &rkyv::Archived<u32>| {
        Some(Source {
            file: paths.get(file.to_native() as usize)?.clone(),
            line: line.to_native() as usize,
        })
    };
    let list = |n: &rkyv::Archived<u32>| lists.get(n.to_native() as usize).cloned();
    let line_map = |l: &[rkyv::Archived<(usize, usize)>], first: usize| {
        let l = l
            .iter()
            .map(|p| (p.0.to_native() as usize, p.1.to_native() as usize));
        crate::domain::line_map(l.collect(), first)
    };
    let mut passages = Vec::with_capacity(saved.passages.len());
    for (i, p) in saved.passages.iter().enumerate() {
        let kind = match p.kind {
            0 => PassageKind::Paragraph,
            1 => PassageKind::ListItem,
            2 => PassageKind::TableRow,
            _ => return None,
        };
        let source = source(&p.file, &p.line)?;
        passages.push(Passage {
            id: PassageId(i as u32),
            kind,
            text: Arc::from(&*p.text),
            headings: list(&p.headings)?,
            lines: line_map(&p.lines, source.line),
            source,
        });
    }
    let mut units = Vec::with_capacity(saved.units.len());
    for (i, u) in saved.units.iter().enumerate() {
        let kind = match u.kind {
            0 => UnitKind::Item,
            1 => UnitKind::Sentence,
            2 => UnitKind::Section,
            _ => return None,
        };
        let passage: &Passage = passages.get(u.passage.to_native() as usize)?;
        let text = match u.own.as_ref() {
            None => {
                let part = u.start.to_native() as usize..u.end.to_native() as usize;
                Excerpt::of(&passage.text, passage.text.get(part)?)
            }
            Some(own) => Excerpt::from(own.to_string()),
        };
        let source = source(&u.file, &u.line)?;
        units.push(Unit {
            id: UnitId(i as u32),
            kind,
            passage: passage.id,
            text,
            context: list(&u.context)?,
            lines: line_map(&u.lines, source.line),
            source,
        });
    }
    let strings = |l: &[rkyv::Archived<String>]| l.iter().map(|s| s.as_str().to_owned()).collect();
    let mut files: Vec<NoteFile> = Vec::with_capacity(saved.files.len());
    for f in saved.files.iter() {
        let path = paths.get(f.path.to_native() as usize)?.clone();
        let range =
            |r: &rkyv::Archived<(u32, u32)>| r.0.to_native() as usize..r.1.to_native() as usize;
        let (passages_of, units_of) = (range(&f.passages), range(&f.units));
        let headings = f
            .headings
            .iter()
            .map(|h| Some((h.text.to_string(), source(&h.file, &h.line)?)))
            .collect::<Option<_>>()?;
        let tables = f
            .tables
            .iter()
            .map(|t| {
                Some(Table {
                    header: strings(&t.header),
                    rows: t
                        .rows
                        .iter()
                        .map(|r| Row {
                            cells: strings(&r.cells),
                            line: r.line.to_native() as usize,
                        })
                        .collect(),
                    line: t.line.to_native() as usize,
                    headings: list(&t.headings)?,
                })
            })
            .collect::<Option<_>>()?;
        let chain = f.chain.as_ref().map(|c| Chain {
            line: c.line.to_native() as usize,
            stages: c
                .stages
                .iter()
                .map(|s| Stage {
                    label: s.label.as_ref().map(|l| l.to_string()),
                    names: s
                        .names
                        .iter()
                        .map(|n| ChainName {
                            name: n.name.to_string(),
                            parameters: n.parameters.as_ref().map(|p| p.to_string()),
                        })
                        .collect(),
                })
                .collect(),
        });
        // The files tile the passages and the units in order, and a file's
        // units lie in its own passages: what the reuse takes for granted.
        let (p_at, u_at) = files
            .last()
            .map_or((0, 0), |f| (f.passages.end, f.units.end));
        let whole = passages_of.start == p_at
            && passages_of.start <= passages_of.end
            && passages_of.end <= passages.len()
            && units_of.start == u_at
            && units_of.start <= units_of.end
            && units_of.end <= units.len()
            && passages[passages_of.clone()]
                .iter()
                .all(|p| p.source.file == path)
            && units[units_of.clone()]
                .iter()
                .all(|u| passages_of.contains(&u.passage.index()));
        if !whole {
            return None;
        }
        files.push(NoteFile {
            path,
            hash: f.hash.to_native(),
            stamp: f.stamp.as_ref().map(|s| Stamp {
                len: s.0.to_native(),
                modified: s.1.to_native(),
                changed: s.2.to_native(),
                inode: s.3.to_native(),
            }),
            passages: passages_of,
            units: units_of,
            headings,
            tables,
            chain,
            parsed: false,
            from: None,
        });
    }
    let tiled = files
        .last()
        .map_or((0, 0), |f| (f.passages.end, f.units.end))
        == (passages.len(), units.len());
    // Places are passages of this file.
    let passage = |at: u32| ((at as usize) < passages.len()).then_some(PassageId(at));
    let quotes = saved
        .quotes
        .iter()
        .map(|q| Some((q.quote.to_string(), passage(q.passage.to_native())?)))
        .collect::<Option<_>>()?;
    let summaries = saved
        .summaries
        .iter()
        .map(|s| {
            let at = match s.passage.as_ref() {
                None => None,
                Some(p) => Some(passage(p.to_native())?),
            };
            Some((s.slug.to_string(), strings(&s.names), at))
        })
        .collect::<Option<_>>()?;
    let found = Found { quotes, summaries };
    tiled.then(|| {
        let k = Knowledge {
            models: Vec::new(),
            families: Vec::new(),
            lineage: Lineage::default(),
            terms: Vec::new(),
            passages,
            units,
            comparisons: Vec::new(),
            capabilities: Vec::new(),
            names: NameIndex::default(),
            synonyms: Vec::new(),
            chain_at: None,
        };
        (k, Notes { files, found })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> (Knowledge, Notes) {
        let s = super::super::read_dir(Path::new("knowledge")).unwrap();
        super::super::parse_reusing(s, None, &super::super::Progress::default()).unwrap()
    }

    /// The archive alone, without the header and check sum.
    fn encoded(k: &Knowledge, n: &Notes) -> Vec<u8> {
        let file = write(Vec::new(), 0, k, n).unwrap();
        file[HEADER..file.len() - 4].to_vec()
    }

    /// What [`read`] makes of `bytes`, placed as [`load`] places them.
    fn decoded(bytes: &[u8]) -> Option<(Knowledge, Notes)> {
        let mut aligned = rkyv::util::AlignedVec::<16>::new();
        aligned.extend_from_slice(bytes);
        read(&aligned)
    }

    #[test]
    fn what_is_saved_reads_back_the_same_and_shared() {
        let (k, mut n) = bundled();
        // (A file without a stamp, read in memory, is saved by the tests below.)
        n.files[0].stamp = Some(Stamp {
            len: 1 << 40,
            modified: -1,
            changed: i64::MAX,
            inode: u64::MAX,
        });
        let (k2, n2) = decoded(&encoded(&k, &n)).expect("reads back");
        assert_eq!(format!("{:?}", k.passages), format!("{:?}", k2.passages));
        assert_eq!(format!("{:?}", k.units), format!("{:?}", k2.units));
        let files = |n: &Notes| {
            let parts = |f: &NoteFile| {
                let kept = (&f.headings, &f.tables, &f.chain);
                format!(
                    "{} {} {:?} {:?} {:?} {kept:?}",
                    f.path, f.hash, f.stamp, f.passages, f.units
                )
            };
            n.files.iter().map(parts).collect::<Vec<_>>()
        };
        assert_eq!(files(&n), files(&n2));
        assert_eq!(n.found, n2.found);
        assert!(!n2.found.quotes.is_empty() && n2.found.summaries.iter().any(|s| s.2.is_some()));
        assert!(n2.files.iter().all(|f| !f.parsed));
        // Shared as they were: passages under one heading share its list,
        // units cut from a passage's text share that text.
        let shared = |k: &Knowledge| {
            let lists: std::collections::HashSet<_> =
                k.passages.iter().map(|p| p.headings.as_ptr()).collect();
            let parts = k
                .units
                .iter()
                .filter(|u| u.text.range_in(&k.passage(u.passage).text).is_some())
                .count();
            (lists.len(), parts)
        };
        assert_eq!(shared(&k), shared(&k2));
        assert!(shared(&k2).0 < k2.passages.len());
        assert!(shared(&k2).1 > 0);
    }

    /// A saved place that no longer holds its quote or summary is not
    /// believed: the notes are searched as if nothing had been saved.
    #[test]
    fn saved_places_that_do_not_hold_what_they_name_are_looked_up_again() {
        let (k, n) = bundled();
        let evidence = |k: &Knowledge| {
            let e: Vec<_> = k
                .capabilities
                .iter()
                .flat_map(|c| &c.statuses)
                .flat_map(|s| &s.evidence)
                .map(|e| (e.quote.clone(), e.passage, e.source.clone()))
                .collect();
            let s: Vec<_> = k.models.iter().map(|m| m.summary_source).collect();
            (e, s)
        };
        let (k2, mut n2) = decoded(&encoded(&k, &n)).unwrap();
        // Every place moved to a passage that holds none of them.
        let elsewhere = k
            .passages
            .iter()
            .find(|p| {
                let text = super::super::capabilities::plain(&p.text);
                n.found
                    .quotes
                    .iter()
                    .all(|(q, _)| !text.contains(q.as_str()))
                    && n.found.summaries.iter().all(|(_, names, at)| {
                        *at != Some(p.id)
                            && names
                                .iter()
                                .all(|m| !text.to_lowercase().starts_with(m.as_str()))
                    })
            })
            .unwrap()
            .id;
        for (_, at) in &mut n2.found.quotes {
            *at = elsewhere;
        }
        for (_, _, at) in &mut n2.found.summaries {
            *at = at.map(|_| elsewhere);
        }
        let s = super::super::read_dir(Path::new("knowledge")).unwrap();
        let (again, _) =
            super::super::parse_after(s, (k2, n2), &super::super::Progress::default()).unwrap();
        assert_eq!(evidence(&k), evidence(&again));
    }

    #[test]
    fn a_file_cut_short_or_damaged_reads_as_nothing_and_never_panics() {
        let (k, n) = bundled();
        let bytes = encoded(&k, &n);
        for cut in (0..bytes.len()).step_by(97) {
            assert!(decoded(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decoded(&longer).is_none());
        // Flipped bytes: either refused or read as some knowledge, never a
        // panic (a count, a kind, a range or a number out of bounds).
        for at in (0..bytes.len()).step_by(31) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0xA5;
            let _ = decoded(&damaged);
        }
    }

    #[test]
    fn a_file_from_another_binary_or_damaged_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let (k, n) = bundled();
        save(&path, &k, &n).unwrap();
        assert!(load(&path).is_some());
        // Saving where a folder stands fails and leaves nothing behind.
        let taken = dir.path().join("taken");
        std::fs::create_dir(&taken).unwrap();
        assert!(save(&taken, &k, &n).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        let good = std::fs::read(&path).unwrap();
        let mut bytes = good.clone();
        bytes[16] ^= 1; // the writer's identity
        std::fs::write(&path, &bytes).unwrap();
        assert!(load(&path).is_none());
        // One letter of a passage changed: the check sum refuses it (the
        // notes' own hash would not, and the passage would be served).
        let at = good.windows(3).position(|w| w == "GPT".as_bytes()).unwrap();
        let mut bytes = good.clone();
        bytes[at] = b'Q';
        std::fs::write(&path, &bytes).unwrap();
        assert!(load(&path).is_none());
        std::fs::write(&path, &good).unwrap();
        assert!(load(&path).is_some());
    }
}
