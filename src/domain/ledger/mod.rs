//! The ledger: what each submitted task pays (pending until a requester's review approves or rejects
//! it), totals per period, bundle, requester and currency, and the effective hourly wage counting
//! unpaid time. Money is a `rust_decimal::Decimal`, never a float; currencies are never converted.
//!
//! Rewards come from the work log (each `task_submitted` line records the reward at the time), reviews
//! from `reviews.json` in the bundle's workspace.

mod book;
mod earnings;
mod hara;
mod report;
mod review;
mod review_file;
mod wage;

pub use crate::domain::money::{Money, amount_text};
pub use book::{
    Ledger, LedgerEntry, Period, WorkspaceLog, ledger_entries, ledger_of, load_all_logs,
    period_range,
};
pub use earnings::{Earnings, RewardState, Totals};
pub use hara::{HaraWages, hara_wages};
pub use report::{Report, TimeSplit, Wage, bundle_report, hms, secs, split_time, wages};
pub use review::{ImportRecord, ImportSummary, REVIEWS_FORMAT, Review, Reviews, import_reviews};
pub use review_file::{ReviewImportError, ReviewRow, ReviewStatus, RowProblem, read_review_file};
pub use wage::{
    GoalProgress, NEAR_FACTOR, ReferenceWage, WageBand, goal_progress, hourly_wage, wage_band,
};
