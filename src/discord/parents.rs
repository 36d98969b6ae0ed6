//! Which channel a thread or forum post belongs to, for "is this message in
//! a search channel": read from the gateway's cache when it knows the
//! channel (GUILD_CREATE lists a guild's channels and active threads,
//! THREAD_CREATE adds threads), else once by REST and remembered.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Channels remembered at most; past this the oldest are forgotten first.
pub const KEPT: usize = 10_000;
/// A failed read is not tried again for this long: a channel the bot cannot
/// read (no permission, deleted) costs one call a minute, not one a message.
pub const RETRY_AFTER: Duration = Duration::from_secs(60);

/// What is remembered of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Its parent (a thread's channel, a channel's category), or none.
    Parent(Option<u64>),
    /// Reading it failed at this moment.
    Failed(Instant),
}

/// Each channel's parent, bounded: the oldest entries go first.
#[derive(Debug, Default)]
pub struct Parents {
    known: HashMap<u64, Known>,
    order: VecDeque<u64>,
}

impl Parents {
    /// The parent if known, `Some(None)` for a channel without one; `None`
    /// when it must be read (never read, or a failure older than
    /// [`RETRY_AFTER`]). A recent failure reads as no parent.
    pub fn get(&self, channel: u64, now: Instant) -> Option<Option<u64>> {
        match self.known.get(&channel)? {
            Known::Parent(p) => Some(*p),
            Known::Failed(at) if now.saturating_duration_since(*at) < RETRY_AFTER => Some(None),
            Known::Failed(_) => None,
        }
    }

    pub fn insert(&mut self, channel: u64, known: Known) {
        if self.known.insert(channel, known).is_none() {
            self.order.push_back(channel);
        }
        while self.known.len() > KEPT {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            self.known.remove(&old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_wait_before_they_are_read_again() {
        let mut p = Parents::default();
        let t0 = Instant::now();
        assert_eq!(p.get(1, t0), None, "never read");
        p.insert(1, Known::Failed(t0));
        assert_eq!(
            p.get(1, t0 + Duration::from_secs(5)),
            Some(None),
            "not read again yet"
        );
        assert_eq!(p.get(1, t0 + RETRY_AFTER), None, "read again");
        p.insert(1, Known::Parent(Some(7)));
        assert_eq!(p.get(1, t0), Some(Some(7)));
    }

    /// #28 point 8: full, the oldest go first; the old memory was emptied
    /// wholesale at 10 000, so every busy channel was read again at once.
    #[test]
    fn the_oldest_are_forgotten_first() {
        let mut p = Parents::default();
        let now = Instant::now();
        for c in 0..(KEPT as u64 + 10) {
            p.insert(c, Known::Parent(Some(1)));
        }
        assert_eq!(p.known.len(), KEPT);
        assert_eq!(p.get(0, now), None);
        assert_eq!(p.get(9, now), None);
        assert_eq!(p.get(10, now), Some(Some(1)));
        assert_eq!(p.get(KEPT as u64 + 9, now), Some(Some(1)));
    }
}
