//! 好差评 in the engine: who may rate what (一次一评), when a visit counts as unrated, and
//! the follow-up work order every 差评 opens.

use jiff::Timestamp;

use super::catalog::Catalog;
use super::command::{Command, Rejected};
use super::event::{Change, Event};
use super::rating::{
    FollowUp, FollowUpId, FollowUpState, FollowUpUpdate, Rating, RatingMark, follow_up_step_allowed,
};
use super::state::State;
use super::types::{Ticket, WindowNo};

/// Longest comment kept with a rating (characters); longer ones are cut.
pub const MAX_COMMENT_CHARS: usize = 200;

/// The ticket window `n` finished last, if its visit is still waiting for a rating.
fn awaiting(st: &State, n: WindowNo) -> Option<&Ticket> {
    let w = st.windows.get(&n)?;
    let t = st.tickets.get(&w.last_finished?)?;
    matches!(t.rating, RatingMark::Awaiting { .. }).then_some(t)
}

/// Decides `Rate`, `DeclineRating` and `UpdateFollowUp`.
pub(crate) fn decide(
    hall: &Catalog,
    st: &State,
    now: Timestamp,
    command: &Command,
) -> Result<Vec<Change>, Rejected> {
    match command {
        Command::Rate {
            window,
            level,
            reasons,
            comment,
            channel,
        } => {
            let t = rateable(st, *window)?;
            let mut reasons = reasons.clone();
            reasons.sort();
            reasons.dedup();
            let comment = comment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| c.chars().take(MAX_COMMENT_CHARS).collect::<String>());
            let rating = Rating {
                ticket: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                service_name: hall
                    .service(&t.service)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                window: *window,
                staff: t.staff.clone(),
                case_number: t.case_number.clone(),
                channel: *channel,
                level: *level,
                reasons,
                comment,
            };
            let mut changes = vec![Change::TicketRated {
                rating: Box::new(rating),
            }];
            if level.is_bad() {
                let rules = &hall.rules.ratings;
                let due = |d| now.saturating_add(d).unwrap_or(now);
                changes.push(Change::FollowUpOpened {
                    followup: Box::new(FollowUp {
                        id: FollowUpId(st.next_followup.max(1)),
                        ticket: t.id,
                        number: t.number.clone(),
                        service: t.service.clone(),
                        window: *window,
                        staff: t.staff.clone(),
                        level: *level,
                        opened_at: now,
                        callback_due: due(rules.callback_within),
                        rectify_due: due(rules.rectify_within),
                        state: FollowUpState::Open,
                        called_back_at: None,
                        rectified_at: None,
                        follow_up_level: None,
                        closed_at: None,
                    }),
                });
            }
            Ok(changes)
        }
        Command::DeclineRating { window } => {
            let t = rateable(st, *window)?;
            Ok(vec![unrated(t, *window)])
        }
        Command::UpdateFollowUp(update) => {
            let f = st
                .followups
                .get(&update.id)
                .ok_or(Rejected::UnknownFollowUp(update.id))?;
            if !follow_up_step_allowed(f.state, update.state) {
                return Err(Rejected::FollowUpStep {
                    from: f.state,
                    to: update.state,
                });
            }
            let mut update: FollowUpUpdate = update.clone();
            if update.state == FollowUpState::FollowUpRated
                && f.state != FollowUpState::FollowUpRated
                && update.follow_up_level.is_none()
            {
                return Err(Rejected::FollowUpLevelRequired);
            }
            update.note = update
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| n.chars().take(MAX_COMMENT_CHARS).collect());
            Ok(vec![Change::FollowUpUpdated { update }])
        }
        _ => Ok(Vec::new()),
    }
}

fn rateable(st: &State, window: WindowNo) -> Result<&Ticket, Rejected> {
    if !st.windows.contains_key(&window) {
        return Err(Rejected::UnknownWindow(window));
    }
    if let Some(t) = awaiting(st, window) {
        return Ok(t);
    }
    let last = st
        .windows
        .get(&window)
        .and_then(|w| w.last_finished)
        .and_then(|id| st.tickets.get(&id));
    match last {
        Some(t) if matches!(t.rating, RatingMark::Rated { .. }) => Err(Rejected::AlreadyRated {
            number: t.number.clone(),
        }),
        _ => Err(Rejected::NothingToRate(window)),
    }
}

fn unrated(t: &Ticket, window: WindowNo) -> Change {
    Change::TicketUnrated {
        ticket: t.id,
        number: t.number.clone(),
        window,
    }
}

/// Before a window finishes a new ticket, the visit it finished before, if still waiting
/// for a rating, becomes unrated (the evaluator moves on to the new one).
pub(crate) fn supersede(st: &State, changes: &mut Vec<Change>) {
    let Some(pos) = changes
        .iter()
        .position(|c| matches!(c, Change::TicketFinished { .. }))
    else {
        return;
    };
    if let Change::TicketFinished { window, .. } = &changes[pos]
        && let Some(t) = awaiting(st, *window)
    {
        let change = unrated(t, *window);
        changes.insert(pos, change);
    }
}

/// Visits whose rating time ran out by `now`: unrated.
pub(crate) fn due(st: &State, now: Timestamp) -> Vec<Change> {
    st.windows
        .keys()
        .filter_map(|&n| {
            let t = awaiting(st, n)?;
            match t.rating {
                RatingMark::Awaiting { until } if until <= now => Some(unrated(t, n)),
                _ => None,
            }
        })
        .collect()
}

/// The next moment a rating times out.
pub(crate) fn next_deadline(st: &State) -> Option<Timestamp> {
    st.windows
        .keys()
        .filter_map(|&n| match awaiting(st, n)?.rating {
            RatingMark::Awaiting { until } => Some(until),
            _ => None,
        })
        .min()
}

impl State {
    pub(crate) fn apply_rating(&mut self, hall: &Catalog, event: &Event) {
        let at = event.at;
        match &event.change {
            Change::TicketRated { rating } => {
                let level = rating.level;
                self.update_ticket(hall, rating.ticket, |t| {
                    t.rating = RatingMark::Rated { level };
                });
            }
            Change::TicketUnrated { ticket, .. } => {
                self.update_ticket(hall, *ticket, |t| t.rating = RatingMark::Unrated);
            }
            Change::FollowUpOpened { followup } => {
                self.next_followup = self.next_followup.max(followup.id.0.saturating_add(1));
                self.followups.insert(followup.id, (**followup).clone());
            }
            Change::FollowUpUpdated { update } => {
                let Some(f) = self.followups.get_mut(&update.id) else {
                    return;
                };
                f.state = update.state;
                match update.state {
                    FollowUpState::CalledBack => {
                        f.called_back_at.get_or_insert(at);
                    }
                    FollowUpState::Rectified => {
                        f.rectified_at.get_or_insert(at);
                    }
                    FollowUpState::FollowUpRated => {
                        if update.follow_up_level.is_some() {
                            f.follow_up_level = update.follow_up_level;
                        }
                    }
                    FollowUpState::Closed => {
                        self.followups.remove(&update.id);
                    }
                    FollowUpState::Open => {}
                }
            }
            _ => {}
        }
    }
}
