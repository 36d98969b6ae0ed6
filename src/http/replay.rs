//! Replay protection: a signed request stays valid for the whole signature
//! window, so whoever captures one (a logging proxy, a leaked trace) could
//! send it again and make the bot act twice. [`Seen`] remembers what was
//! accepted for as long as the signature could still pass, within a fixed
//! number of entries.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Interactions remembered at most; with Discord's snowflake ids about
/// 150 bytes each, so at most some 15 MB. Reaching it within one window means
/// more than 250 interactions a second for six minutes; the oldest are then
/// forgotten first (a replay of those would pass again, but refusing genuine
/// new interactions instead would be worse).
pub const DEFAULT_CAPACITY: usize = 100_000;

/// The keys accepted within the last `window`, oldest first.
pub struct Seen {
    window: Duration,
    capacity: usize,
    keys: HashSet<Arc<str>>,
    order: VecDeque<(Instant, Arc<str>)>,
    evicted: u64,
}

impl Seen {
    pub fn new(window: Duration, capacity: usize) -> Seen {
        Seen {
            window,
            capacity: capacity.max(1),
            keys: HashSet::new(),
            order: VecDeque::new(),
            evicted: 0,
        }
    }

    /// True the first time `key` is offered within the window (and remembers
    /// it until `now + window`); false for a replay.
    pub fn first_time(&mut self, key: &str, now: Instant) -> bool {
        while let Some((until, _)) = self.order.front() {
            if *until > now {
                break;
            }
            if let Some((_, k)) = self.order.pop_front() {
                self.keys.remove(&k);
            }
        }
        if self.keys.contains(key) {
            return false;
        }
        if self.order.len() >= self.capacity {
            if let Some((_, k)) = self.order.pop_front() {
                self.keys.remove(&k);
                self.evicted += 1;
                if self.evicted.is_power_of_two() {
                    tracing::warn!(
                        capacity = self.capacity,
                        evicted = self.evicted,
                        "the replay cache is full: forgetting the oldest interactions early"
                    );
                }
            }
        }
        let key: Arc<str> = key.into();
        self.keys.insert(key.clone());
        self.order.push_back((now + self.window, key));
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_passes_once_per_window() {
        let t0 = Instant::now();
        let mut seen = Seen::new(Duration::from_secs(360), 10);
        assert!(seen.first_time("a", t0));
        assert!(!seen.first_time("a", t0 + Duration::from_secs(359)));
        assert!(seen.first_time("b", t0 + Duration::from_secs(1)));
        // Once the signature window is over the signature fails anyway; the
        // key is forgotten.
        assert!(seen.first_time("a", t0 + Duration::from_secs(360)));
        assert_eq!(seen.len(), 1 + 1, "b, and a again");
    }

    #[test]
    fn memory_is_bounded_and_the_oldest_go_first() {
        let t0 = Instant::now();
        let mut seen = Seen::new(Duration::from_secs(360), 3);
        for k in ["a", "b", "c", "d"] {
            assert!(seen.first_time(k, t0));
        }
        assert_eq!(seen.len(), 3);
        assert!(!seen.first_time("d", t0));
        assert!(!seen.first_time("b", t0));
        assert!(seen.first_time("a", t0), "the oldest was forgotten");
        for i in 0..10_000 {
            seen.first_time(&i.to_string(), t0);
        }
        assert_eq!((seen.len(), seen.keys.len()), (3, 3));
    }
}
