//! How far long work has got. At 10 000× the bundled notes a first start
//! parses 63 MB of Markdown and indexes ~950 000 documents, a minute with
//! nothing to show for it. The loaders count here; the binary decides how
//! (or whether) to show the counts, so no library layer draws on a
//! terminal.

use std::sync::Arc;

/// A part of a load that grows with the notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Notes files parsed (or found unchanged and reused), of all of them.
    Parsing,
    /// Documents added to the search index, of those to add.
    Indexing,
}

/// Where a load reports `done` of `total` for a phase: from 0, strictly
/// increasing, ending at `total`, at most about [`REPORTS_PER_PHASE`]
/// times, so that reporting costs nothing measurable. The default tells
/// nobody.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Report>>);

/// What hears a report: the phase, how many are done, of how many.
type Report = dyn Fn(Phase, u64, u64) + Send + Sync;

/// Roughly how many reports a phase makes at most (plus its first and last).
pub const REPORTS_PER_PHASE: u64 = 1000;

impl Progress {
    pub fn new(report: impl Fn(Phase, u64, u64) + Send + Sync + 'static) -> Progress {
        Progress(Some(Arc::new(report)))
    }

    /// Starts counting `total` items of `phase` (reported as 0 done).
    pub fn start(&self, phase: Phase, total: u64) -> Tally<'_> {
        self.tell(phase, 0, total);
        let mut tally = Tally {
            progress: self,
            phase,
            done: 0,
            total,
            every: (total / REPORTS_PER_PHASE).max(1),
            next: 0,
        };
        tally.next = tally.after(0);
        tally
    }

    fn tell(&self, phase: Phase, done: u64, total: u64) {
        if let Some(report) = &self.0 {
            report(phase, done, total);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress"
        } else {
            "Progress(none)"
        })
    }
}

/// One phase being counted: [`Tally::add`] per item (or batch), reported
/// every `total / REPORTS_PER_PHASE` items and at the end.
pub struct Tally<'a> {
    progress: &'a Progress,
    phase: Phase,
    done: u64,
    total: u64,
    every: u64,
    /// The count reported next: one comparison per item, no more.
    next: u64,
}

impl Tally<'_> {
    pub fn add(&mut self, items: u64) {
        self.done = self.done.saturating_add(items).min(self.total);
        if self.done >= self.next {
            self.progress.tell(self.phase, self.done, self.total);
            self.next = self.after(self.done);
        }
    }

    /// The count to report after `done`: the next multiple of `every`, or
    /// the total; nothing after the total.
    fn after(&self, done: u64) -> u64 {
        if done == self.total {
            u64::MAX
        } else {
            ((done / self.every + 1) * self.every).min(self.total)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn reports(total: u64, adds: impl IntoIterator<Item = u64>) -> Vec<u64> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let into = seen.clone();
        let progress = Progress::new(move |phase, done, t| {
            assert_eq!((phase, t), (Phase::Indexing, total));
            into.lock().unwrap().push(done);
        });
        let mut tally = progress.start(Phase::Indexing, total);
        for n in adds {
            tally.add(n);
        }
        let seen = seen.lock().unwrap().clone();
        seen
    }

    #[test]
    fn a_phase_is_reported_from_nothing_to_its_total_a_bounded_number_of_times() {
        let seen = reports(950_000, std::iter::repeat_n(1, 950_000));
        assert_eq!(seen.first(), Some(&0));
        assert_eq!(seen.last(), Some(&950_000));
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "strictly increasing");
        assert!(seen.len() as u64 <= REPORTS_PER_PHASE + 2, "{}", seen.len());
        // Few items: each one.
        assert_eq!(reports(3, [1, 1, 1]), [0, 1, 2, 3]);
        // Batches, and more than the total, end at the total once.
        assert_eq!(reports(5, [2, 0, 9, 1]), [0, 2, 5]);
        assert_eq!(reports(0, [1]), [0]);
    }
}
