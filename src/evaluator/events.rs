//! Which events of the hall's stream concern one window's evaluator. Pure.

use super::state::ServerChange;
use crate::client::ServerEvent;

fn number(v: &serde_json::Value, key: &str) -> Option<u64> {
    v.get(key).and_then(serde_json::Value::as_u64)
}

/// What `event` means to the evaluator of `window`; `None` when it does not concern it.
pub fn meaning(event: &ServerEvent, window: u16) -> Option<ServerChange> {
    let data = &event.data;
    let ours = |v: &serde_json::Value| number(v, "window") == Some(u64::from(window));
    match event.kind.as_str() {
        "ticket_finished" | "staff_signed_in" | "staff_signed_out" if ours(data) => {
            Some(ServerChange::WindowChanged)
        }
        // A new day: yesterday's visit is no longer asked about.
        "day_started" => Some(ServerChange::WindowChanged),
        "ticket_rated" => {
            let rating = data.get("rating")?;
            ours(rating).then_some(ServerChange::Rated {
                ticket: number(rating, "ticket")?,
            })
        }
        "ticket_unrated" if ours(data) => Some(ServerChange::Unrated {
            ticket: number(data, "ticket")?,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, data: serde_json::Value) -> ServerEvent {
        ServerEvent {
            id: Some(9),
            kind: kind.into(),
            data,
        }
    }

    #[test]
    fn only_this_windows_changes_count() {
        let finished = json!({"type": "ticket_finished", "ticket": 4, "number": "A004",
            "window": 3, "staff": "1001", "case_number": null, "implicit": false, "seq": 9});
        assert_eq!(
            meaning(&event("ticket_finished", finished.clone()), 3),
            Some(ServerChange::WindowChanged)
        );
        assert_eq!(meaning(&event("ticket_finished", finished), 2), None);

        let rated = json!({"type": "ticket_rated", "rating": {"ticket": 4, "number": "A004",
            "window": 3, "level": 5, "channel": "keypad"}});
        assert_eq!(
            meaning(&event("ticket_rated", rated.clone()), 3),
            Some(ServerChange::Rated { ticket: 4 })
        );
        assert_eq!(meaning(&event("ticket_rated", rated), 1), None);

        let unrated = json!({"type": "ticket_unrated", "ticket": 4, "number": "A004", "window": 3});
        assert_eq!(
            meaning(&event("ticket_unrated", unrated), 3),
            Some(ServerChange::Unrated { ticket: 4 })
        );
        let called = json!({"type": "ticket_called", "ticket": 5, "window": 3});
        assert_eq!(meaning(&event("ticket_called", called), 3), None);
        let signed_in = json!({"type": "staff_signed_in", "window": 3, "staff": "1002"});
        assert_eq!(
            meaning(&event("staff_signed_in", signed_in), 3),
            Some(ServerChange::WindowChanged)
        );
    }
}
