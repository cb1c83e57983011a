//! The earnings and time view: totals, the effective wage against the worker's reference, the daily
//! goal, charts (time per task, earnings per day, wage over the session) and a sortable task table.

use crate::domain::dashboard::{Dashboard, TaskRow};
use crate::domain::ledger::{Period, ReferenceWage, Totals, WageBand};
use crate::ui::forms::{EarningsState, SortBy};
use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, HLine, Line, Plot, PlotPoints};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The colour of a wage band: red below the reference, orange up to 1.4 times it, green above.
pub fn band_color(band: WageBand) -> Color32 {
    match band {
        WageBand::Below => Color32::from_rgb(214, 69, 65),
        WageBand::Near => Color32::from_rgb(235, 150, 40),
        WageBand::Above => Color32::from_rgb(60, 170, 90),
    }
}

/// Amounts are decimals; a chart needs a position on screen, so only here do they become floats.
fn plot_value(amount: Decimal) -> f64 {
    amount.to_f64().unwrap_or(0.0)
}

fn minutes(ms: u64) -> String {
    let secs = ms / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn totals_line(totals: &Totals) -> String {
    if totals.is_empty() {
        return "nothing yet".to_owned();
    }
    totals
        .iter()
        .map(|e| {
            format!(
                "{} {}: {} pending, {} approved, {} rejected, {} bonus",
                e.earned(),
                e.currency,
                e.pending,
                e.approved,
                e.rejected,
                e.bonus
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Shows the view. `curve` is the session's wage over time (minutes, wage) in `reference`'s currency.
pub fn earnings_ui(
    ui: &mut egui::Ui,
    dashboard: &Dashboard,
    reference: &ReferenceWage,
    curve: &[(f64, Decimal)],
    state: &mut EarningsState,
) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Earnings");
        egui::Grid::new("periods").num_columns(2).show(ui, |ui| {
            for (period, totals) in &dashboard.periods {
                let name = match period {
                    Period::Today => "Today",
                    Period::ThisWeek => "This week",
                    Period::ThisMonth => "This month",
                };
                ui.label(name);
                ui.label(totals_line(totals));
                ui.end_row();
            }
        });
        egui::CollapsingHeader::new("By bundle and requester")
            .default_open(false)
            .show(ui, |ui| {
                egui::Grid::new("by_source").num_columns(2).show(ui, |ui| {
                    for (bundle, totals) in &dashboard.by_bundle {
                        ui.label(format!("bundle {bundle}"));
                        ui.label(totals_line(totals));
                        ui.end_row();
                    }
                    for (requester, totals) in &dashboard.by_requester {
                        let name = if requester.is_empty() {
                            "(none stated)"
                        } else {
                            requester.as_str()
                        };
                        ui.label(format!("requester {name}"));
                        ui.label(totals_line(totals));
                        ui.end_row();
                    }
                });
            });
        if let Some(goal) = &dashboard.goal {
            let fraction = goal.fraction.to_f32().unwrap_or(0.0).clamp(0.0, 1.0);
            ui.add(egui::ProgressBar::new(fraction).text(format!(
                "Daily goal: {} of {} {}",
                goal.earned.amount, goal.goal.amount, goal.goal.currency
            )));
        }
        ui.separator();
        ui.heading("What the work really paid");
        let split = &dashboard.split;
        ui.label(format!(
            "Logged active time {} (idle gaps over {} s not counted): paid {}, unpaid {} \
             (instructions {}, skipped {}, between tasks {}, rejected {}, unfinished {}, \
             own administration {}, waiting for images {}).",
            minutes(split.total_ms()),
            dashboard.idle_secs,
            minutes(split.paid_ms),
            minutes(split.unpaid_ms()),
            minutes(split.instructions_ms),
            minutes(split.skipped_ms),
            minutes(split.between_tasks_ms),
            minutes(split.rejected_ms),
            minutes(split.unfinished_ms),
            minutes(split.admin_ms),
            minutes(split.waiting_ms),
        ));
        for wage in &dashboard.wages {
            ui.horizontal(|ui| {
                let active = wage.hourly_active.map_or("-".to_owned(), |w| {
                    format!("{} {}/h", w.round_dp(2), wage.currency)
                });
                let all = wage.hourly_all.map_or("-".to_owned(), |w| {
                    format!("{} {}/h", w.round_dp(2), wage.currency)
                });
                ui.label(format!(
                    "On submitted tasks: {active}. Counting unpaid time: "
                ));
                match dashboard.band(&wage.currency, reference) {
                    Some(band) => {
                        ui.label(RichText::new(all).strong().color(band_color(band)));
                    }
                    None => {
                        ui.label(all);
                    }
                }
            });
        }
        ui.label(format!(
            "Reference: {} {} {}/h; red below it, orange up to 1.4 times it, green above.",
            reference.name, reference.amount, reference.currency
        ));
        ui.separator();
        charts_ui(ui, dashboard, reference, curve);
        ui.separator();
        table_ui(ui, &dashboard.rows, state);
    });
}

fn charts_ui(
    ui: &mut egui::Ui,
    dashboard: &Dashboard,
    reference: &ReferenceWage,
    curve: &[(f64, Decimal)],
) {
    ui.heading("Time per task");
    // Bins of active time over finished tasks, as wide as needed for about a dozen of them.
    let finished: Vec<u64> = dashboard
        .rows
        .iter()
        .filter(|r| r.status == "submitted" || r.status == "skipped")
        .map(|r| r.active_ms / 1000)
        .collect();
    let longest = finished.iter().copied().max().unwrap_or(0);
    let bin_secs = [10u64, 30, 60, 120, 300, 600, 1800, 3600]
        .into_iter()
        .find(|w| longest / w < 12)
        .unwrap_or(7200);
    let mut bins: std::collections::BTreeMap<u64, u32> = std::collections::BTreeMap::new();
    for secs in &finished {
        *bins.entry(secs / bin_secs).or_default() += 1;
    }
    let bars: Vec<Bar> = bins
        .iter()
        .map(|(bin, count)| {
            let from = bin * bin_secs;
            Bar::new(
                ((from as f64) + bin_secs as f64 / 2.0) / 60.0,
                f64::from(*count),
            )
            .width(bin_secs as f64 / 60.0 * 0.95)
            .name(format!("{}-{} s", from, from + bin_secs))
        })
        .collect();
    Plot::new("time_per_task")
        .height(140.0)
        .x_axis_label(format!(
            "active minutes ({} s bins, {} finished tasks)",
            bin_secs,
            finished.len()
        ))
        .y_axis_label("tasks")
        .allow_scroll(false)
        .include_x(0.0)
        .include_y(0.0)
        .show(ui, |plot| plot.bar_chart(BarChart::new("tasks", bars)));

    ui.heading("Earnings per day");
    let currency = reference.currency.as_str();
    let days: Vec<String> = dashboard
        .daily
        .iter()
        .map(|(day, _)| day.format("%b %d").to_string())
        .collect();
    let day_bars: Vec<Bar> = dashboard
        .daily
        .iter()
        .enumerate()
        .map(|(i, (day, totals))| {
            let earned = totals.get(currency).map_or(Decimal::ZERO, |e| e.earned());
            Bar::new(i as f64, plot_value(earned))
                .name(day.to_string())
                .width(0.6)
        })
        .collect();
    Plot::new("earnings_per_day")
        .height(140.0)
        .y_axis_label(currency)
        .allow_scroll(false)
        .include_y(0.0)
        .include_x(-0.5)
        .include_x(days.len().max(1) as f64 - 0.5)
        .x_axis_formatter(move |mark, _| {
            // Only whole positions are days.
            let index = mark.value.round();
            if (mark.value - index).abs() > 1e-6 || index < 0.0 {
                return String::new();
            }
            days.get(index as usize).cloned().unwrap_or_default()
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(format!("earned ({currency})"), day_bars))
        });

    ui.heading("Hourly wage over this session");
    let points: Vec<[f64; 2]> = curve.iter().map(|(m, w)| [*m, plot_value(*w)]).collect();
    Plot::new("wage_over_session")
        .height(160.0)
        .x_axis_label("minutes into the session")
        .y_axis_label(format!("{currency}/h"))
        .allow_scroll(false)
        .include_y(0.0)
        .show(ui, |plot| {
            plot.line(Line::new(
                "hourly wage, unpaid time counted",
                PlotPoints::from(points),
            ));
            plot.hline(
                HLine::new(reference.name.clone(), plot_value(reference.amount))
                    .color(band_color(WageBand::Below)),
            );
        });
}

fn table_ui(ui: &mut egui::Ui, rows: &[TaskRow], state: &mut EarningsState) {
    ui.heading("Tasks");
    let mut sorted: Vec<&TaskRow> = rows.iter().collect();
    match state.sort {
        SortBy::Task => {}
        SortBy::Active => sorted.sort_by_key(|r| r.active_ms),
        SortBy::Wall => sorted.sort_by_key(|r| r.wall_ms),
        SortBy::Regions => sorted.sort_by_key(|r| r.regions),
        SortBy::Status => sorted.sort_by(|a, b| a.status.cmp(&b.status)),
        SortBy::Reward => sorted.sort_by_key(|r| r.reward.as_ref().map(|m| m.amount)),
    }
    if state.descending {
        sorted.reverse();
    }
    egui::Grid::new("task_table")
        .striped(true)
        .num_columns(7)
        .show(ui, |ui| {
            for (column, title) in [
                (SortBy::Task, "Task"),
                (SortBy::Active, "Active"),
                (SortBy::Wall, "Wall"),
                (SortBy::Regions, "Regions"),
                (SortBy::Status, "Status"),
                (SortBy::Reward, "Reward"),
            ] {
                let marker = match (state.sort == column, state.descending) {
                    (true, false) => " ^",
                    (true, true) => " v",
                    _ => "",
                };
                if ui.button(format!("{title}{marker}")).clicked() {
                    if state.sort == column {
                        state.descending = !state.descending;
                    } else {
                        state.sort = column;
                        state.descending = false;
                    }
                }
            }
            ui.label("Bundle");
            ui.end_row();
            for row in sorted {
                ui.label(&row.task_id);
                ui.label(minutes(row.active_ms));
                ui.label(minutes(row.wall_ms));
                ui.label(row.regions.to_string());
                ui.label(&row.status);
                ui.label(
                    row.reward
                        .as_ref()
                        .map_or("-".to_owned(), |m| format!("{} {}", m.amount, m.currency)),
                );
                ui.label(&row.bundle_id);
                ui.end_row();
            }
        });
}
