//! Validation of times: sessions, the rollover, slot quotas.

use super::error::Problem;
use super::model::{ClockTime, SessionConfig, SlotQuotaConfig};

/// Sessions at `path`: at least one, each open before close, sorted, non-overlapping.
pub(super) fn check_sessions(path: &str, sessions: &[SessionConfig], out: &mut Vec<Problem>) {
    if sessions.is_empty() {
        out.push(Problem::new(
            path,
            "at least one session is needed, e.g. { open = \"08:30\", close = \"12:00\" }",
        ));
        return;
    }
    for (i, s) in sessions.iter().enumerate() {
        if s.open >= s.close {
            out.push(Problem::new(
                format!("{path}[{i}]"),
                format!(
                    "opens at {} but closes at {}: close must be after open (sessions cannot cross midnight)",
                    s.open, s.close
                ),
            ));
        }
        if i > 0 {
            let prev = sessions[i - 1];
            if s.open < prev.close {
                out.push(Problem::new(
                    format!("{path}[{i}]"),
                    format!(
                        "opens at {}, before the previous session closes at {}: sessions must be in order and must not overlap",
                        s.open, prev.close
                    ),
                ));
            }
        }
    }
}

/// The rollover must not fall strictly inside a session (the business day would change
/// while the hall is open).
pub(super) fn check_rollover(
    rollover: ClockTime,
    sessions_path: &str,
    sessions: &[SessionConfig],
    out: &mut Vec<Problem>,
) {
    if let Some((i, s)) = sessions
        .iter()
        .enumerate()
        .find(|(_, s)| s.open < rollover && rollover < s.close)
    {
        out.push(Problem::new(
            "hall.rollover",
            format!(
                "{rollover} is inside the session {}-{} ({sessions_path}[{i}]): the business day must not change while the hall is open",
                s.open, s.close
            ),
        ));
    }
}

/// Slot quotas at `path` (e.g. `services[1].slot_quotas`): each from before to, max at
/// least 1, inside one session, sorted and non-overlapping.
pub(super) fn check_slots(
    path: &str,
    slots: &[SlotQuotaConfig],
    sessions: &[SessionConfig],
    out: &mut Vec<Problem>,
) {
    let mut previous: Option<SlotQuotaConfig> = None;
    for (i, slot) in slots.iter().enumerate() {
        let here = format!("{path}[{i}]");
        if slot.from >= slot.to {
            out.push(Problem::new(
                &here,
                format!(
                    "from {} is not before to {}: a slot must start before it ends",
                    slot.from, slot.to
                ),
            ));
        } else if !sessions
            .iter()
            .any(|s| s.open <= slot.from && slot.to <= s.close)
        {
            out.push(Problem::new(
                &here,
                format!(
                    "{}-{} is not inside one opening session ({})",
                    slot.from,
                    slot.to,
                    describe(sessions)
                ),
            ));
        }
        if slot.max == 0 {
            out.push(Problem::new(
                format!("{here}.max"),
                "must be at least 1 (remove the slot to stop limiting it)",
            ));
        }
        if let Some(prev) = previous.filter(|prev| slot.from < prev.to) {
            out.push(Problem::new(
                &here,
                format!(
                    "starts at {}, before the previous slot ends at {}: slots must be in order and must not overlap",
                    slot.from, prev.to
                ),
            ));
        }
        previous = Some(*slot);
    }
}

/// Length in minutes of the shortest valid session.
pub(super) fn shortest_session_minutes(sessions: &[SessionConfig]) -> Option<i32> {
    sessions
        .iter()
        .filter(|s| s.open < s.close)
        .map(|s| s.close.minutes() - s.open.minutes())
        .min()
}

fn describe(sessions: &[SessionConfig]) -> String {
    sessions
        .iter()
        .map(|s| format!("{}-{}", s.open, s.close))
        .collect::<Vec<_>>()
        .join(", ")
}
