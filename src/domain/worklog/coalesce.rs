//! Folding raw input into bursts, so that a drag over hundreds of frames is one line of the work log.

use crate::domain::worklog::{InputCounts, InputKind, Stamp};

/// A run of input with no pause longer than the coalescer's quiet time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputBurst {
    /// The first input.
    pub first: Stamp,
    /// The last input.
    pub last: Stamp,
    /// How many inputs of each kind.
    pub counts: InputCounts,
}

/// Folds raw input into bursts. A burst ends when no input came for the quiet time (1 s), or when it
/// has lasted the longest span (10 s), so the log gets at most one `input` line per 10 s of continuous
/// work and an idle gap is never hidden inside a burst.
///
/// The window feeds every input with [`InputCoalescer::push`]; a finished burst comes back from `push`
/// (when the new input starts the next burst), from [`InputCoalescer::poll`] (when time has passed),
/// or from [`InputCoalescer::take`] (before any other event is written, so lines stay in time order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputCoalescer {
    quiet_ms: u64,
    max_span_ms: u64,
    open: Option<InputBurst>,
    /// The kind of the last input, and whether it was within the quiet time of the one before: a drag
    /// or a movement reported frame after frame counts once.
    last_kind: Option<InputKind>,
}

impl Default for InputCoalescer {
    fn default() -> Self {
        Self::new()
    }
}

impl InputCoalescer {
    /// The pause that ends a burst. Every gap inside a burst is shorter, so an idle threshold of at
    /// least this much never needs to look inside one.
    pub const QUIET_MS: u64 = 1_000;
    /// The longest a burst lasts before it is written and a new one begins.
    pub const MAX_SPAN_MS: u64 = 10_000;

    /// A coalescer with the standard quiet time and span.
    pub fn new() -> Self {
        Self::with_limits(Self::QUIET_MS, Self::MAX_SPAN_MS)
    }

    /// A coalescer with other limits (tests, experiments).
    pub fn with_limits(quiet_ms: u64, max_span_ms: u64) -> Self {
        InputCoalescer {
            quiet_ms,
            max_span_ms,
            open: None,
            last_kind: None,
        }
    }

    /// True while a burst is being gathered.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Adds one input at `stamp`. Returns the previous burst if this input ended it.
    pub fn push(&mut self, kind: InputKind, stamp: Stamp) -> Option<InputBurst> {
        let quiet = self
            .open
            .is_some_and(|b| stamp.mono_ms.saturating_sub(b.last.mono_ms) >= self.quiet_ms);
        let finished = if quiet {
            self.last_kind = None;
            self.open.take()
        } else if self
            .open
            .is_some_and(|b| stamp.mono_ms.saturating_sub(b.first.mono_ms) >= self.max_span_ms)
        {
            // A long continuous run: write what there is, and let a drag in progress go on counting
            // as the same drag.
            self.open.take()
        } else {
            None
        };
        let continues_streak = self.last_kind == Some(kind);
        let burst = self.open.get_or_insert(InputBurst {
            first: stamp,
            last: stamp,
            counts: InputCounts::default(),
        });
        burst.last = stamp;
        let counts = &mut burst.counts;
        match kind {
            InputKind::Press => counts.presses = counts.presses.saturating_add(1),
            InputKind::Key => counts.keys = counts.keys.saturating_add(1),
            InputKind::Wheel => counts.wheel = counts.wheel.saturating_add(1),
            InputKind::Drag if !continues_streak => counts.drags = counts.drags.saturating_add(1),
            InputKind::Move if !continues_streak => counts.moves = counts.moves.saturating_add(1),
            InputKind::Drag | InputKind::Move => {}
        }
        self.last_kind = Some(kind);
        finished
    }

    /// Ends the open burst if `stamp` is past its quiet time or its longest span.
    pub fn poll(&mut self, stamp: Stamp) -> Option<InputBurst> {
        let due = self.open.is_some_and(|b| {
            stamp.mono_ms.saturating_sub(b.last.mono_ms) >= self.quiet_ms
                || stamp.mono_ms.saturating_sub(b.first.mono_ms) >= self.max_span_ms
        });
        if due {
            self.last_kind = None;
            self.open.take()
        } else {
            None
        }
    }

    /// Ends the open burst now, whatever its age.
    pub fn take(&mut self) -> Option<InputBurst> {
        self.last_kind = None;
        self.open.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    fn at(ms: u64) -> Stamp {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        Stamp {
            at: t0 + Duration::milliseconds(ms as i64),
            mono_ms: ms,
        }
    }

    #[test]
    fn a_long_drag_is_one_drag_in_few_bursts() {
        let mut c = InputCoalescer::new();
        let mut bursts = Vec::new();
        assert_eq!(c.push(InputKind::Press, at(0)), None);
        // 25 s of dragging at 60 frames a second.
        for frame in 1..=1500u64 {
            bursts.extend(c.push(InputKind::Drag, at(frame * 1000 / 60)));
        }
        bursts.extend(c.take());
        assert_eq!(bursts.len(), 3, "{bursts:?}");
        let drags: u32 = bursts.iter().map(|b| b.counts.drags).sum();
        assert_eq!(drags, 1);
        assert_eq!(bursts[0].counts.presses, 1);
        assert_eq!(bursts[0].first.mono_ms, 0);
        assert_eq!(bursts[2].last.mono_ms, 25_000);
        assert!(
            bursts
                .iter()
                .all(|b| b.last.mono_ms - b.first.mono_ms <= InputCoalescer::MAX_SPAN_MS)
        );
    }

    #[test]
    fn a_pause_ends_a_burst_and_starts_a_new_streak() {
        let mut c = InputCoalescer::new();
        c.push(InputKind::Drag, at(0));
        c.push(InputKind::Drag, at(16));
        c.push(InputKind::Key, at(100));
        c.push(InputKind::Key, at(200));
        c.push(InputKind::Wheel, at(300));
        assert_eq!(c.poll(at(900)), None);
        let first = c.poll(at(1300)).unwrap();
        assert_eq!(
            first.counts,
            InputCounts {
                presses: 0,
                drags: 1,
                keys: 2,
                wheel: 1,
                moves: 0
            }
        );
        assert_eq!((first.first.mono_ms, first.last.mono_ms), (0, 300));
        assert!(!c.is_open());
        c.push(InputKind::Move, at(5000));
        let second = c.push(InputKind::Move, at(7000)).unwrap();
        assert_eq!(second.counts.moves, 1);
        assert_eq!(c.take().map(|b| b.counts.moves), Some(1));
        assert_eq!(c.take(), None);
    }
}
