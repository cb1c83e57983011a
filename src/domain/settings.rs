//! The worker's settings, `<data>/settings.json`: the pseudonymous worker id made on first run, the
//! reference wage, the daily goal and the idle threshold. Written atomically; unknown keys are kept.
//!
//! No personal data is stored: the worker id is random and says nothing about the worker.

use crate::domain::ledger::{Money, ReferenceWage};
use crate::domain::store::{Layout, StoreError, format_time};
use crate::domain::worklog::{DEFAULT_IDLE_SECS, MIN_IDLE_SECS};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The value of the `format` key of `settings.json`.
pub const SETTINGS_FORMAT: &str = "clickwork-settings/1";

/// The worker's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Always [`SETTINGS_FORMAT`].
    pub format: String,
    /// The worker's pseudonymous id: 32 random hex digits, made on first run.
    pub worker_id: String,
    /// The wage the worker compares the effective hourly wage with.
    #[serde(default)]
    pub reference_wage: ReferenceWage,
    /// What the worker aims to earn in a day, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_goal: Option<Money>,
    /// Gaps between events of this many seconds or more are idle.
    #[serde(default = "default_idle_secs")]
    pub idle_secs: u64,
    /// When the settings were first made, RFC 3339 UTC.
    #[serde(default)]
    pub created_at: String,
    /// Keys this version does not know, kept so a rewrite never drops them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn default_idle_secs() -> u64 {
    DEFAULT_IDLE_SECS
}

impl Settings {
    /// Fresh settings with a new worker id.
    pub fn new(now: DateTime<Utc>) -> Self {
        Settings {
            format: SETTINGS_FORMAT.to_owned(),
            worker_id: crate::domain::ids::worker_id(),
            reference_wage: ReferenceWage::default(),
            daily_goal: None,
            idle_secs: DEFAULT_IDLE_SECS,
            created_at: format_time(now),
            extra: Map::new(),
        }
    }

    /// The settings file under `data_dir`.
    pub fn path(data_dir: &Path) -> PathBuf {
        Layout::new(data_dir).settings()
    }

    /// The idle threshold in milliseconds (never below [`MIN_IDLE_SECS`]).
    pub fn idle_ms(&self) -> u64 {
        self.idle_secs.max(MIN_IDLE_SECS).saturating_mul(1000)
    }

    /// Reads the settings, if the file exists and is usable.
    pub fn load(data_dir: &Path) -> Result<Option<Settings>, StoreError> {
        let path = Self::path(data_dir);
        crate::domain::io_guard::assert_off_ui_thread(&path);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        let settings: Settings =
            serde_json::from_slice(&bytes).map_err(|source| StoreError::Json {
                path: path.clone(),
                source,
            })?;
        if settings.format != SETTINGS_FORMAT || settings.worker_id.is_empty() {
            return Err(StoreError::Mismatch {
                path,
                message: format!(
                    "format {:?} is not {SETTINGS_FORMAT}, or there is no worker_id",
                    settings.format
                ),
            });
        }
        Ok(Some(settings))
    }

    /// Reads the settings, making them (and the worker id) on first run. A file that cannot be used is
    /// set aside as `settings.unreadable-<time>.json`, never overwritten, and fresh settings are made;
    /// the returned warnings say so. Settings that cannot be saved are still returned, with a warning.
    pub fn load_or_create(
        data_dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<(Settings, Vec<String>), StoreError> {
        let mut warnings = Vec::new();
        match Self::load(data_dir) {
            Ok(Some(settings)) => return Ok((settings, warnings)),
            Ok(None) => {}
            Err(e @ (StoreError::Json { .. } | StoreError::Mismatch { .. })) => {
                let path = Self::path(data_dir);
                let stamp = now.format("%Y%m%dT%H%M%S%.3fZ");
                let kept = path.with_file_name(format!("settings.unreadable-{stamp}.json"));
                std::fs::rename(&path, &kept).map_err(|e| StoreError::io(&path, e))?;
                warnings.push(format!(
                    "{e}; kept as {} and made new settings (a new worker id)",
                    kept.display()
                ));
            }
            Err(e) => return Err(e),
        }
        let settings = Settings::new(now);
        if let Err(e) = settings.save(data_dir) {
            warnings.push(format!("could not save the settings: {e}"));
        }
        Ok((settings, warnings))
    }

    /// Writes the settings atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::io(data_dir, e))?;
        crate::domain::store::write_json(&Self::path(data_dir), self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rust_decimal::Decimal;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    #[test]
    fn the_worker_id_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (first, warnings) = Settings::load_or_create(dir.path(), t0()).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(first.worker_id.len(), 32);
        assert!(first.worker_id.bytes().all(|b| b.is_ascii_hexdigit()));
        let (again, _) = Settings::load_or_create(dir.path(), t0()).unwrap();
        assert_eq!(again.worker_id, first.worker_id);
        assert_eq!(again.reference_wage.amount, Decimal::new(725, 2));
        assert_eq!(again.idle_ms(), 100_000);
    }

    #[test]
    fn unknown_keys_survive_and_a_broken_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = Settings::path(dir.path());
        std::fs::write(
            &path,
            br#"{"format":"clickwork-settings/1","worker_id":"abc","idle_secs":30,
                "reference_wage":{"amount":"15","currency":"USD","name":"Fair Work"},
                "daily_goal":{"amount":"20.50","currency":"EUR"},"theme":"dark"}"#,
        )
        .unwrap();
        let (settings, _) = Settings::load_or_create(dir.path(), t0()).unwrap();
        assert_eq!(settings.idle_secs, 30);
        assert_eq!(settings.reference_wage.name, "Fair Work");
        assert_eq!(
            settings.daily_goal.as_ref().map(|g| g.amount),
            Some(Decimal::new(2050, 2))
        );
        settings.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"theme\": \"dark\""), "{text}");
        assert!(text.contains("\"amount\": \"20.50\""), "{text}");

        std::fs::write(&path, b"{ torn").unwrap();
        let (fresh, warnings) = Settings::load_or_create(dir.path(), t0()).unwrap();
        assert_ne!(fresh.worker_id, "abc");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("settings.json"), "{warnings:?}");
        let kept = dir
            .path()
            .join("settings.unreadable-20261128T120000.000Z.json");
        assert_eq!(std::fs::read(kept).unwrap(), b"{ torn");
    }
}
