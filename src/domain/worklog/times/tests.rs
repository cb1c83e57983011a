use super::*;
use chrono::{Duration, TimeZone};
use proptest::prelude::*;

const T100: u64 = 100_000;

/// Builds a synthetic log, one session, times in milliseconds since its start.
struct Log {
    events: Vec<Event>,
    session: String,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

fn stamp(ms: u64) -> Stamp {
    Stamp {
        at: t0() + Duration::milliseconds(ms as i64),
        mono_ms: ms,
    }
}

impl Log {
    fn new(session: &str) -> Self {
        Log {
            events: Vec::new(),
            session: session.into(),
        }
    }

    fn push(&mut self, ms: u64, task: Option<&str>, kind: EventKind) -> &mut Self {
        self.events
            .push(Event::new(stamp(ms), &self.session, task, kind));
        self
    }

    fn open(&mut self, ms: u64, task: &str) -> &mut Self {
        self.push(
            ms,
            Some(task),
            EventKind::TaskOpened {
                status: "new".into(),
                regions: 0,
            },
        )
    }

    fn input(&mut self, from: u64, to: u64, task: &str) -> &mut Self {
        self.push(
            to,
            Some(task),
            EventKind::Input {
                first_at: stamp(from).at,
                first_mono_ms: from,
                counts: InputCounts {
                    presses: 1,
                    ..InputCounts::default()
                },
            },
        )
    }

    fn region(&mut self, ms: u64, task: &str) -> &mut Self {
        self.push(
            ms,
            Some(task),
            EventKind::RegionCreated {
                region_id: "r1".into(),
                label: "sky".into(),
                shape: "polygon".into(),
                vertices: 4,
                drawing_ms: Some(3000),
            },
        )
    }

    fn submit(&mut self, ms: u64, task: &str) -> &mut Self {
        self.push(
            ms,
            Some(task),
            EventKind::TaskSubmitted {
                regions: 1,
                reward: Some(Decimal::new(5, 2)),
                currency: Some("USD".into()),
            },
        )
    }

    fn skip(&mut self, ms: u64, task: &str) -> &mut Self {
        self.push(
            ms,
            Some(task),
            EventKind::TaskSkipped {
                reason: Some("blurry".into()),
            },
        )
    }
}

#[test]
fn a_ten_minute_gap_counts_as_idle() {
    let mut log = Log::new("s");
    log.open(0, "a")
        .region(20_000, "a")
        .region(620_000, "a")
        .submit(640_000, "a");
    let times = derive_times(&log.events, T100);
    let a = times.task("a").unwrap();
    assert_eq!(a.wall_ms, 640_000);
    assert_eq!(a.active_ms, 40_000);
    assert_eq!(a.idle_ms(), 600_000);
    assert_eq!(a.regions, 2);
    assert_eq!(a.vertices, 8);
    assert_eq!(a.drawing_ms, 6000);
    assert_eq!(a.outcome, Outcome::Submitted);
    assert_eq!(a.reward, Some(Decimal::new(5, 2)));
    assert_eq!(a.ms_per_region(), Some(20_000));
    // At a threshold above ten minutes, the same gap is active.
    assert_eq!(
        derive_times(&log.events, 700_000)
            .task("a")
            .unwrap()
            .active_ms,
        640_000
    );
}

#[test]
fn a_gap_of_exactly_t_is_idle_as_in_cvat() {
    let mut log = Log::new("s");
    log.open(0, "a").region(100_000, "a").submit(100_001, "a");
    let a = derive_times(&log.events, T100).task("a").cloned().unwrap();
    assert_eq!(a.active_ms, 1);
}

#[test]
fn revisits_add_up_across_sessions() {
    let mut first = Log::new("s1");
    first
        .open(0, "a")
        .region(30_000, "a")
        .open(40_000, "b")
        .region(50_000, "b");
    let mut second = Log::new("s2");
    second.open(0, "a").region(15_000, "a").submit(25_000, "a");
    let mut all = first.events.clone();
    all.extend(second.events.clone());
    let times = derive_times(&all, T100);
    let a = times.task("a").unwrap();
    assert_eq!(a.visits, 2);
    assert_eq!(a.wall_ms, 40_000 + 25_000);
    assert_eq!(a.active_ms, 40_000 + 25_000);
    assert_eq!(a.session_ids, ["s1", "s2"]);
    assert_eq!(a.opened_at, Some(t0()));
    // The gap between the sessions counts nowhere.
    assert_eq!(times.wall_ms(), 50_000 + 25_000);
    assert_eq!(times.task("b").unwrap().outcome, Outcome::Open);
}

#[test]
fn bursts_count_as_active_and_pauses_and_focus_loss_do_not() {
    let mut log = Log::new("s");
    log.open(0, "a")
        // A burst of input from 5 s to 9 s.
        .input(5_000, 9_000, "a")
        .push(10_000, Some("a"), EventKind::FocusLost)
        .push(40_000, Some("a"), EventKind::FocusGained)
        .push(41_000, Some("a"), EventKind::Pause)
        .push(61_000, Some("a"), EventKind::Resume)
        .submit(62_000, "a");
    let times = derive_times(&log.events, T100);
    let a = times.task("a").unwrap();
    assert_eq!(a.wall_ms, 62_000);
    // 0-10 s and 40-41 s and 61-62 s; not the 30 s unfocused nor the 20 s paused.
    assert_eq!(a.active_ms, 12_000);
    assert_eq!(a.inputs.presses, 1);
    assert_eq!(a.first_input_at, Some(stamp(5_000).at));
    // A burst longer than T is still active: its inner gaps are all short.
    let mut long = Log::new("s");
    long.open(0, "a").input(0, 9_000, "a");
    assert_eq!(derive_times(&long.events, 5_000).tasks[0].active_ms, 9_000);
}

#[test]
fn instructions_and_unpaid_gaps_are_told_apart() {
    let mut log = Log::new("s");
    log.push(0, None, EventKind::InstructionsShown)
        .open(0, "a")
        .push(60_000, Some("a"), EventKind::InstructionsHidden)
        .region(80_000, "a")
        .push(85_000, Some("a"), EventKind::InstructionsShown)
        .push(90_000, Some("a"), EventKind::InstructionsHidden)
        .submit(100_000, "a")
        // Nothing open for 20 s, then the last task is skipped.
        .open(120_000, "b")
        .skip(130_000, "b")
        .push(135_000, None, EventKind::SessionEnd)
        // Nothing counts after the end.
        .push(500_000, None, EventKind::Pause);
    let times = derive_times(&log.events, T100);
    let a = times.task("a").unwrap();
    assert_eq!(a.instructions_ms, 65_000);
    assert_eq!(a.instructions_before_work_ms, 60_000);
    let b = times.task("b").unwrap();
    assert_eq!(
        (b.outcome, b.skip_reason.as_deref()),
        (Outcome::Skipped, Some("blurry"))
    );
    assert_eq!(times.between_tasks_ms(), 25_000);
    assert_eq!(times.instructions_before_work_ms(), 60_000);
    assert!(times.sessions[0].ended);
    assert_eq!(times.wall_ms(), 135_000);
}

#[test]
fn reading_ends_when_work_starts_not_at_the_first_finished_region() {
    // Instructions open from the start; the worker turns to the task at 5 s (a press on the image)
    // and finishes the first region at 30 s with the panel still open.
    let mut log = Log::new("s");
    log.push(0, None, EventKind::InstructionsShown)
        .open(0, "a")
        .push(5_000, Some("a"), EventKind::WorkStarted)
        .region(30_000, "a")
        .submit(32_000, "a");
    let times = derive_times(&log.events, T100);
    let a = times.task("a").unwrap();
    assert_eq!(a.instructions_before_work_ms, 5_000);
    assert_eq!(a.instructions_ms, 32_000, "the panel was open throughout");
    // A log written before `work_started` existed keeps the old rule: the first edit ends reading.
    let old: Vec<Event> = log
        .events
        .iter()
        .filter(|e| e.kind != EventKind::WorkStarted)
        .cloned()
        .collect();
    let times = derive_times(&old, T100);
    assert_eq!(times.task("a").unwrap().instructions_before_work_ms, 30_000);
}

#[test]
fn waiting_for_an_image_and_the_workers_administration_are_their_own_time() {
    let mut log = Log::new("s");
    log.open(0, "a")
        // The image takes 150 s to decode: longer than the idle threshold, still the tool's wait.
        .push(0, Some("a"), EventKind::ImageWaiting)
        .push(150_000, Some("a"), EventKind::ImageReady)
        .region(160_000, "a")
        // The settings open for 30 s while a is open: the worker's own administration.
        .push(
            170_000,
            Some("a"),
            EventKind::AdminShown {
                view: "settings".into(),
            },
        )
        .push(200_000, Some("a"), EventKind::AdminHidden)
        .submit(205_000, "a");
    let times = derive_times(&log.events, T100);
    let a = times.task("a").unwrap();
    assert_eq!(a.wall_ms, 205_000);
    assert_eq!(a.active_ms, 10_000 + 10_000 + 5_000);
    assert_eq!(times.waiting_ms(), 150_000);
    assert_eq!(times.admin_ms(), 30_000);
    assert_eq!(times.active_ms(), 205_000);
}

#[test]
fn a_window_keeps_only_the_gaps_that_begin_in_it() {
    let mut log = Log::new("s");
    log.open(0, "a").region(30_000, "a").region(60_000, "a");
    let window = stamp(30_000).at..stamp(40_000).at;
    let times = derive_times_within(&log.events, T100, Some(&window));
    assert_eq!(times.task("a").unwrap().active_ms, 30_000);
}

#[test]
fn a_live_clock_ticks_then_stops_when_idle_or_unfocused() {
    let mut log = Log::new("s");
    log.open(0, "a").region(10_000, "a");
    let clock = task_clock(&log.events, "s", "a", stamp(40_000), T100);
    assert_eq!(clock.state, ClockState::Ticking);
    assert_eq!((clock.settled_ms, clock.shown_ms()), (10_000, 40_000));
    let idle = task_clock(&log.events, "s", "a", stamp(200_000), T100);
    assert_eq!((idle.state, idle.shown_ms()), (ClockState::Idle, 10_000));
    let other = task_clock(&log.events, "s", "b", stamp(20_000), T100);
    assert_eq!(other.state, ClockState::Closed);
    log.push(11_000, Some("a"), EventKind::FocusLost);
    let away = task_clock(&log.events, "s", "a", stamp(20_000), T100);
    assert_eq!(
        (away.state, away.shown_ms()),
        (ClockState::Unfocused, 11_000)
    );
}

/// One step of a random session.
#[derive(Clone, Debug)]
enum Step {
    Open(u8),
    Input(u64),
    Region,
    Submit,
    Skip,
    Instructions,
    Focus,
    Pause,
    Admin,
    Wait,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..4).prop_map(Step::Open),
        (0u64..20_000).prop_map(Step::Input),
        Just(Step::Region),
        Just(Step::Submit),
        Just(Step::Skip),
        Just(Step::Instructions),
        Just(Step::Focus),
        Just(Step::Pause),
        Just(Step::Admin),
        Just(Step::Wait),
    ]
}

fn gap() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..5_000, 0u64..120_000, 0u64..1_000_000]
}

fn random_log(session: &str, steps: &[(u64, Step)]) -> Vec<Event> {
    let mut log = Log::new(session);
    let mut now = 0;
    let mut task: Option<String> = None;
    let (mut instructions, mut focused, mut paused) = (false, true, false);
    let (mut admin, mut waiting) = (false, false);
    for (gap, step) in steps {
        now += gap;
        let current = task.clone();
        let current = current.as_deref();
        match step {
            Step::Open(k) => {
                let id = format!("t{k}");
                log.open(now, &id);
                task = Some(id);
            }
            Step::Input(len) => {
                log.input(now, now + len, current.unwrap_or("t0"));
                now += len;
            }
            Step::Region => {
                log.region(now, current.unwrap_or("t0"));
            }
            Step::Submit => {
                log.submit(now, current.unwrap_or("t0"));
                task = None;
            }
            Step::Skip => {
                log.skip(now, current.unwrap_or("t0"));
                task = None;
            }
            Step::Instructions => {
                instructions = !instructions;
                let kind = if instructions {
                    EventKind::InstructionsShown
                } else {
                    EventKind::InstructionsHidden
                };
                log.push(now, current, kind);
            }
            Step::Focus => {
                focused = !focused;
                let kind = if focused {
                    EventKind::FocusGained
                } else {
                    EventKind::FocusLost
                };
                log.push(now, current, kind);
            }
            Step::Admin => {
                admin = !admin;
                let kind = if admin {
                    EventKind::AdminShown {
                        view: "settings".into(),
                    }
                } else {
                    EventKind::AdminHidden
                };
                log.push(now, current, kind);
            }
            Step::Wait => {
                waiting = !waiting;
                let kind = if waiting {
                    EventKind::ImageWaiting
                } else {
                    EventKind::ImageReady
                };
                log.push(now, current, kind);
            }
            Step::Pause => {
                paused = !paused;
                let kind = if paused {
                    EventKind::Pause
                } else {
                    EventKind::Resume
                };
                log.push(now, current, kind);
            }
        }
    }
    log.events
}

fn steps() -> impl Strategy<Value = Vec<(u64, Step)>> {
    prop::collection::vec((gap(), step()), 0..60)
}

proptest! {
    #[test]
    fn active_never_exceeds_wall(steps in steps(), idle_secs in 1u64..1000) {
        let times = derive_times(&random_log("s", &steps), idle_secs * 1000);
        for task in &times.tasks {
            prop_assert!(task.active_ms <= task.wall_ms, "{task:?}");
            prop_assert!(task.instructions_ms <= task.active_ms);
            prop_assert!(task.instructions_before_work_ms <= task.instructions_ms);
        }
        for session in &times.sessions {
            prop_assert!(session.active_ms <= session.wall_ms);
        }
    }

    #[test]
    fn active_never_decreases_as_the_threshold_grows(
        steps in steps(),
        a in 1u64..1000,
        b in 1u64..1000,
    ) {
        let (low, high) = (a.min(b) * 1000, a.max(b) * 1000);
        let events = random_log("s", &steps);
        let at_low = derive_times(&events, low);
        let at_high = derive_times(&events, high);
        prop_assert!(at_low.active_ms() <= at_high.active_ms());
        for (l, h) in at_low.tasks.iter().zip(&at_high.tasks) {
            prop_assert_eq!(&l.task_id, &h.task_id);
            prop_assert!(l.active_ms <= h.active_ms);
            prop_assert_eq!(l.wall_ms, h.wall_ms);
        }
    }

    #[test]
    fn every_active_millisecond_is_counted_once(steps in steps(), idle_secs in 1u64..400) {
        let times = derive_times(&random_log("s", &steps), idle_secs * 1000);
        let in_tasks: u64 = times.tasks.iter().map(|t| t.active_ms).sum();
        let outside: u64 = times
            .sessions
            .iter()
            .map(|s| s.between_tasks_ms + s.instructions_before_work_ms + s.admin_ms + s.waiting_ms)
            .sum();
        prop_assert_eq!(in_tasks + outside, times.active_ms());
        // With idle time, the categories cover each session's wall time exactly.
        for session in &times.sessions {
            prop_assert!(session.active_ms <= session.wall_ms);
        }
        let idle: u64 = times.sessions.iter().map(|s| s.wall_ms - s.active_ms).sum();
        prop_assert_eq!(in_tasks + outside + idle, times.wall_ms());
    }

    #[test]
    fn sessions_add_up_and_never_mix(
        one in steps(),
        two in steps(),
        idle_secs in 1u64..400,
    ) {
        let first = random_log("s1", &one);
        let second = random_log("s2", &two);
        // Interleaved lines of two sessions (two windows on one bundle) give the same result.
        let mut mixed = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < first.len() || j < second.len() {
            if j >= second.len() || (i < first.len() && (i + j) % 3 != 0) {
                mixed.push(first[i].clone());
                i += 1;
            } else {
                mixed.push(second[j].clone());
                j += 1;
            }
        }
        let idle_ms = idle_secs * 1000;
        let apart = derive_times(&first, idle_ms).active_ms() + derive_times(&second, idle_ms).active_ms();
        prop_assert_eq!(derive_times(&mixed, idle_ms).active_ms(), apart);
    }
}
