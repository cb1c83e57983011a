//! Crashes at any moment: a child process works through a scripted session far faster than a worker
//! (draw, move, relabel, delete, undo, redo, submit, skip, switch task: hundreds of edits a second,
//! and one round in three starting flat out, a thousand a second or more, so the writer is behind) and is
//! killed with SIGKILL at a random moment; then the next round opens the same data folder. After
//! every kill: each edit finished more than [`grace`] before the kill is on disk, and a task the
//! round did not touch holds what it held after the last kill; every annotation file parses; the
//! work log parses whole and its derived times never go backwards; the next round resumes on the
//! task the worker was on. The grace presumes a disk that makes a small write durable in well under
//! that, and a machine that runs a thread it wakes: a probe fsyncs a small file every 20 ms and
//! notes when the fsync or its own sleep overran, and an edit missing while the probe saw such a
//! stall is counted apart ("held back by the disk").
//!
//! `cargo test` runs 30 rounds. The long run, whose figures go in closing notes:
//! `CLICKWORK_TORTURE_ROUNDS=500 CLICKWORK_TORTURE_BURST_GRACE_MS=250 cargo test --release --test torture -- --nocapture`.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use chrono::Utc;
use clickwork::domain::annotation::{Region, TaskStatus};
use clickwork::domain::bundle::{LoadOptions, load_bundle};
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::session::Session;
use clickwork::domain::store::{AnnotationFile, Saver};
use clickwork::domain::worklog::{derive_times, parse_journal};
use common::Rng;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHILD: &str = "CLICKWORK_TORTURE_CHILD";
const BUNDLE_ID: &str = "torture";
/// Tasks in the bundle, `t0`…
const TASKS: usize = 5;
/// How many actions a burst round does flat out before it slows down.
const BURST: u64 = 1000;
/// An edit finished this long before the kill must be on disk: 250 ms, or `CLICKWORK_TORTURE_GRACE_MS`.
fn grace() -> Duration {
    millis_from_env("CLICKWORK_TORTURE_GRACE_MS", 250)
}

/// The same in a burst round, a hundred times a worker's pace, where the issue asks for order, the
/// last save winning and a consistent file rather than a delay: 1 s, or
/// `CLICKWORK_TORTURE_BURST_GRACE_MS`. A release build keeps 250 ms there too (the long run in
/// README checks it); a debug build on a busy machine may fall behind by more.
fn burst_grace() -> Duration {
    millis_from_env("CLICKWORK_TORTURE_BURST_GRACE_MS", 1000)
}

fn millis_from_env(name: &str, default: u64) -> Duration {
    let ms = std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Duration::from_millis(ms)
}

/// Whether round `seed` starts with a burst.
fn is_burst_round(seed: u64) -> bool {
    seed % 3 == 2
}

/// The grace round `seed` is judged with.
fn grace_of(seed: u64) -> Duration {
    if is_burst_round(seed) {
        burst_grace()
    } else {
        grace()
    }
}

/// What a task holds, as one comparable string: its status and regions, serialized the same way by
/// the child (from memory) and the parent (from the file).
fn digest(status: TaskStatus, regions: &[Region]) -> String {
    serde_json::to_string(&(status, regions)).unwrap()
}

fn bundle_dir(root: &Path) -> PathBuf {
    let dir = root.join("bundle");
    std::fs::create_dir_all(&dir).unwrap();
    let tasks: Vec<serde_json::Value> = (0..TASKS)
        .map(|i| serde_json::json!({"id": format!("t{i}"), "image": format!("t{i}.png")}))
        .collect();
    for i in 0..TASKS {
        image::RgbImage::from_pixel(64, 48, image::Rgb([90, 140, 200]))
            .save(dir.join(format!("t{i}.png")))
            .unwrap();
    }
    let manifest = serde_json::json!({
        "format": "clickwork-bundle/1", "id": BUNDLE_ID, "title": "Torture",
        "labels": [{"name": "sky", "color": "#4a90d9"}, {"name": "tree", "color": "#2ea043"}],
        "tasks": tasks
    });
    std::fs::write(dir.join("bundle.json"), manifest.to_string()).unwrap();
    dir
}

/// The child's side: work until killed, saying on stdout what each finished action left.
fn drive(bundle: &Path, data: &Path, seed: u64) {
    let bundle = load_bundle(bundle, &LoadOptions::new(data.join("cache"))).unwrap();
    let worker = "0123456789abcdef0123456789abcdef";
    let (mut s, _) = Session::open(bundle, data, Saver::new(), worker, Utc::now()).unwrap();
    // A line of its own: the test harness has printed "test torture_child ... " without a newline.
    println!("\nopened {}", s.task().id);
    let mut rng = Rng(seed);
    // One round in three starts with a burst: its first thousand actions flat out (a thousand
    // edits a second or more), so the kill lands with the writer behind; the other rounds, and the
    // rest of a burst round, work at a few hundred actions a second.
    let burst_round = is_burst_round(seed);
    for n in 0u64.. {
        let flat_out = burst_round && n < BURST;
        if n % 100 == 99 && !flat_out {
            // How far behind the writer is: the time to drain what is queued.
            let started = std::time::Instant::now();
            s.saver().flush();
            println!("lag {}", started.elapsed().as_millis());
        }
        if !flat_out {
            std::thread::sleep(Duration::from_millis(2));
        }
        let now = Utc::now();
        let ids: Vec<String> = s
            .annotation()
            .regions
            .iter()
            .map(|r| r.id.clone())
            .collect();
        let any = (!ids.is_empty()).then(|| ids[rng.below(ids.len())].clone());
        let x = rng.below(50) as f64;
        let y = rng.below(40) as f64;
        // Tasks stay the size real ones have (tens of regions): past 40, a draw becomes a delete.
        let choice = match rng.below(100) {
            c @ 0..40 if ids.len() > 40 => 60 + c % 8,
            c => c,
        };
        // Said before the action: a kill before its "state" line leaves this one last.
        println!("doing {n} {choice}");
        match (choice, any) {
            (0..40, _) => {
                let id = s.new_region_id();
                let shape = Shape::rectangle(Point::new(x, y), Point::new(x + 10.0, y + 5.0));
                let region = Region::new(&id, "sky", shape);
                s.apply(
                    Edit::AddRegion {
                        region,
                        index: None,
                    },
                    now,
                )
                .unwrap();
            }
            (40..50, Some(id)) => s
                .apply(
                    Edit::MoveRegion {
                        id,
                        dx: 1.0,
                        dy: -1.0,
                    },
                    now,
                )
                .unwrap(),
            (50..60, Some(id)) => {
                let label = ["sky", "tree"][rng.below(2)].to_owned();
                let _ = s.apply(Edit::Relabel { id, label }, now);
            }
            (60..68, Some(id)) => s.apply(Edit::DeleteRegion { id }, now).unwrap(),
            (68..78, _) => {
                s.undo(now).unwrap();
            }
            (78..84, _) => {
                s.redo(now).unwrap();
            }
            (84..88, Some(_)) => {
                let _ = s.submit(now);
            }
            (88..90, _) => s.skip(Some("torture"), now).unwrap(),
            (90..100, _) => {
                let to = rng.below(s.bundle().tasks.len());
                s.go_to(to, now).unwrap();
                println!("task {}", s.task().id);
            }
            _ => continue,
        }
        // A failed save would be the reason for a lost edit: say it where the test's output shows it.
        for warning in s.take_warnings().into_iter().chain(s.take_write_failures()) {
            eprintln!("child warning: {warning}");
        }
        println!(
            "state {} {choice} {}",
            s.task().id,
            digest(s.status(), &s.annotation().regions)
        );
    }
}

/// Not a test on its own: the child process of the torture test runs here.
#[test]
fn torture_child() {
    let Ok(seed) = std::env::var(CHILD) else {
        return;
    };
    let bundle = PathBuf::from(std::env::var("CLICKWORK_TORTURE_BUNDLE").unwrap());
    let data = PathBuf::from(std::env::var("CLICKWORK_TORTURE_DATA").unwrap());
    drive(&bundle, &data, seed.parse().unwrap());
}

/// When the disk took long to make a small write durable, or the machine to wake a sleeping thread:
/// (when it started, how long it took). The guarantee is about clickwork, not the machine: an edit
/// held back meanwhile (an fsync of a few bytes, or a wake-up, late by over [`STALL`]) is counted
/// apart, as delayed by the disk, and does not fail the test.
type Stalls = Arc<Mutex<Vec<(Instant, Duration)>>>;

/// An fsync slower than this is the disk stalling (a healthy one takes about a millisecond).
const STALL: Duration = Duration::from_millis(100);

/// Writes and fsyncs a small file beside the data folder every 20 ms until `stop`, noting stalls.
fn probe_disk(dir: PathBuf, stalls: Stalls, stop: Arc<std::sync::atomic::AtomicBool>) {
    use std::io::Write;
    let path = dir.join("disk-probe");
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let started = Instant::now();
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(&[0; 4096]).unwrap();
        file.sync_all().unwrap();
        let took = started.elapsed();
        if took > STALL {
            stalls.lock().unwrap().push((started, took));
        }
        // A machine too busy to wake this thread in time would starve the writer the same way.
        let sleeping = Instant::now();
        std::thread::sleep(Duration::from_millis(20));
        let overslept = sleeping.elapsed().saturating_sub(Duration::from_millis(20));
        if overslept > STALL {
            stalls.lock().unwrap().push((sleeping, overslept));
        }
    }
}

/// What the parent knows across rounds.
#[derive(Default)]
struct History {
    /// What each task's file held after the last kill: where the next round starts from, and what
    /// a task the next round leaves alone must still hold after it.
    on_disk: BTreeMap<String, String>,
    /// The task open from each moment on: opened at a round's start, or switched to.
    current: Vec<(Instant, String)>,
    /// When the last round was killed.
    last_kill: Option<Instant>,
    /// The grace the last round was judged with.
    last_grace: Duration,
    /// Hidden temporary files of writes a kill cut short, seen after the kills (never read as work).
    leftovers: std::collections::BTreeSet<String>,
}

/// A state the child reported: when the parent heard of it, the script's choice behind it, the state.
type State = (Instant, usize, String);

#[derive(Default)]
struct Figures {
    rounds: usize,
    edits: usize,
    edits_lost: usize,
    /// Edits finished inside the grace before a kill and not on disk after it (allowed: the
    /// writer had not reached them).
    edits_in_grace_not_saved: usize,
    /// Kills inside an edit whose file held that edit's state, which the child never reported.
    cut_short_states: usize,
    /// Edits not on disk at a kill while the disk itself was stalling (see [`Stalls`]).
    edits_held_by_disk: usize,
    unreadable_files: usize,
    journal_problems: usize,
    times_backwards: usize,
    wrong_resume: usize,
    /// Wrong resumes while the disk or the machine stalled (see [`Stalls`]).
    resumes_held_by_disk: usize,
    /// The longest the writer took to drain its queue, sampled every 100 actions.
    max_lag_ms: u64,
    /// Rounds that went flat out, their edits and how long they worked.
    burst_rounds: usize,
    burst_edits: usize,
    burst_secs: f64,
}

/// One round: start the child, kill it after `life`, and check what it left.
fn round(
    bundle: &Path,
    data: &Path,
    stalls: &Stalls,
    seed: u64,
    life: Duration,
    history: &mut History,
    figures: &mut Figures,
) {
    let grace = grace_of(seed);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "torture_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, seed.to_string())
        .env("CLICKWORK_TORTURE_BUNDLE", bundle)
        .env("CLICKWORK_TORTURE_DATA", data)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let reader = {
        let (lines, stdout) = (Arc::clone(&lines), child.stdout.take().unwrap());
        std::thread::spawn(move || {
            let mut stdout = std::io::BufReader::new(stdout);
            let mut line = Vec::new();
            // A line the kill cut short has no newline: it is not a line the child finished.
            while stdout.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) && line.ends_with(b"\n")
            {
                let text = String::from_utf8_lossy(&line).trim_end().to_owned();
                lines.lock().unwrap().push((Instant::now(), text));
                line.clear();
            }
        })
    };
    // Wait until the session is open (the lock taken, the files read), then let it work for `life`.
    let opened = Instant::now();
    while !lines
        .lock()
        .unwrap()
        .iter()
        .any(|(_, l)| l.starts_with("opened "))
    {
        assert!(
            opened.elapsed() < Duration::from_secs(60),
            "the child never opened the session"
        );
        std::thread::yield_now();
    }
    std::thread::sleep(life);
    child.kill().unwrap();
    let killed = Instant::now();
    child.wait().unwrap();
    reader.join().unwrap();
    let lines = std::mem::take(&mut *lines.lock().unwrap());
    // It resumed on the task open a grace before the previous kill (that round's), or on one
    // switched to after that.
    if let (Some(kill), Some((_, first))) = (
        history.last_kill,
        lines.iter().find(|(_, l)| l.starts_with("opened ")),
    ) {
        let opened_on = first.trim_start_matches("opened ");
        let settled = history
            .current
            .iter()
            .rev()
            .find(|(at, _)| *at + history.last_grace <= kill);
        let late = history
            .current
            .iter()
            .filter(|(at, _)| *at + history.last_grace > kill);
        let acceptable: Vec<&str> = settled
            .into_iter()
            .chain(late)
            .map(|(_, t)| t.as_str())
            .collect();
        if !acceptable.contains(&opened_on) {
            eprintln!(
                "round {}: resumed on {opened_on}, expected one of {acceptable:?}",
                figures.rounds
            );
            // Where to resume is saved like an edit: a stall meanwhile may hold it back the same way.
            let since = settled.map_or(kill, |(at, _)| *at);
            let stalled = stalls
                .lock()
                .unwrap()
                .iter()
                .any(|(at, took)| *at + *took >= since && *at <= kill);
            if stalled {
                eprintln!("  (the disk stalled meanwhile)");
                figures.resumes_held_by_disk += 1;
            } else {
                figures.wrong_resume += 1;
            }
        }
    }
    for (_, line) in &lines {
        if let Some(lag) = line.strip_prefix("lag ") {
            figures.max_lag_ms = figures.max_lag_ms.max(lag.parse().unwrap_or(0));
        }
    }
    let mut states: BTreeMap<String, Vec<State>> = BTreeMap::new();
    for (at, line) in &lines {
        if let Some(task) = line
            .strip_prefix("task ")
            .or_else(|| line.strip_prefix("opened "))
        {
            history.current.push((*at, task.to_owned()));
        } else if let Some(rest) = line.strip_prefix("state ") {
            let (task, rest) = rest.split_once(' ').unwrap();
            let (choice, state) = rest.split_once(' ').unwrap();
            states.entry(task.to_owned()).or_default().push((
                *at,
                choice.parse().unwrap(),
                state.to_owned(),
            ));
            figures.edits += 1;
        }
    }
    history.last_kill = Some(killed);

    // When the kill fell inside an action (its "doing" line is the last), the open task's file may
    // hold that action's state, which no line reports: it may even equal an earlier state (an undo, a
    // delete of what was just drawn). Only then is the open task allowed one unreported state.
    // The script's choice of the action the kill cut short, if it did.
    let cut_short: Option<usize> = lines
        .iter()
        .rev()
        .find(|(_, l)| l.starts_with("doing ") || l.starts_with("state "))
        .and_then(|(_, l)| l.strip_prefix("doing "))
        .and_then(|rest| rest.split_once(' '))
        .map(|(_, choice)| choice.parse().unwrap());
    // Only an edit changes the open task's file (a task switch does not).
    let open_at_kill = history
        .current
        .last()
        .filter(|_| cut_short.is_some_and(|c| c < 90))
        .map(|(_, task)| task.clone());
    // An edit that can bring back an earlier state: relabel, delete, undo, redo.
    let may_repeat = cut_short.is_some_and(|c| (50..84).contains(&c));
    // Every edit finished a grace before the kill is on disk (the file holds that state or a later
    // one); a task this round did not change still holds what it held after the last kill. Each
    // round's states are judged at its own kill only: one finished inside the grace may be lost to
    // that kill, and the next round starts from what the disk kept.
    let annotations = data.join("work").join(BUNDLE_ID).join("annotations");
    for i in 0..TASKS {
        let task = format!("t{i}");
        let path = annotations.join(format!("{task}.json"));
        let on_disk = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<AnnotationFile>(&bytes) {
                Ok(file) => digest(file.status, &file.regions),
                Err(e) => {
                    figures.unreadable_files += 1;
                    eprintln!("{}: {e}", path.display());
                    continue;
                }
            },
            Err(_) => digest(TaskStatus::New, &[]),
        };
        let before = history
            .on_disk
            .insert(task.clone(), on_disk.clone())
            .unwrap_or_else(|| digest(TaskStatus::New, &[]));
        let states = states.get(&task).map(Vec::as_slice).unwrap_or_default();
        let found = states.iter().rposition(|(.., s)| *s == on_disk);
        let open = open_at_kill.as_deref() == Some(task.as_str());
        let required = states.iter().rposition(|(at, ..)| *at + grace <= killed);
        let kept = match required {
            // The same state may recur (an undo back to it); what counts is that nothing later is
            // missing.
            Some(required) => states[required..].iter().any(|(.., s)| *s == on_disk),
            None => on_disk == before || found.is_some(),
        };
        // The one unreported state of an action the kill cut short: not among those reported,
        // or equal to the one before the last.
        let cut_short_state = open
            && !kept
            && match (found, required) {
                (None, _) => on_disk != before,
                (Some(found), Some(required)) => may_repeat && found + 1 >= required,
                (Some(_), None) => false,
            };
        if cut_short_state {
            figures.cut_short_states += 1;
        }
        if kept || cut_short_state {
            let saved_up_to = found.map_or(0, |f| f + 1);
            figures.edits_in_grace_not_saved += states.len().saturating_sub(saved_up_to);
            continue;
        }
        let Some(required) = required.or((!states.is_empty()).then_some(0)) else {
            eprintln!(
                "round {}: {task}: untouched this round, yet the disk changed\n  was: {before:.200}\n  now: {on_disk:.200}",
                figures.rounds
            );
            figures.edits_lost += 1;
            continue;
        };
        let (from, missing) = match found {
            Some(found) => (found, required.saturating_sub(found)),
            None => (0, required + 1),
        };
        eprintln!(
            "round {}: {task}: on disk is {} of this round's {} states; state {required} was {} ms \
             before the kill\n  disk: {on_disk:.200}\n  want: {:.200}\n  the script's choices since: {:?}",
            figures.rounds,
            found.map_or("none".to_owned(), |f| format!("state {f}")),
            states.len(),
            killed.duration_since(states[required].0).as_millis(),
            states[required].2,
            states[from..=required]
                .iter()
                .map(|(_, c, _)| c)
                .collect::<Vec<_>>()
        );
        *lost(figures, stalls, states[required].0, killed) += missing;
    }
    // Every other annotation file parses too.
    for entry in std::fs::read_dir(&annotations)
        .into_iter()
        .flatten()
        .flatten()
    {
        // A temporary file of a write the kill cut short is not an annotation file.
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            history.leftovers.insert(name);
            continue;
        }
        // A file set aside means the session found one it could not use: work would be lost.
        if name.contains(".unreadable-") || name.contains(".stale-") {
            if history.leftovers.insert(name.clone()) {
                eprintln!("set aside: {name}");
                figures.unreadable_files += 1;
            }
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        if let Err(e) = serde_json::from_slice::<AnnotationFile>(&bytes) {
            eprintln!("unreadable: {}: {e}", entry.path().display());
            figures.unreadable_files += 1;
        }
    }
    history.last_grace = grace;
    if is_burst_round(seed) {
        figures.burst_rounds += 1;
        figures.burst_edits += states.values().map(Vec::len).sum::<usize>();
        figures.burst_secs += life.as_secs_f64();
    }
    figures.rounds += 1;
}

/// Where a loss of a state reported at `since` is counted: held back by the disk when an fsync
/// stalled between then and the kill, else lost.
fn lost<'a>(
    figures: &'a mut Figures,
    stalls: &Stalls,
    since: Instant,
    killed: Instant,
) -> &'a mut usize {
    let stalled = stalls
        .lock()
        .unwrap()
        .iter()
        .any(|(at, took)| *at + *took >= since && *at <= killed);
    if stalled {
        eprintln!("  (the disk stalled meanwhile)");
        &mut figures.edits_held_by_disk
    } else {
        &mut figures.edits_lost
    }
}

/// The work log parses whole, and no task's derived time is smaller than after the last round.
fn check_journal(data: &Path, previous: &mut BTreeMap<String, u64>, figures: &mut Figures) {
    let path = data.join("work").join(BUNDLE_ID).join("worklog.jsonl");
    let bytes = std::fs::read(&path).unwrap_or_default();
    let read = parse_journal(&bytes);
    figures.journal_problems += read.problems.len();
    let times = derive_times(&read.events, 300_000);
    for task in &times.tasks {
        let before = previous.entry(task.task_id.clone()).or_default();
        if task.active_ms < *before || task.wall_ms < task.active_ms {
            figures.times_backwards += 1;
        }
        *before = task.active_ms;
    }
}

#[test]
fn a_kill_at_any_moment_loses_no_edit_finished_a_moment_before_it() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let rounds: usize = std::env::var("CLICKWORK_TORTURE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle_dir(dir.path());
    let data = dir.path().join("data");
    let mut history = History::default();
    let mut figures = Figures::default();
    let mut times = BTreeMap::new();
    let mut rng = Rng(20261203);
    let stalls: Stalls = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe = {
        let (dir, stalls, stop) = (
            dir.path().to_owned(),
            Arc::clone(&stalls),
            Arc::clone(&stop),
        );
        std::thread::spawn(move || probe_disk(dir, stalls, stop))
    };
    let started = Instant::now();
    for n in 0..rounds {
        let life = Duration::from_millis(20 + rng.below(600) as u64);
        round(
            &bundle,
            &data,
            &stalls,
            n as u64,
            life,
            &mut history,
            &mut figures,
        );
        check_journal(&data, &mut times, &mut figures);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    probe.join().unwrap();
    let disk_stalls = stalls.lock().unwrap().len();
    println!(
        "grace {} ms (burst rounds {} ms)  rounds {}  edits {}  edits lost {}  (inside the grace, not yet saved at the kill: {}; unreported states of a cut-short edit: {})  held back by the disk {} ({disk_stalls} stalls over {} ms)  unreadable files {}  journal problems {}  \
         times backwards {}  wrong resume {} (held back by the disk {})  writer lag at most {} ms  \
         burst rounds {} at {:.0} edits/s over their life  temporary leftovers {}  ({:.1} s)",
        grace().as_millis(),
        burst_grace().as_millis(),
        figures.rounds,
        figures.edits,
        figures.edits_lost,
        figures.edits_in_grace_not_saved,
        figures.cut_short_states,
        figures.edits_held_by_disk,
        STALL.as_millis(),
        figures.unreadable_files,
        figures.journal_problems,
        figures.times_backwards,
        figures.wrong_resume,
        figures.resumes_held_by_disk,
        figures.max_lag_ms,
        figures.burst_rounds,
        figures.burst_edits as f64 / figures.burst_secs.max(0.001),
        history.leftovers.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        figures.edits > rounds,
        "the child did work: {} edits",
        figures.edits
    );
    assert_eq!(
        (
            figures.edits_lost,
            figures.unreadable_files,
            figures.journal_problems,
            figures.times_backwards,
            figures.wrong_resume
        ),
        (0, 0, 0, 0, 0)
    );
}
