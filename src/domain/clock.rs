//! Where "now" comes from. Timing code never reads the system clock itself: it is handed a [`Clock`]
//! (the system's in the app, a mock in tests), so that tests never sleep and time is data.

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A source of the current time: the system clock in the app, a mock in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock, made monotonic: the wall time at start plus a steady clock's elapsed time, so a
/// wall-clock jump (NTP, a manual change) cannot stretch or shrink measured durations.
pub fn system_clock() -> Clock {
    let started_utc = Utc::now();
    let started = std::time::Instant::now();
    Arc::new(move || {
        let elapsed =
            chrono::Duration::from_std(started.elapsed()).unwrap_or(chrono::TimeDelta::zero());
        started_utc + elapsed
    })
}

/// The system's wall clock as it reads now, steps and all: only for noticing that it stepped away
/// from [`system_clock`], never for measuring.
pub fn wall_clock() -> Clock {
    Arc::new(Utc::now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_never_goes_backwards() {
        let clock = system_clock();
        let first = clock();
        let second = clock();
        assert!(second >= first);
    }
}
