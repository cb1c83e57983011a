//! "Export labels…" from the window: the export runs on a worker thread (a large bundle takes
//! seconds), reports its progress, and ends with the same summary the command line prints.

use crate::domain::bundle::Bundle;
use crate::domain::formats::Format;
use crate::domain::work::{
    FolderExport, StatusFilter, dataset_from_workspace, export_rules, export_to_folder,
};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where an export stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportStatus {
    /// Working: steps done of steps in all.
    Running(usize, usize),
    /// Done: the summary.
    Finished(String),
    /// Failed: why, naming the file.
    Failed(String),
}

/// One export in the background.
pub struct ExportJob {
    progress: Arc<Mutex<(usize, usize)>>,
    result: Receiver<Result<String, String>>,
    status: ExportStatus,
}

impl ExportJob {
    /// Starts exporting the submitted tasks of `bundle` (from the workspace under `data_dir`) in every
    /// format, each in its own subfolder of `out`. `wake` repaints the window on progress.
    pub fn start(
        bundle: Bundle,
        data_dir: PathBuf,
        out: PathBuf,
        wake: impl Fn() + Send + 'static,
    ) -> Self {
        let total = Format::ALL_EXPORTS.len() + 1;
        let progress = Arc::new(Mutex::new((0, total)));
        let (tx, rx) = mpsc::channel();
        let shared = Arc::clone(&progress);
        let spawned = std::thread::Builder::new()
            .name("clickwork-export".into())
            .spawn(move || {
                let result = run(&bundle, &data_dir, &out, |done, total| {
                    if let Ok(mut p) = shared.lock() {
                        *p = (done, total);
                    }
                    wake();
                });
                // The window may have closed; then nobody waits for the result.
                let _ = tx.send(result);
                wake();
            });
        let status = match spawned {
            Ok(_) => ExportStatus::Running(0, total),
            Err(e) => ExportStatus::Failed(format!("cannot start the export: {e}")),
        };
        ExportJob {
            progress,
            result: rx,
            status,
        }
    }

    /// True until the export has finished or failed (as of the last poll).
    pub fn is_running(&self) -> bool {
        matches!(self.status, ExportStatus::Running(..))
    }

    /// Where the export stands now.
    pub fn poll(&mut self) -> &ExportStatus {
        if let ExportStatus::Running(..) = self.status {
            match self.result.try_recv() {
                Ok(Ok(summary)) => self.status = ExportStatus::Finished(summary),
                Ok(Err(message)) => self.status = ExportStatus::Failed(message),
                Err(_) => {
                    let (done, total) = self.progress.lock().map_or((0, 1), |p| *p);
                    self.status = ExportStatus::Running(done, total);
                }
            }
        }
        &self.status
    }

    /// Blocks until the export ends, up to `timeout` (tests).
    pub fn wait(&mut self, timeout: Duration) -> &ExportStatus {
        if let ExportStatus::Running(..) = self.status {
            match self.result.recv_timeout(timeout) {
                Ok(Ok(summary)) => self.status = ExportStatus::Finished(summary),
                Ok(Err(message)) => self.status = ExportStatus::Failed(message),
                Err(_) => {}
            }
        }
        &self.status
    }
}

fn run(
    bundle: &Bundle,
    data_dir: &Path,
    out: &Path,
    progress: impl FnMut(usize, usize),
) -> Result<String, String> {
    let work = dataset_from_workspace(bundle, data_dir, StatusFilter::Submitted)
        .map_err(|e| e.to_string())?;
    let rules = export_rules(bundle, data_dir);
    let what = FolderExport {
        formats: &Format::ALL_EXPORTS,
        nested: true,
        copy_images: false,
        force: false,
        rules: &rules,
    };
    let lines = export_to_folder(&work.dataset, &what, out, progress).map_err(|e| e.to_string())?;
    let mut text = format!(
        "Exported {} submitted task(s) of {} to {}",
        work.dataset.images.len(),
        bundle.title,
        out.display()
    );
    for line in lines.iter().chain(work.warnings.iter()) {
        text.push_str("\n- ");
        text.push_str(line);
    }
    if work.dataset.images.is_empty() {
        text.push_str("\nNo task is submitted yet: submit tasks (Ctrl+Enter) to export them.");
    }
    Ok(text)
}
