//! clickwork: an offline annotation workbench for micro-workers, researchers who measure task time, and
//! trainers who prepare datasets.
//!
//! [`domain`] holds everything that is not drawing (bundles, geometry, edits and undo, the workspace on
//! disk) and never imports egui; [`ui`] is the thin eframe shell; [`cli`] holds the headless subcommands.

pub mod cli;
pub mod domain;
pub mod ui;
