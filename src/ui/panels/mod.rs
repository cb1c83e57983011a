//! The panels around the canvas. Each reads the app's state and pushes [`Action`]s; none mutates the
//! session directly.
//!
//! [`Action`]: crate::ui::app::Action

mod earnings;
mod overlays;
mod problems;
mod settings;
mod side;
mod tools;
mod top_bar;

pub use earnings::{EarningsState, SortBy, band_color, earnings_ui};
pub use overlays::{help_ui, skip_dialog_ui};
pub use problems::problems_ui;
pub use settings::{SettingsAction, SettingsForm, settings_ui};
pub use side::right_panel_ui;
pub use tools::left_panel_ui;
pub use top_bar::{status_bar_ui, top_bar_ui};
