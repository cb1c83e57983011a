//! The task list's logic: which tasks a status filter shows, and which task a typed "go to" means.
//! The window draws only the rows in view, so both must be cheap at 100,000 tasks.

use crate::domain::annotation::TaskStatus;
use crate::domain::bundle::Task;

/// Which tasks the task list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskFilter {
    /// Every task.
    #[default]
    All,
    /// Neither submitted nor skipped.
    Unfinished,
    /// Tasks with this status only.
    Only(TaskStatus),
}

impl TaskFilter {
    /// Every filter, in the order a menu offers them.
    pub const ALL: [TaskFilter; 6] = [
        TaskFilter::All,
        TaskFilter::Unfinished,
        TaskFilter::Only(TaskStatus::New),
        TaskFilter::Only(TaskStatus::InProgress),
        TaskFilter::Only(TaskStatus::Submitted),
        TaskFilter::Only(TaskStatus::Skipped),
    ];

    /// Whether a task with `status` is shown.
    pub fn matches(self, status: TaskStatus) -> bool {
        match self {
            TaskFilter::All => true,
            TaskFilter::Unfinished => !status.is_finished(),
            TaskFilter::Only(only) => status == only,
        }
    }

    /// The filter's name in a menu.
    pub fn name(self) -> String {
        match self {
            TaskFilter::All => "all".to_owned(),
            TaskFilter::Unfinished => "unfinished".to_owned(),
            TaskFilter::Only(status) => status.name().replace('_', " "),
        }
    }

    /// The positions of the tasks shown, in bundle order; `None` for all of them (no list needed).
    pub fn rows(self, statuses: &[TaskStatus]) -> Option<Vec<usize>> {
        (self != TaskFilter::All).then(|| {
            statuses
                .iter()
                .enumerate()
                .filter(|(_, s)| self.matches(**s))
                .map(|(i, _)| i)
                .collect()
        })
    }
}

/// The task `query` means: the task with that id, else (`#12` or `12`) the one at that number in
/// the list (`1` is the first), else the first task whose id contains it (ignoring case). `None`
/// when none does. `#12` is always a number, even where ids are numbers too.
pub fn find_task(tasks: &[Task], query: &str) -> Option<usize> {
    let query = query.trim();
    if query.is_empty() {
        return None;
    }
    let numbered = query.starts_with('#');
    if !numbered && let Some(exact) = tasks.iter().position(|t| t.id == query) {
        return Some(exact);
    }
    if let Ok(number) = query.trim_start_matches('#').parse::<usize>()
        && (1..=tasks.len()).contains(&number)
    {
        return Some(number - 1);
    }
    let lower = query.to_lowercase();
    tasks
        .iter()
        .position(|t| t.id.to_lowercase().contains(&lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks(ids: &[&str]) -> Vec<Task> {
        ids.iter()
            .map(|id| Task {
                id: (*id).to_owned(),
                image: format!("{id}.png"),
                image_path: Default::default(),
                width: 1,
                height: 1,
                bytes: 0,
                hint: None,
                regions: Vec::new(),
                gold: None,
            })
            .collect()
    }

    #[test]
    fn a_number_an_id_or_part_of_an_id_finds_a_task() {
        let tasks = tasks(&["sky-001", "sky-002", "Mountain", "42"]);
        assert_eq!(find_task(&tasks, "2"), Some(1));
        assert_eq!(find_task(&tasks, "#3"), Some(2));
        // An id wins over a number; `#` makes it a number.
        assert_eq!(find_task(&tasks, "42"), Some(3));
        let numeric = super::tests::tasks(&["3", "1", "2"]);
        assert_eq!(find_task(&numeric, "1"), Some(1));
        assert_eq!(find_task(&numeric, "#1"), Some(0));
        assert_eq!(find_task(&tasks, "sky-002"), Some(1));
        assert_eq!(find_task(&tasks, " mount "), Some(2));
        assert_eq!(find_task(&tasks, "lake"), None);
        assert_eq!(find_task(&tasks, "  "), None);
        assert_eq!(find_task(&tasks, "99"), None);
    }

    #[test]
    fn filters_keep_the_bundle_order_and_all_needs_no_list() {
        use TaskStatus::*;
        let statuses = [New, Submitted, InProgress, Skipped, New];
        assert_eq!(TaskFilter::All.rows(&statuses), None);
        assert_eq!(TaskFilter::Unfinished.rows(&statuses), Some(vec![0, 2, 4]));
        assert_eq!(TaskFilter::Only(New).rows(&statuses), Some(vec![0, 4]));
        assert_eq!(TaskFilter::Only(Skipped).rows(&statuses), Some(vec![3]));
        assert_eq!(TaskFilter::Only(InProgress).name(), "in progress");
    }
}
