//! The system's file dialogs, each on a thread of its own so the window keeps drawing while one is
//! open. Where the system has none (no desktop portal and no zenity), the dialog returns at once; the
//! app then offers a field to type the path, and says why.

use crate::ui::state::PathPurpose;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// A dialog that answers faster than this was never shown: no person cancels that fast.
const NO_DIALOG: Duration = Duration::from_millis(400);

/// How a dialog ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    /// The worker picked this path.
    Path(PathPurpose, PathBuf),
    /// The worker closed the dialog.
    Cancelled(PathPurpose),
    /// No dialog could be shown on this system.
    Unavailable(PathPurpose),
}

/// The dialog open now, if any.
#[derive(Default)]
pub struct Dialogs {
    open: Option<(PathPurpose, Instant, Receiver<Option<PathBuf>>)>,
}

impl Dialogs {
    /// Opens the system's dialog for `purpose` (one at a time; a second ask while one is open is
    /// ignored). `suggested` names the file a save dialog proposes. `wake` repaints the window when
    /// the dialog closes.
    pub fn open(
        &mut self,
        purpose: PathPurpose,
        suggested: Option<String>,
        wake: impl Fn() + Send + 'static,
    ) {
        if self.open.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("clickwork-dialog".into())
            .spawn(move || {
                let picked = pollster::block_on(show(purpose, suggested));
                // The window may have closed meanwhile.
                let _ = tx.send(picked);
                wake();
            });
        match spawned {
            Ok(_) => self.open = Some((purpose, Instant::now(), rx)),
            Err(e) => log::error!("cannot start a file dialog: {e}"),
        }
    }

    /// How the open dialog ended, once it has.
    pub fn poll(&mut self) -> Option<Picked> {
        let (purpose, started, rx) = self.open.as_ref()?;
        let answer = match rx.try_recv() {
            Ok(answer) => answer,
            Err(mpsc::TryRecvError::Empty) => return None,
            Err(mpsc::TryRecvError::Disconnected) => None,
        };
        let (purpose, quick) = (*purpose, started.elapsed() < NO_DIALOG);
        self.open = None;
        Some(match answer {
            Some(path) => Picked::Path(purpose, path),
            None if quick => Picked::Unavailable(purpose),
            None => Picked::Cancelled(purpose),
        })
    }
}

async fn show(purpose: PathPurpose, suggested: Option<String>) -> Option<PathBuf> {
    let dialog = rfd::AsyncFileDialog::new();
    let handle = match purpose {
        PathPurpose::OpenFolder => dialog.set_title("Open a bundle folder").pick_folder().await,
        PathPurpose::OpenZip => {
            dialog
                .set_title("Open a zipped bundle")
                .add_filter("zip", &["zip"])
                .pick_file()
                .await
        }
        PathPurpose::ExportLabels => {
            dialog
                .set_title("Export labels into a folder")
                .pick_folder()
                .await
        }
        PathPurpose::ImportReview => {
            dialog
                .set_title("Import a review file")
                .add_filter("review", &["csv", "json"])
                .pick_file()
                .await
        }
        PathPurpose::ExportMyData => {
            dialog
                .set_title("Export my data")
                .set_file_name(suggested.unwrap_or_default())
                .save_file()
                .await
        }
    };
    handle.map(|h| h.path().to_owned())
}
