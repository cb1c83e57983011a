//! The eframe shell: thin, reads domain state and turns the worker's input into domain calls.

pub mod app;
pub mod canvas;
pub mod command;
pub mod export_job;
pub mod forms;
pub mod image_loader;
pub mod panels;
pub mod state;
pub mod tiles;

use crate::domain::bundle::LoadOptions;
pub use crate::domain::clock::{Clock, system_clock};
use std::path::PathBuf;

/// The window icon: a mountain outlined over the sky.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

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
    /// The system's wall clock, read only to notice it stepping away from `clock` (recorded in the
    /// work log as `clock_jumped`); `None` does not look.
    pub wall_clock: Option<Clock>,
}

/// When the process started (the first call; `main` makes it first): the window logs how long after
/// it the first photo was painted (`RUST_LOG=clickwork::ui=info`), the launch figure of
/// docs/performance.md.
pub fn launched_at() -> std::time::Instant {
    static LAUNCHED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *LAUNCHED.get_or_init(std::time::Instant::now)
}

/// Opens the window on `config` and runs until it is closed; the error says why no window could open.
pub fn run(config: AppConfig) -> Result<(), String> {
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
    eframe::run_native(
        "clickwork",
        options,
        Box::new(move |cc| Ok(Box::new(app::App::new(cc, config)))),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes() {
        let icon = eframe::icon_data::from_png_bytes(super::ICON_PNG).unwrap();
        assert_eq!((icon.width, icon.height), (128, 128));
    }
}
