//! The panels around the canvas. Each reads the state it draws (the workbench, the view state, or
//! less) and pushes [`Action`]s; none changes the session itself.
//!
//! [`Action`]: crate::ui::state::Action

mod earnings;
mod overlays;
mod problems;
mod settings;
mod side;
mod task_list;
mod tools;
mod top_bar;

pub use earnings::{band_color, earnings_ui};
pub use overlays::{help_ui, path_prompt_ui, skip_dialog_ui, unsaved_close_ui};
pub use problems::problems_ui;
pub use settings::settings_ui;
pub use side::right_panel_ui;
pub use tools::left_panel_ui;
pub use top_bar::{status_bar_ui, top_bar_ui};
