//! Free-text cooldowns, per person and per channel, so a busy channel cannot
//! make the bot spam.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Cooldowns {
    user: Duration,
    channel: Duration,
    last: Mutex<(HashMap<u64, Instant>, HashMap<u64, Instant>)>,
}

impl Cooldowns {
    pub fn new(user: Duration, channel: Duration) -> Cooldowns {
        Cooldowns {
            user,
            channel,
            last: Mutex::new((HashMap::new(), HashMap::new())),
        }
    }

    /// Whether the bot may answer now; if so, the time is recorded.
    pub fn try_take(&self, user: u64, channel: u64) -> bool {
        self.try_take_at(user, channel, Instant::now())
    }

    fn try_take_at(&self, user: u64, channel: u64, now: Instant) -> bool {
        let mut guard = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let (users, channels) = &mut *guard;
        let free = |map: &HashMap<u64, Instant>, key: u64, wait: Duration| {
            map.get(&key)
                .is_none_or(|&t| now.saturating_duration_since(t) >= wait)
        };
        if !(free(users, user, self.user) && free(channels, channel, self.channel)) {
            return false;
        }
        users.insert(user, now);
        channels.insert(channel, now);
        // Forget old entries so the maps cannot grow without bound.
        if users.len() > 10_000 {
            let keep = self.user;
            users.retain(|_, t| now.saturating_duration_since(*t) < keep);
        }
        if channels.len() > 10_000 {
            let keep = self.channel;
            channels.retain(|_, t| now.saturating_duration_since(*t) < keep);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_and_channels_wait_their_turn() {
        let c = Cooldowns::new(Duration::from_secs(10), Duration::from_secs(3));
        let t0 = Instant::now();
        assert!(c.try_take_at(1, 100, t0));
        assert!(
            !c.try_take_at(1, 200, t0 + Duration::from_secs(5)),
            "same user too soon"
        );
        assert!(
            !c.try_take_at(2, 100, t0 + Duration::from_secs(1)),
            "same channel too soon"
        );
        assert!(c.try_take_at(2, 100, t0 + Duration::from_secs(4)));
        assert!(c.try_take_at(1, 300, t0 + Duration::from_secs(11)));
    }
}
