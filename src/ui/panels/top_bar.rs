//! The top bar (bundle, task k of N, status) and the status line at the bottom.

use crate::domain::ledger::Period;
use crate::domain::worklog::ClockState;
use crate::ui::app::{Action, App};
use crate::ui::command::UiCommand;
use crate::ui::panels::band_color;

/// `m:ss`, or `h:mm:ss` past an hour.
fn clock_text(ms: u64) -> String {
    let secs = ms / 1000;
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

/// The task's active time (visibly paused when it is not counting), today's earnings and the
/// effective hourly wage as a chip coloured against the worker's reference wage.
fn time_and_money_ui(app: &App, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    if let Some((ms, state)) = app.task_clock() {
        let why = match state {
            ClockState::Ticking => "",
            ClockState::Idle => " (idle: paused)",
            ClockState::Unfocused => " (window not focused: paused)",
            ClockState::Paused => " (paused)",
            ClockState::Closed => " (stopped)",
        };
        let text = egui::RichText::new(format!("Active {}{why}", clock_text(ms))).monospace();
        let text = if state == ClockState::Ticking {
            text
        } else {
            text.color(ui.visuals().weak_text_color())
        };
        let pause = if state == ClockState::Paused {
            "Resume"
        } else {
            "Pause"
        };
        ui.label(text).on_hover_text(format!(
            "Time you actively worked on this task; gaps over {} s count as idle.",
            app.settings().idle_secs
        ));
        if ui.small_button(pause).clicked() {
            actions.push(Action::Command(UiCommand::TogglePause));
        }
        ui.separator();
    }
    let dashboard = app.dashboard();
    let reference = &app.settings().reference_wage;
    let today = dashboard
        .periods
        .iter()
        .find(|(p, _)| *p == Period::Today)
        .map(|(_, t)| t);
    let earned: Vec<String> = today
        .map(|t| {
            t.iter()
                .map(|e| format!("{} {}", e.earned(), e.currency))
                .collect()
        })
        .unwrap_or_default();
    let earned = if earned.is_empty() {
        "0".to_owned()
    } else {
        earned.join(" + ")
    };
    let goal = dashboard
        .goal
        .as_ref()
        .map_or(String::new(), |g| format!(" of {} goal", g.goal.amount));
    ui.label(format!("Today: {earned}{goal}"));
    let wage = dashboard
        .wages
        .iter()
        .find(|w| w.currency == reference.currency)
        .and_then(|w| Some((w.hourly_all?, w)));
    if let Some((hourly, wage)) = wage {
        let band = dashboard.band(&wage.currency, reference);
        let fill = band.map_or(ui.visuals().widgets.inactive.bg_fill, band_color);
        let chip = egui::Button::new(
            egui::RichText::new(format!("{} {}/h", hourly.round_dp(2), wage.currency))
                .color(egui::Color32::WHITE),
        )
        .fill(fill)
        .corner_radius(8.0);
        let response = ui.add(chip).on_hover_text(format!(
            "Effective hourly wage counting unpaid time (instructions, skipped tasks, gaps between tasks).              Over active time on submitted tasks only: {}. Reference: {} {} {}/h.",
            wage.hourly_active.map_or("-".to_owned(), |w| format!("{} {}/h", w.round_dp(2), wage.currency)),
            reference.name,
            reference.amount,
            reference.currency
        ));
        if response.clicked() {
            actions.push(Action::Command(UiCommand::Earnings));
        }
    }
}

/// Bundle title, task k of N, the task's status, and any notices.
pub fn top_bar_ui(app: &mut App, ui: &mut egui::Ui) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        let mut actions = Vec::new();
        ui.horizontal(|ui| {
            ui.menu_button("Bundle", |ui| {
                for command in [
                    UiCommand::OpenBundle,
                    UiCommand::OpenZip,
                    UiCommand::ExportLabels,
                    UiCommand::ImportReview,
                    UiCommand::Earnings,
                    UiCommand::Settings,
                ] {
                    let text = match command.shortcut() {
                        Some(_) => format!("{}  ({})", command.label(), command.shortcut_text()),
                        None => command.label().to_owned(),
                    };
                    if ui.button(text).clicked() {
                        actions.push(Action::Command(command));
                    }
                }
                if !app.recent().bundles.is_empty() {
                    ui.separator();
                    ui.label("Recent:");
                    for bundle in &app.recent().bundles {
                        if ui
                            .button(&bundle.title)
                            .on_hover_text(bundle.path.display().to_string())
                            .clicked()
                        {
                            actions.push(Action::OpenPath(bundle.path.clone()));
                        }
                    }
                }
            });
            match app.session() {
                Some(session) => {
                    ui.strong(&session.bundle().title);
                    ui.separator();
                    ui.label(format!(
                        "Task {} of {}",
                        session.task_index() + 1,
                        session.bundle().tasks.len()
                    ));
                    ui.separator();
                    ui.label(format!(
                        "Status: {}",
                        session.status().name().replace('_', " ")
                    ));
                }
                None => {
                    ui.label("No bundle open");
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Help (F1)").clicked() {
                    actions.push(Action::Command(UiCommand::Help));
                }
                if ui.button("Settings").clicked() {
                    actions.push(Action::Command(UiCommand::Settings));
                }
                if ui.button("Earnings").clicked() {
                    actions.push(Action::Command(UiCommand::Earnings));
                }
                if app.session().is_some() {
                    if ui
                        .button(format!("Skip ({})", UiCommand::Skip.shortcut_text()))
                        .clicked()
                    {
                        actions.push(Action::Command(UiCommand::Skip));
                    }
                    if ui
                        .button(format!("Submit ({})", UiCommand::Submit.shortcut_text()))
                        .clicked()
                    {
                        actions.push(Action::Command(UiCommand::Submit));
                    }
                }
            });
        });
        if app.session().is_some() {
            ui.horizontal(|ui| time_and_money_ui(app, ui, &mut actions));
        }
        for (i, notice) in app.notices().iter().enumerate() {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().warn_fg_color, notice);
                if ui.small_button("Dismiss").clicked() {
                    actions.push(Action::DismissNotice(i));
                }
            });
        }
        for action in actions {
            app.push(action);
        }
    });
}

/// The last message, the active tool's hint, and undo depth.
pub fn status_bar_ui(app: &mut App, ui: &mut egui::Ui) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            if let Some(message) = app.message() {
                let color = if message.is_error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                ui.colored_label(color, &message.text);
                ui.separator();
            }
            ui.label(app.canvas.tool.hint());
            if let Some(session) = app.session() {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(format!(
                        "zoom {:.0}%  ·  undo {}  ·  redo {}",
                        app.canvas.view.zoom * 100.0,
                        session.history().undo_len(),
                        session.history().redo_len()
                    ));
                });
            }
        });
    });
}
