//! What the notes files came to (passages, answer units, headings, tables,
//! the chain line, and where the evidence quotes and model summaries were
//! found), saved beside the persisted index so that a start reads no
//! Markdown for files unchanged since (each file's stamp: size, times,
//! inode, with its text's hash), parses none whose text is unchanged, and
//! looks for quotes and
//! summaries only in the files that changed: [`load`] gives a knowledge
//! holding only passages and units, which [`super::parse_after`] takes as
//! the load before (everything else is validated again, so the result is a
//! parse from scratch's).
//!
//! The format is this binary's own: the file names the executable it was
//! written by (its size and modification time) and ends with a CRC-32 of
//! the rest: any other binary's file, or one cut short or damaged, is
//! ignored — the notes are then parsed. Shared
//! heading lists and contexts are written once and shared again when read.

use std::collections::HashMap;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;

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

const MAGIC: &[u8; 16] = b"lineage-bot/nts3";

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

/// Writes `k`'s passages and units and `notes` to `path` (through a
/// temporary file, renamed: a start cut short leaves the old file or none,
/// and a failed write leaves no temporary file behind).
pub fn save(path: &Path, k: &Knowledge, notes: &Notes) -> io::Result<()> {
    let id = writer_id().ok_or_else(|| io::Error::other("the executable's identity is unknown"))?;
    // A name of its own: two writers never write into one temporary file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("notes.{}.{n}.tmp", std::process::id()));
    let written = write(&tmp, id, k, notes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn write(tmp: &Path, id: u64, k: &Knowledge, notes: &Notes) -> io::Result<()> {
    let mut out = Out::new(BufWriter::new(std::fs::File::create(tmp)?));
    out.bytes(MAGIC)?;
    out.u64(id)?;
    encode(&mut out, k, notes)?;
    out.w.write_all(&out.sum.finalize().to_le_bytes())?;
    out.w.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// What [`save`] wrote at `path`, if this binary wrote it and it is whole.
pub fn load(path: &Path) -> Option<(Knowledge, Notes)> {
    let file = std::fs::File::open(path).ok()?;
    let limit = file.metadata().ok()?.len().checked_sub(4)?;
    let summed = Summed {
        r: file,
        sum: crc32fast::Hasher::new(),
        left: limit,
    };
    let mut input = In::new(BufReader::with_capacity(1 << 16, summed), limit);
    if &input.array::<16>()? != MAGIC || input.u64()? != writer_id()? {
        return None;
    }
    let decoded = decode(&mut input)?;
    // Then only the check sum: other bytes mean a file not written as read here.
    let mut sum = [0; 4];
    input.r.read_exact(&mut sum).ok()?;
    let summed = input.r.get_ref();
    (input.left == 0
        && summed.left == 0
        && u32::from_le_bytes(sum) == summed.sum.clone().finalize())
    .then_some(decoded)
}

/// Sums the first `left` bytes read through it (all but the check sum),
/// in the large chunks the buffer above asks for: summing each field as
/// it is decoded took 5 % of a start.
struct Summed<R: Read> {
    r: R,
    sum: crc32fast::Hasher,
    left: u64,
}

impl<R: Read> Read for Summed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        let summed = (n as u64).min(self.left) as usize;
        self.sum.update(&buf[..summed]);
        self.left -= summed as u64;
        Ok(n)
    }
}

// ---------------------------------------------------------------- writing

struct Out<W: Write> {
    w: W,
    sum: crc32fast::Hasher,
    paths: HashMap<Arc<str>, u32>,
    /// Heading lists and contexts by address: shared ones are written once.
    lists: HashMap<(usize, usize), u32>,
}

impl<W: Write> Out<W> {
    fn new(w: W) -> Self {
        Out {
            w,
            sum: crc32fast::Hasher::new(),
            paths: HashMap::new(),
            lists: HashMap::new(),
        }
    }
    fn bytes(&mut self, b: &[u8]) -> io::Result<()> {
        self.sum.update(b);
        self.w.write_all(b)
    }
    fn u8(&mut self, v: u8) -> io::Result<()> {
        self.bytes(&[v])
    }
    fn u32(&mut self, v: usize) -> io::Result<()> {
        let v = u32::try_from(v).map_err(|_| io::Error::other("a count over 2^32"))?;
        self.bytes(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn str(&mut self, s: &str) -> io::Result<()> {
        self.u32(s.len())?;
        self.bytes(s.as_bytes())
    }
    fn strings(&mut self, v: &[String]) -> io::Result<()> {
        self.u32(v.len())?;
        v.iter().try_for_each(|s| self.str(s))
    }
    fn option(&mut self, v: &Option<String>) -> io::Result<()> {
        match v {
            None => self.u8(0),
            Some(s) => {
                self.u8(1)?;
                self.str(s)
            }
        }
    }
    /// A file path as its number, written the first time it is met.
    fn path(&mut self, p: &Arc<str>) -> io::Result<()> {
        match self.paths.get(p) {
            Some(&n) => self.u32(n as usize),
            None => {
                let n = self.paths.len();
                self.paths.insert(p.clone(), n as u32);
                self.u32(n)?;
                self.str(p)
            }
        }
    }
    /// A heading list or context as its number, written the first time.
    fn list(&mut self, l: &Arc<[String]>) -> io::Result<()> {
        let at = (l.as_ptr() as usize, l.len());
        match self.lists.get(&at) {
            Some(&n) => self.u32(n as usize),
            None => {
                let n = self.lists.len();
                self.lists.insert(at, n as u32);
                self.u32(n)?;
                self.strings(l)
            }
        }
    }
    fn source(&mut self, s: &Source) -> io::Result<()> {
        self.path(&s.file)?;
        self.u32(s.line)
    }
    fn lines(&mut self, l: &[(usize, usize)]) -> io::Result<()> {
        self.u32(l.len())?;
        l.iter().try_for_each(|&(at, line)| {
            self.u32(at)?;
            self.u32(line)
        })
    }
}

fn encode<W: Write>(out: &mut Out<W>, k: &Knowledge, notes: &Notes) -> io::Result<()> {
    out.u32(k.passages.len())?;
    for p in &k.passages {
        out.u8(p.kind as u8)?;
        out.str(&p.text)?;
        out.list(&p.headings)?;
        out.source(&p.source)?;
        out.lines(&p.lines)?;
    }
    out.u32(k.units.len())?;
    for u in &k.units {
        out.u8(u.kind as u8)?;
        out.u32(u.passage.index())?;
        match u.text.range_in(&k.passage(u.passage).text) {
            Some((start, end)) => {
                out.u8(0)?;
                out.u32(start as usize)?;
                out.u32(end as usize)?;
            }
            None => {
                out.u8(1)?;
                out.str(&u.text)?;
            }
        }
        out.list(&u.context)?;
        out.source(&u.source)?;
        out.lines(&u.lines)?;
    }
    out.u32(notes.files.len())?;
    for f in &notes.files {
        out.path(&f.path)?;
        out.u64(f.hash)?;
        match f.stamp {
            None => out.u8(0)?,
            Some(s) => {
                out.u8(1)?;
                for v in [s.len, s.modified as u64, s.changed as u64, s.inode] {
                    out.u64(v)?;
                }
            }
        }
        for r in [&f.passages, &f.units] {
            out.u32(r.start)?;
            out.u32(r.end)?;
        }
        out.u32(f.headings.len())?;
        for (text, source) in &f.headings {
            out.str(text)?;
            out.source(source)?;
        }
        out.u32(f.tables.len())?;
        for t in &f.tables {
            out.strings(&t.header)?;
            out.u32(t.rows.len())?;
            for r in &t.rows {
                out.strings(&r.cells)?;
                out.u32(r.line)?;
            }
            out.u32(t.line)?;
            out.list(&t.headings)?;
        }
        match &f.chain {
            None => out.u8(0)?,
            Some(c) => {
                out.u8(1)?;
                out.u32(c.line)?;
                out.u32(c.stages.len())?;
                for s in &c.stages {
                    out.option(&s.label)?;
                    out.u32(s.names.len())?;
                    for n in &s.names {
                        out.str(&n.name)?;
                        out.option(&n.parameters)?;
                    }
                }
            }
        }
    }
    out.u32(notes.found.quotes.len())?;
    for (quote, at) in &notes.found.quotes {
        out.str(quote)?;
        out.u32(at.index())?;
    }
    out.u32(notes.found.summaries.len())?;
    for (slug, names, at) in &notes.found.summaries {
        out.str(slug)?;
        out.strings(names)?;
        match at {
            None => out.u8(0)?,
            Some(p) => {
                out.u8(1)?;
                out.u32(p.index())?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- reading

/// A reader that never reads past the file's length, so that a damaged
/// count cannot ask for more memory than the file holds.
struct In<R: Read> {
    r: R,
    left: u64,
    /// Where [`In::text`] reads a text before it is copied out.
    scratch: Vec<u8>,
}

impl<R: Read> In<R> {
    fn new(r: R, left: u64) -> Self {
        In {
            r,
            left,
            scratch: Vec::new(),
        }
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.left = self.left.checked_sub(N as u64)?;
        let mut b = [0; N];
        self.r.read_exact(&mut b).ok()?;
        Some(b)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.array()?) as usize)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }
    /// A count of things at least `each` bytes long, checked against what
    /// is left of the file.
    fn count(&mut self, each: u64) -> Option<usize> {
        let n = self.u32()?;
        (n as u64 * each <= self.left).then_some(n)
    }
    /// A counted text, read into the scratch buffer and checked as UTF-8.
    fn text(&mut self) -> Option<&str> {
        let n = self.count(1)?;
        self.left -= n as u64;
        self.scratch.clear();
        self.scratch.resize(n, 0);
        self.r.read_exact(&mut self.scratch).ok()?;
        std::str::from_utf8(&self.scratch).ok()
    }
    fn str(&mut self) -> Option<String> {
        self.text().map(str::to_owned)
    }
    /// [`In::str`] as an `Arc<str>`, allocated once: a `String` turned
    /// into one is allocated twice and copied (400 000 passage texts).
    fn shared_str(&mut self) -> Option<Arc<str>> {
        self.text().map(Arc::from)
    }
    /// A count, then that many things read by `each` (each at least
    /// `least` bytes of the file).
    fn many<T>(
        &mut self,
        least: u64,
        mut each: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let n = self.count(least)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(each(self)?);
        }
        Some(v)
    }
    fn strings(&mut self) -> Option<Vec<String>> {
        self.many(4, Self::str)
    }
    fn option(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.str()?)),
            _ => None,
        }
    }
}

/// The paths and lists read so far, by number.
#[derive(Default)]
struct Tables {
    paths: Vec<Arc<str>>,
    lists: Vec<Arc<[String]>>,
}

impl Tables {
    fn path<R: Read>(&mut self, input: &mut In<R>) -> Option<Arc<str>> {
        let n = input.u32()?;
        if n == self.paths.len() {
            self.paths.push(input.str()?.into());
        }
        self.paths.get(n).cloned()
    }
    fn list<R: Read>(&mut self, input: &mut In<R>) -> Option<Arc<[String]>> {
        let n = input.u32()?;
        if n == self.lists.len() {
            self.lists.push(input.strings()?.into());
        }
        self.lists.get(n).cloned()
    }
    fn source<R: Read>(&mut self, input: &mut In<R>) -> Option<Source> {
        Some(Source {
            file: self.path(input)?,
            line: input.u32()?,
        })
    }
}

fn lines<R: Read>(input: &mut In<R>, first: usize) -> Option<Arc<[(usize, usize)]>> {
    let l = input.many(8, |input| Some((input.u32()?, input.u32()?)))?;
    Some(crate::domain::line_map(l, first))
}

fn decode<R: Read>(input: &mut In<R>) -> Option<(Knowledge, Notes)> {
    let mut t = Tables::default();
    // A passage or unit takes at least 21 bytes of the file.
    let n = input.count(21)?;
    let mut passages = Vec::with_capacity(n);
    for i in 0..n {
        let kind = match input.u8()? {
            0 => PassageKind::Paragraph,
            1 => PassageKind::ListItem,
            2 => PassageKind::TableRow,
            _ => return None,
        };
        let text = input.shared_str()?;
        let headings = t.list(input)?;
        let source = t.source(input)?;
        let lines = lines(input, source.line)?;
        passages.push(Passage {
            id: PassageId(i as u32),
            kind,
            text,
            headings,
            source,
            lines,
        });
    }
    let n = input.count(21)?;
    let mut units = Vec::with_capacity(n);
    for i in 0..n {
        let kind = match input.u8()? {
            0 => UnitKind::Item,
            1 => UnitKind::Sentence,
            2 => UnitKind::Section,
            _ => return None,
        };
        let passage: &Passage = passages.get(input.u32()?)?;
        let text = match input.u8()? {
            0 => {
                let (start, end) = (input.u32()?, input.u32()?);
                Excerpt::of(&passage.text, passage.text.get(start..end)?)
            }
            1 => {
                let text = input.shared_str()?;
                Excerpt::of(&text, &text)
            }
            _ => return None,
        };
        let context = t.list(input)?;
        let source = t.source(input)?;
        let lines = lines(input, source.line)?;
        units.push(Unit {
            id: UnitId(i as u32),
            kind,
            passage: passage.id,
            text,
            context,
            source,
            lines,
        });
    }
    let n = input.count(30)?;
    let mut files: Vec<NoteFile> = Vec::with_capacity(n);
    for _ in 0..n {
        let path = t.path(input)?;
        let hash = input.u64()?;
        let stamp = match input.u8()? {
            0 => None,
            1 => Some(Stamp {
                len: input.u64()?,
                modified: input.u64()? as i64,
                changed: input.u64()? as i64,
                inode: input.u64()?,
            }),
            _ => return None,
        };
        let passages_of = input.u32()?..input.u32()?;
        let units_of = input.u32()?..input.u32()?;
        let headings = input.many(8, |input| Some((input.str()?, t.source(input)?)))?;
        let tables = input.many(16, |input| {
            let header = input.strings()?;
            let rows = input.many(8, |input| {
                Some(Row {
                    cells: input.strings()?,
                    line: input.u32()?,
                })
            })?;
            Some(Table {
                header,
                rows,
                line: input.u32()?,
                headings: t.list(input)?,
            })
        })?;
        let chain = match input.u8()? {
            0 => None,
            1 => {
                let line = input.u32()?;
                let stages = input.many(5, |input| {
                    let label = input.option()?;
                    let names = input.many(5, |input| {
                        Some(ChainName {
                            name: input.str()?,
                            parameters: input.option()?,
                        })
                    })?;
                    Some(Stage { names, label })
                })?;
                Some(Chain { stages, line })
            }
            _ => return None,
        };
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
            hash,
            stamp,
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
    let passage = |input: &mut In<R>| {
        let at = input.u32()?;
        (at < passages.len()).then_some(PassageId(at as u32))
    };
    let quotes = input.many(8, |input| Some((input.str()?, passage(input)?)))?;
    let summaries = input.many(9, |input| {
        let slug = input.str()?;
        let names = input.strings()?;
        let at = match input.u8()? {
            0 => None,
            1 => Some(passage(input)?),
            _ => return None,
        };
        Some((slug, names, at))
    })?;
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

    fn encoded(k: &Knowledge, n: &Notes) -> Vec<u8> {
        let mut out = Out::new(Vec::new());
        encode(&mut out, k, n).unwrap();
        out.w
    }

    fn decoded(bytes: &[u8]) -> Option<(Knowledge, Notes)> {
        let mut input = In::new(bytes, bytes.len() as u64);
        let d = decode(&mut input)?;
        (input.left == 0).then_some(d)
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
