//! When answering fails inside: a short id the user can quote, and the
//! details in the log under the same id, never in the channel.

use crate::engine::Locale;
use crate::render::{self, labels as l};

use super::interaction::Response;

/// A short id for a failure: quoted to the user, logged with the details, so
/// the two can be matched without showing internal errors in the channel.
pub fn error_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    // A 64-bit mix of time and counter, so ids differ even within one tick.
    let mut x = t ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    format!("{:08x}", x as u32)
}

/// A short, friendly failure with an id to quote; details go to the log.
pub fn failure(locale: Locale, error_id: &str) -> Response {
    let text = l::FAILED.fill(locale, &[error_id]);
    Response::Message(render::notice(&text, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_ids_are_short_and_differ() {
        let (a, b) = (error_id(), error_id());
        assert_eq!(a.len(), 8);
        assert_ne!(a, b);
    }
}
