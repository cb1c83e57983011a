//! The settings window: reference wage, daily goal, idle threshold; export or delete the worker's data.

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

/// What the settings window asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum SettingsAction {
    /// Store these settings.
    Save(Box<Settings>),
    /// Write the worker's data to a zip the worker picks.
    Export,
    /// Delete the worker's data (confirmed).
    Delete,
    /// Close the window.
    Close,
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

/// Shows the form; returns what the worker asked for.
pub fn settings_ui(
    ui: &mut egui::Ui,
    form: &mut SettingsForm,
    base: &Settings,
    error: &mut Option<String>,
) -> Option<SettingsAction> {
    let mut action = None;
    egui::Grid::new("settings_grid")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label("Reference wage per hour");
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut form.wage_amount).desired_width(70.0))
                    .labelled_by(label.id);
                let currency = ui.label("currency");
                ui.add(egui::TextEdit::singleline(&mut form.wage_currency).desired_width(40.0))
                    .labelled_by(currency.id);
            });
            ui.end_row();
            let label = ui.label("Its name");
            ui.add(
                egui::TextEdit::singleline(&mut form.wage_name)
                    .hint_text("e.g. US federal minimum"),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Daily goal (empty: none)");
            ui.add(egui::TextEdit::singleline(&mut form.goal).desired_width(70.0))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Idle after (seconds)");
            ui.add(egui::DragValue::new(&mut form.idle_secs).range(10..=3600))
                .labelled_by(label.id);
            ui.end_row();
        });
    ui.label("Gaps between your actions longer than the idle threshold do not count as work time (CVAT uses 100 s).");
    if let Some(message) = error {
        ui.colored_label(ui.visuals().error_fg_color, message.as_str());
    }
    ui.horizontal(|ui| {
        if ui.button("Save settings").clicked() {
            match form.to_settings(base) {
                Ok(settings) => {
                    *error = None;
                    action = Some(SettingsAction::Save(Box::new(settings)));
                }
                Err(message) => *error = Some(message),
            }
        }
        if ui.button("Close").clicked() {
            action = Some(SettingsAction::Close);
        }
    });
    ui.separator();
    ui.label("Your data stays on this machine: annotations, work log, reviews and settings.");
    ui.horizontal(|ui| {
        if ui.button("Export my data…").clicked() {
            action = Some(SettingsAction::Export);
        }
        let delete = if form.confirm_delete {
            "Really delete everything? Click again"
        } else {
            "Delete my data…"
        };
        if ui.button(delete).clicked() {
            if form.confirm_delete {
                action = Some(SettingsAction::Delete);
                form.confirm_delete = false;
            } else {
                form.confirm_delete = true;
            }
        }
    });
    action
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
