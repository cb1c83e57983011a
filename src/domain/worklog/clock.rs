//! Turning the app's readings of "now" into event stamps.

use crate::domain::worklog::Stamp;
use chrono::{DateTime, SubsecRound, Utc};

/// A session's clock: every reading of "now" the app passes in becomes a [`Stamp`] whose monotonic part
/// counts milliseconds since the session started and never goes backwards.
///
/// The time is always a parameter (tests pass fixed times and never sleep). The monotonic part is
/// derived from the same readings, clamped so that a system clock stepped backwards freezes it instead
/// of making durations negative; the window's clock is expected to be monotonic itself (for example a
/// start time plus `Instant::elapsed`), and then the two agree exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionClock {
    started_at: DateTime<Utc>,
    last_mono_ms: u64,
}

impl SessionClock {
    /// A clock whose monotonic zero is `started_at`.
    pub fn new(started_at: DateTime<Utc>) -> Self {
        SessionClock {
            started_at: started_at.trunc_subsecs(3),
            last_mono_ms: 0,
        }
    }

    /// When the session started.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// The stamp of `now`.
    pub fn stamp(&mut self, now: DateTime<Utc>) -> Stamp {
        let since_start = (now - self.started_at).num_milliseconds();
        let mono_ms = u64::try_from(since_start)
            .unwrap_or(0)
            .max(self.last_mono_ms);
        self.last_mono_ms = mono_ms;
        Stamp {
            at: now.trunc_subsecs(3),
            mono_ms,
        }
    }

    /// The stamp `now` would get, without moving the clock (for a live display).
    pub fn peek(&self, now: DateTime<Utc>) -> Stamp {
        self.clone().stamp(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn monotonic_part_never_goes_backwards() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let mut clock = SessionClock::new(t0);
        assert_eq!(clock.stamp(t0).mono_ms, 0);
        assert_eq!(clock.stamp(t0 + Duration::milliseconds(1500)).mono_ms, 1500);
        // The system clock stepped back a minute: durations hold still rather than going negative.
        let back = clock.stamp(t0 - Duration::seconds(60));
        assert_eq!(back.mono_ms, 1500);
        assert_eq!(back.at, t0 - Duration::seconds(60));
        assert_eq!(clock.stamp(t0 + Duration::seconds(2)).mono_ms, 2000);
        assert_eq!(clock.peek(t0 + Duration::seconds(9)).mono_ms, 9000);
        assert_eq!(clock.stamp(t0 + Duration::seconds(3)).mono_ms, 3000);
    }
}
