//! Everything that is not drawing. Nothing under this module imports egui or eframe (a test enforces it),
//! so all of it can be tested directly and reused by the command line.

pub mod annotation;
pub mod bundle;
pub mod dashboard;
pub mod edit;
pub mod formats;
pub mod geometry;
pub mod history;
pub mod image_decode;
pub mod ledger;
pub mod natural_sort;
pub mod safe_output;
pub mod session;
pub mod settings;
pub mod store;
pub mod worklog;
