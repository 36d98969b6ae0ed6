//! Questions per day, by outcome: what the gaps page plots, so a curator
//! sees whether edits to the notes turn "nothing" into "answered".

use rusqlite::params;

use super::store::{Store, StoreError};

/// One UTC day's questions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Day {
    /// `2026-12-03`.
    pub day: String,
    pub answered: u64,
    pub weak: u64,
    pub nothing: u64,
    pub error: u64,
}

impl Day {
    pub fn total(&self) -> u64 {
        self.answered + self.weak + self.nothing + self.error
    }
}

/// Every day of the last `days` (today included) up to `now`, oldest
/// first, days without questions included as zeros.
pub fn per_day(store: &Store, days: u32, now: i64) -> Result<Vec<Day>, StoreError> {
    let days = days.clamp(1, 3650);
    let today = now.div_euclid(86_400);
    let first = today - i64::from(days) + 1;
    let err = |source| store.err(source);
    let mut out: Vec<Day> = (first..=today)
        .map(|d| Day {
            day: civil(d),
            ..Day::default()
        })
        .collect();
    let mut stmt = store
        .connection()
        .prepare(
            "SELECT asked_at / 86400 AS d, outcome, count(*) FROM questions
             WHERE asked_at >= ?1 AND asked_at < ?2 GROUP BY d, outcome",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map(params![first * 86_400, (today + 1) * 86_400], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .map_err(err)?;
    for row in rows {
        let (d, outcome, n) = row.map_err(err)?;
        let Some(day) = usize::try_from(d - first).ok().and_then(|i| out.get_mut(i)) else {
            continue;
        };
        let n = n.max(0) as u64;
        match outcome.as_str() {
            "answered" => day.answered += n,
            "weak" => day.weak += n,
            "nothing" => day.nothing += n,
            _ => day.error += n,
        }
    }
    Ok(out)
}

/// The date of a day number since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curation::store::{Asked, Outcome};

    #[test]
    fn days_are_dates() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(20_454), "2026-01-01");
        assert_eq!(civil(11_016), "2000-02-29");
    }

    #[test]
    fn questions_are_counted_per_day_and_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = 20_454 * 86_400 + 3_600; // 2026-01-01 01:00
        let ask = |at: i64, outcome| Asked {
            at,
            question: "q".into(),
            answer_key: "k".into(),
            locale: "en",
            outcome,
            top_source: None,
            asker: None,
            wording: None,
        };
        store.insert_asked(&ask(now, Outcome::Answered)).unwrap();
        store
            .insert_asked(&ask(now - 60, Outcome::Nothing))
            .unwrap();
        store
            .insert_asked(&ask(now - 86_400, Outcome::Weak))
            .unwrap();
        store
            .insert_asked(&ask(now - 10 * 86_400, Outcome::Weak))
            .unwrap();
        let days = per_day(&store, 3, now).unwrap();
        assert_eq!(
            days.iter().map(|d| d.day.as_str()).collect::<Vec<_>>(),
            ["2025-12-30", "2025-12-31", "2026-01-01"]
        );
        assert_eq!(
            (days[2].answered, days[2].nothing, days[2].total()),
            (1, 1, 2)
        );
        assert_eq!((days[1].weak, days[1].total()), (1, 1));
        assert_eq!(days[0].total(), 0);
    }
}
