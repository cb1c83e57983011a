//! A debug-build tripwire for file I/O on the window's thread. The window marks its thread while it
//! runs a frame; the store's reads and writes, bundle loading, work-log reading and image decoding
//! call [`assert_off_ui_thread`], which panics in debug builds (and so in tests) when called from a
//! marked thread. Release builds check nothing. It imports nothing of the UI: it only knows "this
//! thread must not wait for the disk".

use std::cell::Cell;
use std::path::Path;

thread_local! {
    static MARKED: Cell<bool> = const { Cell::new(false) };
}

/// While alive, the current thread counts as the window's thread; dropping it restores what was.
#[derive(Debug)]
pub struct UiThreadMark {
    before: bool,
}

impl Drop for UiThreadMark {
    fn drop(&mut self) {
        MARKED.with(|m| m.set(self.before));
    }
}

/// Marks the current thread as the window's until the returned mark is dropped.
pub fn mark_ui_thread() -> UiThreadMark {
    let before = MARKED.with(|m| m.replace(true));
    UiThreadMark { before }
}

/// True on a thread marked by [`mark_ui_thread`].
pub fn on_ui_thread() -> bool {
    MARKED.with(Cell::get)
}

/// Panics, in debug builds, when called on the window's thread: `path` is the file about to be read or
/// written, named in the message so the test that trips it says where.
#[track_caller]
pub fn assert_off_ui_thread(path: &Path) {
    #[allow(clippy::panic)] // the point of the tripwire, and only in debug builds
    if cfg!(debug_assertions) && on_ui_thread() {
        panic!(
            "file I/O on the window's thread: {} (move it to a background job)",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_lasts_as_long_as_its_guard_and_nests() {
        assert!(!on_ui_thread());
        {
            let _outer = mark_ui_thread();
            assert!(on_ui_thread());
            {
                let _inner = mark_ui_thread();
                assert!(on_ui_thread());
            }
            assert!(on_ui_thread());
        }
        assert!(!on_ui_thread());
        assert_off_ui_thread(Path::new("fine.json"));
    }

    #[test]
    #[should_panic(expected = "window's thread: x.json")]
    fn io_on_a_marked_thread_panics_in_debug_builds() {
        let _mark = mark_ui_thread();
        if cfg!(debug_assertions) {
            assert_off_ui_thread(Path::new("x.json"));
        } else {
            panic!("window's thread: x.json (release builds do not check)");
        }
    }
}
