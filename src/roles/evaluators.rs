//! The hall's side of the RS-485 5-key evaluators: a key becomes the 好差评 of the ticket the
//! window finished last (the evaluator at address 100 + N rates only window N), a timeout
//! reported by the device records the visit as unrated, and the hall's rating state becomes
//! the evaluator's prompt (`0x0020`).

use std::collections::HashSet;

use tokio::runtime::Handle;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::config::HallConfig;
use crate::core::{
    Change, Command, Engine, RatingChannel, RatingLevel, RatingMark, Rejected, WindowNo,
};
use crate::devices::bus::{BusHandle, EvaluatorActions, Prompt, RatingPress};
use crate::hall::{Hall, HallError};

/// The timeout written to every evaluator's `0x0021`: `[ratings].timeout_s`.
pub fn rating_timeout_s(config: &HallConfig) -> u16 {
    u16::try_from(config.ratings.timeout_s).unwrap_or(u16::MAX)
}

/// Runs evaluator keys through the hall. Called on a bus thread, so it may block.
pub struct HallEvaluators {
    hall: Hall,
    runtime: Handle,
}

impl HallEvaluators {
    pub fn new(hall: Hall, runtime: Handle) -> Self {
        HallEvaluators { hall, runtime }
    }
}

/// The command a key means: a level rates (channel `keypad`), a timeout declines.
pub fn command_for(press: RatingPress) -> Command {
    let window = WindowNo(press.window);
    match press.key.level().and_then(RatingLevel::new) {
        Some(level) => Command::Rate {
            window,
            level,
            reasons: Vec::new(),
            comment: None,
            channel: RatingChannel::Keypad,
        },
        None => Command::DeclineRating { window },
    }
}

impl EvaluatorActions for HallEvaluators {
    fn on_rating(&self, press: RatingPress) -> Result<(), String> {
        let command = command_for(press);
        let window = WindowNo(press.window);
        let visit = press.visit;
        // The key is for the visit the evaluator was asking about: refused when the window
        // has finished another one since (checked on the hall thread, no race).
        let check = move |engine: &Engine| match visit {
            Some(id)
                if engine
                    .window(window)
                    .and_then(|w| w.last_finished)
                    .map(|t| t.0)
                    != Some(id) =>
            {
                Err(Rejected::NothingToRate(window))
            }
            _ => Ok(()),
        };
        let outcome = self
            .runtime
            .block_on(self.hall.execute_checked(command, check, |_, _| ()));
        match outcome {
            Ok(()) => {
                tracing::info!(
                    window = press.window,
                    key = ?press.key,
                    level = ?press.key.level(),
                    seq = press.seq,
                    "evaluator key recorded"
                );
                Ok(())
            }
            Err(err) => {
                let reason = refusal(&err);
                match err {
                    HallError::Rejected(_) => tracing::info!(
                        window = press.window,
                        key = ?press.key,
                        seq = press.seq,
                        visit = ?press.visit,
                        "evaluator key not recorded: {reason}"
                    ),
                    _ => tracing::warn!(
                        window = press.window,
                        key = ?press.key,
                        seq = press.seq,
                        "evaluator key lost: {reason}"
                    ),
                }
                Err(reason)
            }
        }
    }
}

/// Why a key was not recorded, in English for the log.
fn refusal(err: &HallError) -> String {
    match err {
        HallError::Rejected(Rejected::NothingToRate(_)) => {
            "nothing to rate (no visit waits for a rating, or the window moved on from the one asked about)".into()
        }
        HallError::Rejected(Rejected::AlreadyRated { number }) => {
            format!("{} was already rated", number.as_str())
        }
        other => other.to_string(),
    }
}

/// What window `window`'s evaluator should do now: ask while the ticket it finished last
/// waits for a rating, idle otherwise.
pub fn prompt_for(engine: &Engine, window: WindowNo) -> Prompt {
    engine
        .window(window)
        .and_then(|w| w.last_finished)
        .and_then(|id| engine.ticket(id))
        .filter(|t| matches!(t.rating, RatingMark::Awaiting { .. }))
        .map_or(Prompt::Idle, |t| Prompt::Ask(t.id.0))
}

/// The window a change moves the rating prompt of: a finish (ask), a rating or an unrated
/// visit (idle).
fn prompt_window(change: &Change) -> Option<u16> {
    match change {
        Change::TicketFinished { window, .. } | Change::TicketUnrated { window, .. } => {
            Some(window.0)
        }
        Change::TicketRated { rating } => Some(rating.window.0),
        _ => None,
    }
}

/// Keeps every evaluator's prompt in step with the hall: at start (a rating may be pending
/// across a restart), and after each `ticket_finished`, `ticket_rated` or `ticket_unrated`
/// of an evaluator window (everything again after a lagging receiver).
pub async fn follow_ratings(hall: Hall, buses: Vec<(BusHandle, Vec<u16>)>) {
    let all: HashSet<u16> = buses.iter().flat_map(|(_, w)| w.iter().copied()).collect();
    let mut events = hall.subscribe();
    let mut due: HashSet<u16> = all.clone();
    loop {
        if !due.is_empty() {
            let windows: Vec<u16> = due.drain().collect();
            let prompts = hall
                .query(move |engine, _| {
                    windows
                        .iter()
                        .map(|&n| (n, prompt_for(engine, WindowNo(n))))
                        .collect::<Vec<_>>()
                })
                .await;
            let Ok(prompts) = prompts else { return };
            for (bus, windows) in &buses {
                for &(n, prompt) in &prompts {
                    if windows.contains(&n) {
                        bus.set_prompt(n, prompt);
                    }
                }
            }
        }
        let mut next = events.recv().await;
        loop {
            match next {
                Ok(stored) => {
                    if let Some(n) = prompt_window(&stored.event.change)
                        && all.contains(&n)
                    {
                        due.insert(n);
                    }
                }
                Err(RecvError::Lagged(_)) => due.clone_from(&all),
                Err(RecvError::Closed) => return,
            }
            // Take what else is waiting, so a burst of events costs one query.
            next = match events.try_recv() {
                Ok(stored) => Ok(stored),
                Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => Err(RecvError::Closed),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::bus::EvaluatorKey;

    #[test]
    fn keys_become_ratings_on_the_keypad_channel_and_a_timeout_declines() {
        let press = |key| RatingPress {
            window: 4,
            key,
            seq: 9,
            visit: Some(3),
        };
        match command_for(press(EvaluatorKey::Dissatisfied)) {
            Command::Rate {
                window,
                level,
                reasons,
                comment,
                channel,
            } => {
                assert_eq!(window, WindowNo(4));
                assert_eq!(level.get(), 2);
                assert!(reasons.is_empty() && comment.is_none());
                assert_eq!(channel, RatingChannel::Keypad);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            command_for(press(EvaluatorKey::TimedOut)),
            Command::DeclineRating {
                window: WindowNo(4)
            }
        ));
    }
}
