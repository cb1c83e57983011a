//! The use cases that join the store, the work log and the ledger to the codecs: a bundle's work as a
//! dataset, an export written to a folder, the submission package, one row per task for
//! researchers, and a new bundle from a folder of images. The codecs under `formats` never reach the store; these do.

pub mod dataset;
pub mod export;
pub mod gold;
pub mod making;
pub mod merge;
pub mod new_bundle;
pub mod package;
pub mod split;
pub mod submission;
pub mod task_rows;

pub use dataset::{StatusFilter, WorkspaceDataset, dataset_from_workspace};
pub use export::{
    FolderExport, WriteError, check_output_folder, export_rules, export_to_folder,
    export_with_files, write_tree,
};
pub use task_rows::{TASK_COLUMNS, TaskRow, is_task_rows_file, task_rows, write_csv, write_jsonl};
