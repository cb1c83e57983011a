//! The replay of a work log: events in order, each gap charged to the task and category it belongs to.

use super::*;

/// One pass over the log: every task's and session's times, and each session's state, at one idle
/// threshold.
pub(super) struct Pass<'a> {
    idle_ms: u64,
    window: Option<&'a Range<DateTime<Utc>>>,
    pub(super) tasks: HashMap<String, TaskTimes>,
    task_order: Vec<String>,
    sessions: HashMap<String, SessionTimes>,
    session_order: Vec<String>,
    pub(super) states: HashMap<String, SessionState>,
}

impl<'a> Pass<'a> {
    pub(super) fn new(idle_ms: u64, window: Option<&'a Range<DateTime<Utc>>>) -> Self {
        Pass {
            idle_ms,
            window,
            tasks: HashMap::new(),
            task_order: Vec::new(),
            sessions: HashMap::new(),
            session_order: Vec::new(),
            states: HashMap::new(),
        }
    }

    pub(super) fn finish(mut self) -> WorkTimes {
        WorkTimes {
            idle_ms: self.idle_ms,
            tasks: self
                .task_order
                .iter()
                .filter_map(|id| self.tasks.remove(id))
                .collect(),
            sessions: self
                .session_order
                .iter()
                .filter_map(|id| self.sessions.remove(id))
                .collect(),
        }
    }

    fn task_mut(&mut self, task_id: &str) -> &mut TaskTimes {
        let order = &mut self.task_order;
        self.tasks.entry(task_id.to_owned()).or_insert_with(|| {
            order.push(task_id.to_owned());
            TaskTimes {
                task_id: task_id.to_owned(),
                ..TaskTimes::default()
            }
        })
    }

    fn session_mut(&mut self, session_id: &str) -> &mut SessionTimes {
        let order = &mut self.session_order;
        self.sessions
            .entry(session_id.to_owned())
            .or_insert_with(|| {
                order.push(session_id.to_owned());
                SessionTimes {
                    session_id: session_id.to_owned(),
                    ..SessionTimes::default()
                }
            })
    }

    pub(super) fn event(&mut self, event: &Event) {
        let session_id = event.session_id.as_str();
        {
            let session = self.session_mut(session_id);
            session.started_at.get_or_insert(event.at);
            session.last_at = Some(event.at);
        }
        let mut state = self
            .states
            .remove(session_id)
            .unwrap_or_else(|| SessionState {
                focused: true,
                ..SessionState::default()
            });
        match &event.kind {
            EventKind::Input {
                first_at,
                first_mono_ms,
                ..
            } => {
                let first = Stamp {
                    at: *first_at,
                    mono_ms: (*first_mono_ms).min(event.mono_ms),
                };
                if let Some(prev) = state.last {
                    self.gap(session_id, &state, prev, first.mono_ms, false);
                }
                self.gap(session_id, &state, first, event.mono_ms, true);
            }
            _ => {
                if let Some(prev) = state.last {
                    self.gap(session_id, &state, prev, event.mono_ms, false);
                }
            }
        }
        self.apply(event, &mut state);
        state.last = Some(event.stamp());
        self.states.insert(session_id.to_owned(), state);
    }

    /// Accounts the gap from `from` to `to_mono_ms`; `burst` marks the span of an input burst.
    fn gap(
        &mut self,
        session_id: &str,
        state: &SessionState,
        from: Stamp,
        to_mono_ms: u64,
        burst: bool,
    ) {
        let len = to_mono_ms.saturating_sub(from.mono_ms);
        if len == 0 || state.ended {
            return;
        }
        if self.window.is_some_and(|w| !w.contains(&from.at)) {
            return;
        }
        // Waiting for the tool is never the worker's idleness, however long it lasts.
        let active =
            !state.paused && state.focused && (burst || len < self.idle_ms || state.waiting);
        let before_work = active && state.instructions_open && !state.worked;
        {
            let session = self.session_mut(session_id);
            session.wall_ms += len;
            if active {
                session.active_ms += len;
                // The tool's wait and the worker's administration are their own categories,
                // whatever task is open.
                if state.waiting {
                    session.waiting_ms += len;
                } else if state.admin {
                    session.admin_ms += len;
                } else if state.task_id.is_none() {
                    if before_work {
                        session.instructions_before_work_ms += len;
                    } else {
                        session.between_tasks_ms += len;
                    }
                }
            }
        }
        if let Some(task_id) = &state.task_id {
            let instructions_open = state.instructions_open;
            let own = !state.waiting && !state.admin;
            let task = self.task_mut(task_id);
            task.wall_ms += len;
            if active && own {
                task.active_ms += len;
                if instructions_open {
                    task.instructions_ms += len;
                }
                if before_work {
                    task.instructions_before_work_ms += len;
                }
            }
        }
    }

    fn apply(&mut self, event: &Event, state: &mut SessionState) {
        let task_id = event.task_id.clone().or_else(|| state.task_id.clone());
        match &event.kind {
            EventKind::SessionStart {
                app_version,
                worker_id,
                ..
            } => {
                let session = self.session_mut(&event.session_id);
                session.worker_id = Some(worker_id.clone());
                session.app_version = Some(app_version.clone());
            }
            EventKind::SessionEnd => {
                state.ended = true;
                state.task_id = None;
                self.session_mut(&event.session_id).ended = true;
            }
            EventKind::TaskOpened { .. } => {
                if let Some(id) = &event.task_id {
                    state.task_id = Some(id.clone());
                    let session_id = event.session_id.clone();
                    let task = self.task_mut(id);
                    task.visits += 1;
                    task.opened_at.get_or_insert(event.at);
                    if !task.session_ids.contains(&session_id) {
                        task.session_ids.push(session_id);
                    }
                }
            }
            EventKind::Input {
                first_at, counts, ..
            } => {
                if let Some(id) = &task_id {
                    let task = self.task_mut(id);
                    task.inputs.add(counts);
                    task.first_input_at.get_or_insert(*first_at);
                }
            }
            EventKind::RegionCreated {
                vertices,
                drawing_ms,
                ..
            } => {
                state.worked = true;
                if let Some(id) = &task_id {
                    let task = self.task_mut(id);
                    task.regions += 1;
                    task.edits += 1;
                    task.vertices = task
                        .vertices
                        .saturating_add(u32::try_from(*vertices).unwrap_or(u32::MAX));
                    task.drawing_ms += drawing_ms.unwrap_or(0);
                }
            }
            EventKind::RegionEdited {
                edit, drawing_ms, ..
            } => {
                state.worked = true;
                if let Some(id) = &task_id {
                    let task = self.task_mut(id);
                    task.edits += 1;
                    if edit == "insert vertex" {
                        task.vertices = task.vertices.saturating_add(1);
                    }
                    task.drawing_ms += drawing_ms.unwrap_or(0);
                }
            }
            EventKind::RegionDeleted { .. } => {
                state.worked = true;
                if let Some(id) = &task_id {
                    self.task_mut(id).edits += 1;
                }
            }
            EventKind::Undo { .. } => {
                state.worked = true;
                if let Some(id) = &task_id {
                    self.task_mut(id).undos += 1;
                }
            }
            EventKind::Redo { .. } => {
                state.worked = true;
                if let Some(id) = &task_id {
                    self.task_mut(id).redos += 1;
                }
            }
            EventKind::TaskSubmitted {
                regions,
                reward,
                currency,
            } => {
                state.worked = true;
                if let Some(id) = &task_id {
                    let task = self.task_mut(id);
                    task.outcome = Outcome::Submitted;
                    task.finished_at = Some(event.at);
                    task.regions_submitted = Some(u32::try_from(*regions).unwrap_or(u32::MAX));
                    task.reward = *reward;
                    task.currency = currency.clone();
                    task.skip_reason = None;
                }
                if state.task_id == task_id {
                    state.task_id = None;
                }
            }
            EventKind::TaskSkipped { reason } => {
                state.worked = true;
                if let Some(id) = &task_id {
                    let task = self.task_mut(id);
                    task.outcome = Outcome::Skipped;
                    task.finished_at = Some(event.at);
                    task.skip_reason = reason.clone();
                    task.reward = None;
                    task.currency = None;
                }
                if state.task_id == task_id {
                    state.task_id = None;
                }
            }
            EventKind::InstructionsShown => state.instructions_open = true,
            EventKind::WorkStarted => state.worked = true,
            EventKind::AdminShown { .. } => state.admin = true,
            EventKind::AdminHidden => state.admin = false,
            EventKind::ImageWaiting => state.waiting = true,
            EventKind::ImageReady => state.waiting = false,
            EventKind::InstructionsHidden => state.instructions_open = false,
            EventKind::FocusLost => state.focused = false,
            EventKind::FocusGained => state.focused = true,
            EventKind::Pause => state.paused = true,
            EventKind::Resume => state.paused = false,
            EventKind::BundleOpened { .. }
            | EventKind::ImageChanged { .. }
            | EventKind::ClockJumped { .. }
            | EventKind::Unknown => {}
        }
    }
}
