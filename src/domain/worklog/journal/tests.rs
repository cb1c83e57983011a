use super::*;
use crate::domain::worklog::{EventKind, Stamp};
use chrono::{Duration, TimeZone, Utc};

fn event(ms: u64, kind: EventKind) -> Event {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
    let stamp = Stamp {
        at: t0 + Duration::milliseconds(ms as i64),
        mono_ms: ms,
    };
    Event::new(stamp, "s1", Some("a"), kind)
}

#[test]
fn lines_that_could_not_be_written_wait_in_order_and_land_when_the_disk_takes_them() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the journal's folder should be: every write fails, as on a full disk.
    let blocker = dir.path().join("work");
    std::fs::write(&blocker, b"in the way").unwrap();
    let path = blocker.join("worklog.jsonl");
    let writer = JournalWriter::new(path.clone());
    writer.append(&event(0, EventKind::Pause), true);
    writer.append(&event(10, EventKind::Resume), false);
    writer.flush();
    let unsaved = writer.unsaved().unwrap();
    assert_eq!(unsaved.count, 2);
    assert!(unsaved.error.contains("worklog.jsonl"), "{}", unsaved.error);
    writer.append(&event(20, EventKind::FocusLost), false);
    writer.flush();
    assert_eq!(writer.unsaved().map(|u| u.count), Some(3));
    assert_eq!(
        writer.take_errors().len(),
        1,
        "one report per run of failures"
    );
    std::fs::remove_file(&blocker).unwrap();
    writer.flush();
    assert_eq!(writer.unsaved(), None);
    let read = read_journal(&path).unwrap();
    let kinds: Vec<&str> = read.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["pause", "resume", "focus_lost"]);
    assert!(read.problems.is_empty() && !read.torn_tail);
}

#[test]
fn a_journal_deleted_while_open_is_started_again_not_written_into_the_void() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("work/b/worklog.jsonl");
    let mut journal = JournalFile::new(path.clone());
    journal.append(&event(0, EventKind::Pause), true).unwrap();
    std::fs::remove_dir_all(dir.path().join("work")).unwrap();
    journal.append(&event(10, EventKind::Resume), true).unwrap();
    let read = read_journal(&path).unwrap();
    let kinds: Vec<&str> = read.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["resume"]);
}

#[test]
fn a_torn_last_line_is_ignored_and_the_next_append_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("work/b/worklog.jsonl");
    let mut journal = JournalFile::new(path.clone());
    journal.append(&event(0, EventKind::Pause), true).unwrap();
    journal
        .append(&event(10, EventKind::Resume), false)
        .unwrap();
    drop(journal);
    // A crash in the middle of writing the third line.
    let third = event(20, EventKind::FocusLost).to_line();
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(&third.as_bytes()[..25]).unwrap();
    drop(file);

    let read = read_journal(&path).unwrap();
    assert_eq!(read.events.len(), 2);
    assert!(read.torn_tail);
    assert!(read.problems.is_empty());

    let mut journal = JournalFile::new(path.clone());
    journal
        .append(&event(30, EventKind::FocusGained), true)
        .unwrap();
    let read = read_journal(&path).unwrap();
    let kinds: Vec<&str> = read.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["pause", "resume", "focus_gained"]);
    assert!(!read.torn_tail);
    // The torn part was cut off: the journal parses whole.
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    // A whole event missing only its newline is kept, and the next line starts after it.
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(event(40, EventKind::Pause).to_line().trim_end().as_bytes())
        .unwrap();
    drop(file);
    let mut journal = JournalFile::new(path.clone());
    journal.append(&event(50, EventKind::Resume), true).unwrap();
    let read = read_journal(&path).unwrap();
    let kinds: Vec<&str> = read.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        ["pause", "resume", "focus_gained", "pause", "resume"]
    );
    assert!(read.problems.is_empty());
}

#[test]
fn a_bad_line_in_the_middle_is_skipped_and_reported_with_its_number() {
    let mut bytes = event(0, EventKind::Pause).to_line().into_bytes();
    bytes.extend_from_slice(b"{\"kind\": \"half\n");
    bytes.extend(event(10, EventKind::Resume).to_line().into_bytes());
    let read = parse_journal(&bytes);
    assert_eq!(read.events.len(), 2);
    assert_eq!(read.problems.len(), 1);
    assert_eq!(read.problems[0].line, 2);
    let described = read.describe_problems(Path::new("worklog.jsonl"));
    assert!(described[0].contains("worklog.jsonl:2:"), "{described:?}");
}

#[test]
fn a_whole_event_missing_only_its_newline_counts() {
    let line = event(5, EventKind::Pause).to_line();
    let read = parse_journal(line.trim_end().as_bytes());
    assert_eq!(read.events.len(), 1);
    assert!(!read.torn_tail);
    assert_eq!(parse_journal(b""), JournalRead::default());
    let bad = parse_journal(b"\n\xff\xfe\n{\"kind\":1}\n");
    assert_eq!(bad.problems.len(), 2);
    assert_eq!((bad.problems[0].line, bad.problems[1].line), (2, 3));
}

#[test]
fn the_writer_thread_writes_in_order_and_flushes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("worklog.jsonl");
    let writer = JournalWriter::new(path.clone());
    for i in 0..500u64 {
        writer.append(&event(i, EventKind::Pause), i % 100 == 0);
    }
    writer.flush();
    let read = read_journal(&path).unwrap();
    assert_eq!(read.events.len(), 500);
    assert!(read.events.windows(2).all(|w| w[0].mono_ms < w[1].mono_ms));
    writer.append(&event(900, EventKind::Resume), false);
    drop(writer);
    assert_eq!(read_journal(&path).unwrap().events.len(), 501);
    assert!(
        read_journal(&dir.path().join("none.jsonl"))
            .unwrap()
            .events
            .is_empty()
    );
}

#[test]
fn an_unwritable_journal_reports_once_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should be: every open fails.
    let path = dir.path().join("worklog.jsonl");
    std::fs::create_dir_all(&path).unwrap();
    let writer = JournalWriter::new(path.clone());
    for i in 0..10 {
        writer.append(&event(i, EventKind::Pause), false);
    }
    writer.flush();
    let errors = writer.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].to_string().contains("worklog.jsonl"));
}
