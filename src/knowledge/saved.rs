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
//! The layout is rkyv's (already built for the zh-TW converter): one
//! archive per notes file ([`SavedFile`], a mirror that borrows the
//! knowledge as it is written), then one for the places found. A start
//! reads them one at a time into one buffer, each checked by rkyv's
//! validation (every offset and length inside the archive, every text
//! UTF-8) and copied out into the knowledge: a whole-file archive, mapped,
//! held 121 MB of pages beside the knowledge being made at 10 000× and
//! raised the start's peak by as much. The file names the executable that
//! wrote it and ends with a CRC-32 of the rest: any other binary's file,
//! or one cut short or damaged, is ignored and the notes are parsed.

use std::collections::HashMap;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;

use rkyv::rancor;
use rkyv::util::AlignedVec;
use rkyv::with::{InlineAsBox, Map};
use rkyv::{Archive, Archived, Serialize};

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

const MAGIC: &[u8; 16] = b"lineage-bot/nts5";
/// The magic, the writer's identity, how many notes files follow and how
/// many passages and units they hold.
const HEADER: usize = 48;

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

/// One notes file as the last load left it; its passages and units are
/// numbered from its first (the files tile the knowledge's in order).
#[derive(Archive, Serialize)]
struct SavedFile<'a> {
    #[rkyv(with = InlineAsBox)]
    path: &'a str,
    hash: u64,
    /// Size, modified, changed, inode.
    stamp: Option<(u64, i64, i64, u64)>,
    /// Its heading lists and contexts, each once.
    #[rkyv(with = Map<InlineAsBox>)]
    lists: Vec<&'a [String]>,
    passages: Vec<SavedPassage<'a>>,
    units: Vec<SavedUnit<'a>>,
    headings: Vec<SavedHeading<'a>>,
    tables: Vec<SavedTable<'a>>,
    chain: Option<SavedChain<'a>>,
}

#[derive(Archive, Serialize)]
struct SavedPassage<'a> {
    kind: u8,
    #[rkyv(with = InlineAsBox)]
    text: &'a str,
    headings: u32,
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
    line: u32,
    #[rkyv(with = InlineAsBox)]
    lines: &'a [(usize, usize)],
}

#[derive(Archive, Serialize)]
struct SavedHeading<'a> {
    #[rkyv(with = InlineAsBox)]
    text: &'a str,
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

/// Where the last load found the catalogues' quotes and summaries.
#[derive(Archive, Serialize)]
struct SavedFound<'a> {
    quotes: Vec<SavedQuote<'a>>,
    summaries: Vec<SavedSummary<'a>>,
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

/// The whole file into `w`: header, an archive per notes file and one for
/// the places found, each after its length, then the check sum.
fn write<W: Write>(w: W, id: u64, k: &Knowledge, notes: &Notes) -> io::Result<W> {
    let mut out = Summed {
        w,
        sum: crc32fast::Hasher::new(),
    };
    let mut header = [0; HEADER];
    header[..16].copy_from_slice(MAGIC);
    header[16..24].copy_from_slice(&id.to_le_bytes());
    let counts = [notes.files.len(), k.passages.len(), k.units.len()];
    for (i, n) in counts.into_iter().enumerate() {
        header[24 + 8 * i..32 + 8 * i].copy_from_slice(&(n as u64).to_le_bytes());
    }
    out.write_all(&header)?;
    let mut at = (0, 0);
    for f in &notes.files {
        // What the reader rebuilds the numbering from.
        if (f.passages.start, f.units.start) != at {
            return Err(io::Error::other(
                "the notes files do not tile the knowledge",
            ));
        }
        at = (f.passages.end, f.units.end);
        out.archive(&file_layout(k, f)?)?;
    }
    if at != (k.passages.len(), k.units.len()) {
        return Err(io::Error::other(
            "the notes files do not tile the knowledge",
        ));
    }
    out.archive(&found_layout(&notes.found))?;
    let sum = out.sum.clone().finalize();
    out.w.write_all(&sum.to_le_bytes())?;
    Ok(out.w)
}

/// Sums what is written through it.
struct Summed<W: Write> {
    w: W,
    sum: crc32fast::Hasher,
}

impl<W: Write> Summed<W> {
    fn archive<T>(&mut self, value: &T) -> io::Result<()>
    where
        T: for<'s> Serialize<
            rkyv::api::high::HighSerializer<
                AlignedVec,
                rkyv::ser::allocator::ArenaHandle<'s>,
                rancor::Error,
            >,
        >,
    {
        let bytes = rkyv::to_bytes::<rancor::Error>(value).map_err(io::Error::other)?;
        self.write_all(&(bytes.len() as u64).to_le_bytes())?;
        self.write_all(&bytes)
    }
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

/// Numbers a file's shared lists by address, each kept once.
#[derive(Default)]
struct Lists<'a> {
    lists: Vec<&'a [String]>,
    numbers: HashMap<(usize, usize), u32>,
}

impl<'a> Lists<'a> {
    fn number(&mut self, l: &'a [String]) -> u32 {
        *self
            .numbers
            .entry((l.as_ptr() as usize, l.len()))
            .or_insert_with(|| {
                self.lists.push(l);
                self.lists.len() as u32 - 1
            })
    }
}

/// The archive of one notes file, borrowed from `k` and `f`: everything in
/// it stands in that file.
fn file_layout<'a>(k: &'a Knowledge, f: &'a NoteFile) -> io::Result<SavedFile<'a>> {
    let mut lists = Lists::default();
    let elsewhere = || io::Error::other("a passage or heading of one file names another");
    let mine = |s: &Source| {
        if *s.file == *f.path {
            Ok(())
        } else {
            Err(elsewhere())
        }
    };
    let passages = k.passages[f.passages.clone()]
        .iter()
        .map(|p| {
            mine(&p.source)?;
            Ok(SavedPassage {
                kind: p.kind as u8,
                text: &p.text,
                headings: lists.number(&p.headings),
                line: count(p.source.line)?,
                lines: &p.lines,
            })
        })
        .collect::<io::Result<_>>()?;
    let units = k.units[f.units.clone()]
        .iter()
        .map(|u| {
            mine(&u.source)?;
            let part = u.text.range_in(&k.passage(u.passage).text);
            let passage = u.passage.index().checked_sub(f.passages.start);
            Ok(SavedUnit {
                kind: u.kind as u8,
                passage: count(passage.ok_or_else(elsewhere)?)?,
                own: part.is_none().then_some(&*u.text),
                start: part.map_or(0, |p| p.0),
                end: part.map_or(0, |p| p.1),
                context: lists.number(&u.context),
                line: count(u.source.line)?,
                lines: &u.lines,
            })
        })
        .collect::<io::Result<_>>()?;
    let headings = f
        .headings
        .iter()
        .map(|(text, source)| {
            mine(source)?;
            Ok(SavedHeading {
                text,
                line: count(source.line)?,
            })
        })
        .collect::<io::Result<_>>()?;
    let tables = f
        .tables
        .iter()
        .map(|t| {
            let rows = t.rows.iter().map(|r| {
                Ok(SavedRow {
                    cells: &r.cells,
                    line: count(r.line)?,
                })
            });
            Ok(SavedTable {
                header: &t.header,
                rows: rows.collect::<io::Result<_>>()?,
                line: count(t.line)?,
                headings: lists.number(&t.headings),
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
    Ok(SavedFile {
        path: &f.path,
        hash: f.hash,
        stamp: f.stamp.map(|s| (s.len, s.modified, s.changed, s.inode)),
        lists: lists.lists,
        passages,
        units,
        headings,
        tables,
        chain,
    })
}

fn found_layout(found: &Found) -> SavedFound<'_> {
    SavedFound {
        quotes: found
            .quotes
            .iter()
            .map(|(quote, at)| SavedQuote {
                quote,
                passage: at.0,
            })
            .collect(),
        summaries: found
            .summaries
            .iter()
            .map(|(slug, names, at)| SavedSummary {
                slug,
                names,
                passage: at.map(|p| p.0),
            })
            .collect(),
    }
}

// ---------------------------------------------------------------- reading

/// What [`save`] wrote at `path`, if this binary wrote it and it is whole.
pub fn load(path: &Path) -> Option<(Knowledge, Notes)> {
    let file = std::fs::File::open(path).ok()?;
    let limit = file.metadata().ok()?.len().checked_sub(4)?;
    let summed = Summing {
        r: file,
        sum: crc32fast::Hasher::new(),
        left: limit,
    };
    let mut input = BufReader::with_capacity(1 << 16, summed);
    let (knowledge, notes) = read(&mut input, limit, writer_id()?)?;
    // Then only the check sum: a changed letter of a passage is still a
    // valid archive, and would be served.
    let mut sum = [0; 4];
    input.read_exact(&mut sum).ok()?;
    let summed = input.get_ref();
    (summed.left == 0 && u32::from_le_bytes(sum) == summed.sum.clone().finalize())
        .then_some((knowledge, notes))
}

/// Sums the first `left` bytes read through it (all but the check sum), in
/// the large chunks the buffer above it asks for.
struct Summing<R: Read> {
    r: R,
    sum: crc32fast::Hasher,
    left: u64,
}

impl<R: Read> Read for Summing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        let summed = (n as u64).min(self.left) as usize;
        self.sum.update(&buf[..summed]);
        self.left -= summed as u64;
        Ok(n)
    }
}

/// The archives read from `r`, one at a time into one buffer, never past
/// `left` bytes (a damaged length cannot ask for more than the file holds).
struct Archives<R: Read> {
    r: R,
    left: u64,
    buffer: AlignedVec<16>,
}

impl<R: Read> Archives<R> {
    fn bytes<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.left = self.left.checked_sub(N as u64)?;
        let mut b = [0; N];
        self.r.read_exact(&mut b).ok()?;
        Some(b)
    }

    /// The next archive, checked by rkyv as a `T`.
    fn next<T>(&mut self) -> Option<&T>
    where
        T: rkyv::Portable
            + for<'v> bytecheck::CheckBytes<rkyv::api::high::HighValidator<'v, rancor::Error>>,
    {
        let len = u64::from_le_bytes(self.bytes()?);
        self.left = self.left.checked_sub(len)?;
        self.buffer.clear();
        self.buffer.resize(usize::try_from(len).ok()?, 0);
        self.r.read_exact(&mut self.buffer).ok()?;
        rkyv::access::<T, rancor::Error>(&self.buffer).ok()
    }
}

/// The knowledge and notes read from `r` (`left` bytes before the check
/// sum), if written by `writer` and every number in them names a passage,
/// list or line they hold.
fn read<R: Read>(r: R, left: u64, writer: u64) -> Option<(Knowledge, Notes)> {
    let mut input = Archives {
        r,
        left,
        buffer: AlignedVec::new(),
    };
    let header: [u8; HEADER] = input.bytes()?;
    if &header[..16] != MAGIC || header[16..24] != writer.to_le_bytes() {
        return None;
    }
    let count = |i: usize| u64::from_le_bytes(header[24 + 8 * i..32 + 8 * i].try_into().unwrap());
    let mut k = Knowledge {
        models: Vec::new(),
        families: Vec::new(),
        lineage: Lineage::default(),
        terms: Vec::new(),
        // Grown, not reserved from the counts: reserved, the start's peak
        // was 23 MB higher at 10 000× (large blocks grow by remapping).
        passages: Vec::new(),
        units: Vec::new(),
        comparisons: Vec::new(),
        capabilities: Vec::new(),
        names: NameIndex::default(),
        synonyms: Vec::new(),
        chain_at: None,
    };
    let mut files = Vec::new();
    for _ in 0..count(0) {
        let f = input.next::<ArchivedSavedFile>()?;
        files.push(read_file(f, &mut k)?);
    }
    let found = input.next::<ArchivedSavedFound>()?;
    let passage = |at: &Archived<u32>| {
        let at = at.to_native();
        ((at as usize) < k.passages.len()).then_some(PassageId(at))
    };
    let quotes = found
        .quotes
        .iter()
        .map(|q| Some((q.quote.to_string(), passage(&q.passage)?)))
        .collect::<Option<_>>()?;
    let summaries = found
        .summaries
        .iter()
        .map(|s| {
            let at = match s.passage.as_ref() {
                None => None,
                Some(p) => Some(passage(p)?),
            };
            Some((s.slug.to_string(), strings(&s.names), at))
        })
        .collect::<Option<_>>()?;
    let found = Found { quotes, summaries };
    let whole = (k.passages.len() as u64, k.units.len() as u64) == (count(1), count(2));
    (whole && input.left == 0).then_some((k, Notes { files, found }))
}

fn strings(l: &[Archived<String>]) -> Vec<String> {
    l.iter().map(|s| s.as_str().to_owned()).collect()
}

/// One notes file's passages and units appended to `k`, and the file.
fn read_file(f: &ArchivedSavedFile, k: &mut Knowledge) -> Option<NoteFile> {
    let path: Arc<str> = Arc::from(&*f.path);
    let lists: Vec<Arc<[String]>> = f.lists.iter().map(|l| strings(l).into()).collect();
    let list = |n: &Archived<u32>| lists.get(n.to_native() as usize).cloned();
    let source = |line: &Archived<u32>| Source {
        file: path.clone(),
        line: line.to_native() as usize,
    };
    let line_map = |l: &[Archived<(usize, usize)>], first: usize| {
        let l = l
            .iter()
            .map(|p| (p.0.to_native() as usize, p.1.to_native() as usize));
        crate::domain::line_map(l.collect(), first)
    };
    let first_passage = k.passages.len();
    for p in f.passages.iter() {
        let kind = match p.kind {
            0 => PassageKind::Paragraph,
            1 => PassageKind::ListItem,
            2 => PassageKind::TableRow,
            _ => return None,
        };
        let source = source(&p.line);
        k.passages.push(Passage {
            id: PassageId(u32::try_from(k.passages.len()).ok()?),
            kind,
            text: Arc::from(&*p.text),
            headings: list(&p.headings)?,
            lines: line_map(&p.lines, source.line),
            source,
        });
    }
    let first_unit = k.units.len();
    for u in f.units.iter() {
        let kind = match u.kind {
            0 => UnitKind::Item,
            1 => UnitKind::Sentence,
            2 => UnitKind::Section,
            _ => return None,
        };
        // A file's units lie in its own passages.
        let passage = &k.passages[first_passage..].get(u.passage.to_native() as usize)?;
        let text = match u.own.as_ref() {
            None => {
                let part = u.start.to_native() as usize..u.end.to_native() as usize;
                Excerpt::of(&passage.text, passage.text.get(part)?)
            }
            Some(own) => Excerpt::from(own.to_string()),
        };
        let source = source(&u.line);
        let unit = Unit {
            id: UnitId(u32::try_from(k.units.len()).ok()?),
            kind,
            passage: passage.id,
            text,
            context: list(&u.context)?,
            lines: line_map(&u.lines, source.line),
            source,
        };
        k.units.push(unit);
    }
    let headings = f
        .headings
        .iter()
        .map(|h| (h.text.to_string(), source(&h.line)))
        .collect();
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
    Some(NoteFile {
        path,
        hash: f.hash.to_native(),
        stamp: f.stamp.as_ref().map(|s| Stamp {
            len: s.0.to_native(),
            modified: s.1.to_native(),
            changed: s.2.to_native(),
            inode: s.3.to_native(),
        }),
        passages: first_passage..k.passages.len(),
        units: first_unit..k.units.len(),
        headings,
        tables,
        chain,
        parsed: false,
        from: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> (Knowledge, Notes) {
        let s = super::super::read_dir(Path::new("knowledge")).unwrap();
        super::super::parse_reusing(s, None, &super::super::Progress::default()).unwrap()
    }

    /// The file as [`save`] writes it, but for the check sum.
    fn encoded(k: &Knowledge, n: &Notes) -> Vec<u8> {
        let mut file = write(Vec::new(), 0, k, n).unwrap();
        file.truncate(file.len() - 4);
        file
    }

    /// What [`read`] makes of `bytes` (the check sum not asked).
    fn decoded(bytes: &[u8]) -> Option<(Knowledge, Notes)> {
        read(bytes, bytes.len() as u64, 0)
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
