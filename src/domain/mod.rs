//! Everything that is not drawing. Nothing under this module imports egui or eframe (a test enforces it),
//! so all of it can be tested directly and reused by the command line.

pub mod annotation;
pub mod bundle;
pub(crate) mod canonical;
pub mod clock;
pub mod dashboard;
pub mod edit;
pub mod formats;
pub mod geometry;
pub mod history;
pub mod hit_index;
pub mod ids;
pub mod image_decode;
pub mod io_guard;
pub mod json_location;
pub mod ledger;
pub mod money;
pub mod natural_sort;
pub mod palette;
pub mod pyramid;
pub mod safe_output;
pub mod session;
pub mod settings;
pub mod store;
pub mod task_list;
pub mod work;
pub mod worklog;
