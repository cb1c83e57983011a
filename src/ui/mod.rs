//! The eframe shell: thin, reads domain state and turns the worker's input into domain calls.

pub mod app;
pub mod canvas;
pub mod command;
pub mod export_job;
pub mod image_loader;
pub mod markdown;
pub mod panels;
pub mod view;

use crate::cli::Cli;
use crate::domain::bundle::LoadOptions;
use crate::domain::store::RecentBundles;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The window icon: a mountain outlined over the sky.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// Where "now" comes from: the system clock in the app, a mock in tests.
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

/// Everything the window needs to start.
#[derive(Clone)]
pub struct AppConfig {
    /// The worker's data folder.
    pub data_dir: PathBuf,
    /// The bundle to open; `None` opens the last one, else the bundled sample.
    pub bundle_path: Option<PathBuf>,
    /// How bundles are loaded.
    pub load_options: LoadOptions,
    /// The time source.
    pub clock: Clock,
}

/// The sample bundle shipped with clickwork: beside the sources when run with cargo, else beside the
/// executable.
pub fn sample_bundle_path() -> PathBuf {
    let from_sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_tasks/landscapes");
    if from_sources.exists() {
        return from_sources;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("sample_tasks/landscapes")))
        .unwrap_or(from_sources)
}

/// The bundle the window opens: the one asked for, else the most recent that still exists, else the
/// sample.
pub fn initial_bundle(asked: Option<&Path>, data_dir: &Path) -> PathBuf {
    if let Some(path) = asked {
        return path.to_owned();
    }
    RecentBundles::load(data_dir)
        .ok()
        .and_then(|recent| {
            recent
                .bundles
                .into_iter()
                .map(|b| b.path)
                .find(|p| p.exists())
        })
        .unwrap_or_else(sample_bundle_path)
}

/// Opens the window and runs until it is closed.
pub fn run(cli: &Cli) -> ExitCode {
    let data_dir = match cli.data_dir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let config = AppConfig {
        load_options: cli.load_options(&data_dir),
        bundle_path: cli.path.clone(),
        data_dir,
        clock: system_clock(),
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("clickwork")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([640.0, 400.0]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON_PNG) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    match eframe::run_native(
        "clickwork",
        options,
        Box::new(move |cc| Ok(Box::new(app::App::new(cc, config)))),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot open the window: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes() {
        let icon = eframe::icon_data::from_png_bytes(super::ICON_PNG).unwrap();
        assert_eq!((icon.width, icon.height), (128, 128));
    }
}
