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

    /// Whether the bot may answer `user` in `channel` now, without taking
    /// the turn: checked before any work, so a message the cooldown holds
    /// back costs no search. A question addressed to the bot (a mention, a
    /// DM) waits only for its asker's cooldown: the channel's keeps a busy
    /// channel from filling with replies nobody asked the bot for.
    pub fn ready(&self, user: u64, channel: u64, addressed: bool) -> bool {
        let guard = self.last.lock().unwrap_or_else(|p| p.into_inner());
        self.free(&guard, user, channel, addressed, Instant::now())
    }

    /// Takes the turn if the bot may answer now (as [`Cooldowns::ready`]),
    /// just before the reply is sent: only a reply counts against the
    /// cooldown.
    pub fn try_take(&self, user: u64, channel: u64, addressed: bool) -> bool {
        self.try_take_at(user, channel, addressed, Instant::now())
    }

    fn free(
        &self,
        (users, channels): &(HashMap<u64, Instant>, HashMap<u64, Instant>),
        user: u64,
        channel: u64,
        addressed: bool,
        now: Instant,
    ) -> bool {
        let free = |map: &HashMap<u64, Instant>, key: u64, wait: Duration| {
            map.get(&key)
                .is_none_or(|&t| now.saturating_duration_since(t) >= wait)
        };
        free(users, user, self.user) && (addressed || free(channels, channel, self.channel))
    }

    fn try_take_at(&self, user: u64, channel: u64, addressed: bool, now: Instant) -> bool {
        let mut guard = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if !self.free(&guard, user, channel, addressed, now) {
            return false;
        }
        let (users, channels) = &mut *guard;
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
        assert!(c.try_take_at(1, 100, false, t0));
        assert!(
            !c.try_take_at(1, 200, false, t0 + Duration::from_secs(5)),
            "same user too soon"
        );
        assert!(
            !c.try_take_at(2, 100, false, t0 + Duration::from_secs(1)),
            "same channel too soon"
        );
        assert!(c.try_take_at(2, 100, false, t0 + Duration::from_secs(4)));
        assert!(c.try_take_at(1, 300, false, t0 + Duration::from_secs(11)));
    }

    /// #28 point 5: a question addressed to the bot waits for its asker's
    /// turn only; the channel's cooldown is for replies nobody asked for.
    #[test]
    fn a_direct_question_waits_only_for_its_asker() {
        let c = Cooldowns::new(Duration::from_secs(10), Duration::from_secs(30));
        let t0 = Instant::now();
        assert!(c.try_take_at(1, 100, false, t0));
        let soon = t0 + Duration::from_secs(1);
        assert!(!c.try_take_at(2, 100, false, soon), "the channel waits");
        assert!(c.try_take_at(2, 100, true, soon), "a mention does not");
        assert!(!c.try_take_at(2, 100, true, soon), "its asker does");
    }
}
