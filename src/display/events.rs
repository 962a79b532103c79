//! What an event of the hall's stream means for the display, pure.

use super::state::{Call, CallKind};
use crate::client::ServerEvent;

/// What to do with one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// A call or recall: show it (and say it, with a voice zone); counts changed too.
    Call(Call),
    /// Windows or waiting counts may have changed: re-read them (throttled).
    Refresh,
    /// Nothing the display shows.
    Ignore,
}

/// Reads one event (`ticket_called` and `ticket_recalled` carry `number` and `window`).
pub fn meaning(event: &ServerEvent) -> Meaning {
    let kind = match event.kind.as_str() {
        "ticket_called" => CallKind::Call,
        "ticket_recalled" => CallKind::Recall,
        k if k.starts_with("ticket_")
            || k.starts_with("window_")
            || k.starts_with("staff_")
            || k == "day_started" =>
        {
            return Meaning::Refresh;
        }
        _ => return Meaning::Ignore,
    };
    let data = &event.data;
    let number = data.get("number").and_then(|v| v.as_str());
    let window = data
        .get("window")
        .and_then(|v| v.as_u64())
        .and_then(|w| u16::try_from(w).ok());
    match (number, window) {
        (Some(number), Some(window)) => Meaning::Call(Call {
            number: number.to_string(),
            window,
            kind,
            service: data
                .get("service")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            seq: event
                .id
                .or_else(|| data.get("seq").and_then(|v| v.as_u64())),
        }),
        _ => {
            tracing::warn!("display: {} event without number/window", event.kind);
            Meaning::Refresh
        }
    }
}
