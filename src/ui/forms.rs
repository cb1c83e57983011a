//! The state of what the worker types and sorts in windows: the settings form (text until it is saved
//! and checked) and how the earnings table is sorted.

use crate::domain::ledger::ReferenceWage;
use crate::domain::money::{Amount, Currency, Money};
use crate::domain::settings::Settings;
use rust_decimal::Decimal;

/// What the worker is typing, kept as text until it is saved and checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsForm {
    /// Reference wage amount per hour.
    pub wage_amount: String,
    /// Its ISO 4217 currency.
    pub wage_currency: String,
    /// Its name ("US federal minimum").
    pub wage_name: String,
    /// The daily goal in the reference currency; empty for none.
    pub goal: String,
    /// The idle threshold in seconds.
    pub idle_secs: u64,
    /// Set while "Delete my data" waits for a second click.
    pub confirm_delete: bool,
}

impl SettingsForm {
    /// A form showing `settings`.
    pub fn from_settings(settings: &Settings) -> Self {
        SettingsForm {
            wage_amount: settings.reference_wage.amount.to_string(),
            wage_currency: settings.reference_wage.currency.clone(),
            wage_name: settings.reference_wage.name.clone(),
            goal: settings
                .daily_goal
                .as_ref()
                .map_or(String::new(), |g| g.amount.to_string()),
            idle_secs: settings.idle_secs,
            confirm_delete: false,
        }
    }

    /// `base` with the form's values, or what is wrong with them.
    pub fn to_settings(&self, base: &Settings) -> Result<Settings, String> {
        let positive = |text: &str| {
            text.trim()
                .parse::<Amount>()
                .ok()
                .map(|a| a.0)
                .filter(|a| *a > Decimal::ZERO)
        };
        let amount = positive(&self.wage_amount).ok_or_else(|| {
            format!(
                "the reference wage {:?} is not a positive amount",
                self.wage_amount
            )
        })?;
        let currency = self
            .wage_currency
            .parse::<Currency>()
            .map_err(|_| {
                format!(
                    "{:?} is not a three-letter currency code",
                    self.wage_currency
                )
            })?
            .into_string();
        let goal = match self.goal.trim() {
            "" => None,
            text => Some(Money::new(
                positive(text)
                    .ok_or_else(|| format!("the daily goal {text:?} is not a positive amount"))?,
                currency.clone(),
            )),
        };
        let mut settings = base.clone();
        settings.reference_wage = ReferenceWage {
            amount,
            currency,
            name: self.wage_name.trim().to_owned(),
        };
        settings.daily_goal = goal;
        settings.idle_secs = self.idle_secs;
        Ok(settings)
    }
}

/// A column the task table sorts by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// In log order.
    #[default]
    Task,
    /// Active time.
    Active,
    /// Wall time.
    Wall,
    /// Regions made.
    Regions,
    /// Status.
    Status,
    /// Reward.
    Reward,
}

/// The view's own state: how the table is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EarningsState {
    /// The sort column.
    pub sort: SortBy,
    /// Descending when true.
    pub descending: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn form_round_trips_and_rejects_bad_amounts() {
        let base = Settings::new(Utc::now());
        let mut form = SettingsForm::from_settings(&base);
        form.goal = "12.50".into();
        form.wage_currency = "eur".into();
        let saved = form.to_settings(&base).unwrap();
        assert_eq!(saved.reference_wage.currency, "EUR");
        assert_eq!(saved.daily_goal.unwrap().amount, Decimal::new(1250, 2));
        form.wage_amount = "seven".into();
        assert!(form.to_settings(&base).unwrap_err().contains("seven"));
        form.wage_amount = "7.25".into();
        form.wage_currency = "dollars".into();
        assert!(form.to_settings(&base).is_err());
    }
}
