//! The top bar (bundle, task k of N, status) and the status line at the bottom.

use crate::domain::dashboard::Dashboard;
use crate::domain::ledger::{Period, ReferenceWage};
use crate::domain::worklog::ClockState;
use crate::ui::command::UiCommand;
use crate::ui::panels::band_color;
use crate::ui::state::{Action, Opened, ViewState, Workbench, status_text};

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
fn time_and_money_ui(
    work: &Workbench,
    clock: Option<(u64, ClockState)>,
    ui: &mut egui::Ui,
    actions: &mut Vec<Action>,
) {
    if let Some((ms, state)) = clock {
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
            work.settings.idle_secs
        ));
        if ui.small_button(pause).clicked() {
            actions.push(Action::Command(UiCommand::TogglePause));
        }
        ui.separator();
    }
    let dashboard = &work.money.dashboard;
    let reference = &work.settings.reference_wage;
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
        // Nothing earned yet today: say it in the money the work pays.
        let currency = work
            .session()
            .and_then(|s| s.bundle().reward.as_ref())
            .map_or(reference.currency.as_str(), |r| r.currency.as_str());
        format!("0.00 {currency}")
    } else {
        earned.join(" + ")
    };
    let goal = dashboard
        .goal
        .as_ref()
        .map_or(String::new(), |g| format!(" of {} goal", g.goal.amount));
    ui.label(format!("Today: {earned}{goal}"));
    wage_chip_ui(ui, dashboard, reference, actions);
}

/// The effective hourly wage as a chip coloured against the reference wage (empty before the first
/// earning); a click opens the earnings view.
fn wage_chip_ui(
    ui: &mut egui::Ui,
    dashboard: &Dashboard,
    reference: &ReferenceWage,
    actions: &mut Vec<Action>,
) {
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
            "Effective hourly wage counting unpaid time (instructions, skipped tasks, gaps between tasks). Over active time on submitted tasks only: {}. Reference: {} {} {}/h.",
            wage.hourly_active.map_or("-".to_owned(), |w| format!("{} {}/h", w.round_dp(2), wage.currency)),
            reference.name,
            reference.amount,
            reference.currency
        ));
        if response.clicked() {
            actions.push(Action::Command(UiCommand::Earnings));
        }
    } else {
        // Before the first earning the chip is there, empty, so the worker knows where it will be.
        let chip = egui::Button::new(
            egui::RichText::new(format!("– {}/h", reference.currency))
                .color(ui.visuals().weak_text_color()),
        )
        .corner_radius(8.0);
        let response = ui.add(chip).on_hover_text(format!(
            "Your effective hourly wage appears here after your first submitted task, coloured against {} ({} {}/h).",
            reference.name, reference.amount, reference.currency
        ));
        if response.clicked() {
            actions.push(Action::Command(UiCommand::Earnings));
        }
    }
}

/// The Bundle menu: open, export, import, the views, and the recent bundles.
fn bundle_menu_ui(ui: &mut egui::Ui, work: &Workbench, actions: &mut Vec<Action>) {
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
    if !work.recent.bundles.is_empty() {
        ui.separator();
        ui.label("Recent:");
        for bundle in &work.recent.bundles {
            if ui
                .button(&bundle.title)
                .on_hover_text(bundle.path.display().to_string())
                .clicked()
            {
                actions.push(Action::OpenPath(bundle.path.clone()));
            }
        }
    }
}

/// Bundle title, task k of N, the task's status, and any notices. `clock` is the open task's active
/// time and whether it counts.
pub fn top_bar_ui(
    ui: &mut egui::Ui,
    work: &Workbench,
    view: &ViewState,
    clock: Option<(u64, ClockState)>,
    actions: &mut Vec<Action>,
) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.menu_button("Bundle", |ui| bundle_menu_ui(ui, work, actions));
            match &work.opened {
                Opened::Session(session) => {
                    ui.strong(&session.bundle().title);
                    ui.separator();
                    ui.label(format!(
                        "Task {} of {}",
                        session.task_index() + 1,
                        session.bundle().tasks.len()
                    ));
                    ui.separator();
                    ui.label(format!("Status: {}", status_text(session.status())));
                }
                Opened::Opening(path) => {
                    ui.spinner();
                    ui.label(match path {
                        Some(path) => format!("Opening {}…", path.display()),
                        None => "Opening…".to_owned(),
                    });
                }
                Opened::Failed { .. } => {
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
                if work.session().is_some_and(|s| !s.is_read_only()) {
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
        if work.session().is_some() {
            ui.horizontal(|ui| time_and_money_ui(work, clock, ui, actions));
        }
        if let Some(session) = work.session().filter(|s| s.is_read_only()) {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(
                        "Read-only: another window holds the data folder. You can look at every \
                         task; nothing is changed or saved here.",
                    )
                    .color(ui.visuals().warn_fg_color)
                    .strong(),
                );
                if ui
                    .button("Open for work")
                    .on_hover_text(
                        "Opens the bundle again, to work, once the other window is closed",
                    )
                    .clicked()
                {
                    actions.push(Action::OpenForWork(session.bundle().source.clone()));
                }
            });
        }
        if let Some(unsaved) = &view.unsaved {
            // Not dismissable: it stays while anything waits, and goes by itself once saved.
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!(
                        "Not saved yet: {} change(s) kept in memory, tried again every {} s. {}",
                        unsaved.count,
                        crate::domain::store::RETRY_EVERY.as_secs(),
                        unsaved.error
                    ))
                    .color(ui.visuals().error_fg_color)
                    .strong(),
                )
                .wrap(),
            );
        }
        for (i, notice) in view.notices.iter().enumerate() {
            ui.horizontal(|ui| {
                if ui.small_button("Dismiss").clicked() {
                    actions.push(Action::DismissNotice(i));
                }
                // A long notice wraps instead of running off the window's edge.
                ui.add(
                    egui::Label::new(egui::RichText::new(notice).color(ui.visuals().warn_fg_color))
                        .wrap(),
                );
            });
        }
    });
}

/// The last message, the active tool's hint, and undo depth. The readout on the right is laid out
/// first, so a long message is cut (whole on hover) instead of running over it.
pub fn status_bar_ui(ui: &mut egui::Ui, work: &Workbench, view: &ViewState) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let session = work.session();
            if let Some(session) = session {
                ui.label(format!(
                    "zoom {:.0}%  ·  undo {}  ·  redo {}",
                    view.canvas.view.zoom * 100.0,
                    session.history().undo_len(),
                    session.history().redo_len()
                ));
                ui.separator();
            }
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                if let Some(message) = &view.message {
                    let color = if message.is_error {
                        ui.visuals().error_fg_color
                    } else {
                        ui.visuals().text_color()
                    };
                    let text = egui::RichText::new(&message.text).color(color);
                    ui.add(egui::Label::new(text).truncate())
                        .on_hover_text(&message.text);
                    ui.separator();
                }
                if session.is_some() {
                    ui.add(egui::Label::new(view.canvas.tool().hint()).truncate());
                }
            });
        });
    });
}
