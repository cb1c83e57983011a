//! The task list: a status filter, a "go to" box, and only the rows in view laid out, so a bundle of
//! 100,000 tasks costs a frame no more than one of ten.

use crate::domain::annotation::TaskStatus;
use crate::domain::session::Session;
use crate::domain::task_list::{TaskFilter, find_task};
use crate::ui::state::{Action, ViewState, status_text};
use egui::{Color32, RichText};

/// The task list, filling the space it is given.
pub fn task_list_ui(
    ui: &mut egui::Ui,
    session: &Session,
    view: &mut ViewState,
    actions: &mut Vec<Action>,
) {
    let tasks = &session.bundle().tasks;
    let statuses = session.statuses();
    let finished = statuses.iter().filter(|s| s.is_finished()).count();
    ui.horizontal(|ui| {
        ui.heading("Tasks");
        ui.label(format!("{finished} of {} done", tasks.len()));
    });
    ui.horizontal(|ui| {
        egui::ComboBox::new("task_filter", "shown")
            .selected_text(view.task_filter.name())
            .show_ui(ui, |ui| {
                for filter in TaskFilter::ALL {
                    ui.selectable_value(&mut view.task_filter, filter, filter.name());
                }
            });
        let label = ui.label("Go to:");
        let jump = ui
            .add(
                egui::TextEdit::singleline(&mut view.task_jump)
                    .hint_text("number or id")
                    .desired_width(110.0),
            )
            .labelled_by(label.id);
        if jump.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            match find_task(tasks, &view.task_jump) {
                Some(index) => {
                    actions.push(Action::GoToTask(index));
                    view.task_jump.clear();
                    view.scroll_to_task = true;
                }
                None => view.say(format!("No task is {:?}.", view.task_jump.trim()), true),
            }
        }
    });
    let rows = view.task_filter.rows(statuses);
    let count = rows.as_ref().map_or(tasks.len(), Vec::len);
    if count == 0 {
        ui.label(format!("No {} task.", view.task_filter.name()));
        return;
    }
    let row_height = ui.spacing().interact_size.y;
    let mut area = egui::ScrollArea::vertical()
        .id_salt("task_list")
        .auto_shrink([false, false]);
    let current = session.task_index();
    // The open task's row (or where it would be, when the filter hides it).
    let current_row = rows
        .as_ref()
        .map_or(current, |r| r.partition_point(|&i| i < current));
    let shown = view.task_rows_shown.clone();
    // Brought into view when it is not: a task opened by a key or from the "go to" box.
    if std::mem::take(&mut view.scroll_to_task)
        && !(shown.start + 1..shown.end.saturating_sub(1)).contains(&current_row)
    {
        let spacing = ui.spacing().item_spacing.y;
        let above = current_row.saturating_sub(2);
        area = area.vertical_scroll_offset(above as f32 * (row_height + spacing));
    }
    let mut visible = 0..0;
    area.show_rows(ui, row_height, count, |ui, range| {
        visible = range.clone();
        for row in range {
            let index = rows.as_ref().map_or(Some(row), |r| r.get(row).copied());
            let (Some(index), Some(task)) = (index, index.and_then(|i| tasks.get(i))) else {
                continue;
            };
            let status = statuses.get(index).copied().unwrap_or_default();
            let color = match status {
                TaskStatus::New => ui.visuals().weak_text_color(),
                TaskStatus::InProgress => ui.visuals().warn_fg_color,
                TaskStatus::Submitted => Color32::from_rgb(80, 180, 90),
                TaskStatus::Skipped => ui.visuals().error_fg_color,
            };
            let is_current = index == current;
            let text = RichText::new(format!(
                "{}. {}  ({})",
                index + 1,
                task.id,
                status_text(status)
            ))
            .color(color);
            if ui.add(egui::Button::selectable(is_current, text)).clicked() && !is_current {
                actions.push(Action::GoToTask(index));
            }
        }
    });
    view.task_rows_shown = visible;
}
