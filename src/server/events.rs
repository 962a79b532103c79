//! `GET /api/v1/events`: every committed state change as Server-Sent Events.
//!
//! Each SSE `id` is the event's store sequence number. A client that reconnects with
//! `Last-Event-ID` (or `?after=N`) gets everything after it from the store first, then the
//! live feed, with no gap and no repeat. Personal data (ID hashes) never leaves here, and
//! only admins see what a rating said (level, reasons, comment) or a follow-up's content:
//! staff screens learn only that a visit was rated, never how.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::{broadcast, watch};
use utoipa::IntoParams;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use crate::store::{Store, StoredEvent};

const PAGE: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
pub struct EventsQuery {
    /// Resume after this sequence number (same as the `Last-Event-ID` header). Without
    /// either, the stream starts with the next change.
    pub after: Option<u64>,
}

/// The JSON an event stream client sees: the event without personal data.
pub fn public_json(stored: &StoredEvent) -> serde_json::Value {
    let mut value = serde_json::to_value(&stored.event).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = value.as_object_mut() {
        for key in ["ticket", "appointment"] {
            if let Some(inner) = obj.get_mut(key).and_then(|v| v.as_object_mut()) {
                inner.remove("id_hash");
                inner.remove("id_last4");
            }
        }
        obj.insert("seq".into(), stored.seq.into());
    }
    value
}

/// Fields of a rating a non-admin stream keeps: enough to know which visit was rated.
const RATING_KEPT: [&str; 4] = ["ticket", "number", "window", "service"];
/// Fields of a follow-up event a non-admin stream keeps.
const FOLLOW_UP_KEPT: [&str; 3] = ["type", "seq", "at"];

/// [`public_json`] as a device that is not an admin sees it: a rating without its level,
/// reasons, comment, staff or case number; a follow-up event without its content.
pub fn staff_json(stored: &StoredEvent) -> serde_json::Value {
    let mut value = public_json(stored);
    let Some(obj) = value.as_object_mut() else {
        return value;
    };
    match stored.event.change.kind() {
        "ticket_rated" => {
            if let Some(rating) = obj.get_mut("rating").and_then(|v| v.as_object_mut()) {
                rating.retain(|k, _| RATING_KEPT.contains(&k.as_str()));
            }
        }
        "follow_up_opened" | "follow_up_updated" => {
            obj.retain(|k, _| FOLLOW_UP_KEPT.contains(&k.as_str()));
        }
        _ => {}
    }
    value
}

fn to_sse(stored: &StoredEvent, admin: bool) -> SseEvent {
    let data = if admin {
        public_json(stored)
    } else {
        staff_json(stored)
    };
    SseEvent::default()
        .id(stored.seq.to_string())
        .event(stored.event.change.kind())
        .data(data.to_string())
}

struct Feed {
    cursor: u64,
    backlog: VecDeque<StoredEvent>,
    live: broadcast::Receiver<Arc<StoredEvent>>,
    store_path: std::path::PathBuf,
    shutdown: watch::Receiver<bool>,
    /// Must re-read the store before trusting the live feed.
    catch_up: bool,
}

impl Feed {
    async fn next(&mut self) -> Option<StoredEvent> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                if e.seq > self.cursor {
                    self.cursor = e.seq;
                    return Some(e);
                }
                continue;
            }
            if self.catch_up {
                let page = self.read_store().await?;
                self.catch_up = page.len() == PAGE;
                self.backlog.extend(page);
                continue;
            }
            tokio::select! {
                received = self.live.recv() => match received {
                    Ok(e) if e.seq <= self.cursor => continue,
                    Ok(e) if e.seq == self.cursor + 1 => {
                        self.cursor = e.seq;
                        return Some((*e).clone());
                    }
                    // A gap (subscribed late) or we fell behind: read the store.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.catch_up = true,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.shutdown.changed() => return None,
            }
        }
    }

    async fn read_store(&self) -> Option<Vec<StoredEvent>> {
        let path = self.store_path.clone();
        let after = self.cursor;
        let read = tokio::task::spawn_blocking(move || {
            Store::open_read_only(&path).and_then(|s| s.events_after(after, PAGE))
        })
        .await;
        match read {
            Ok(Ok(page)) => Some(page),
            Ok(Err(err)) => {
                tracing::warn!(%err, "event stream cannot read the store; closing the stream");
                None
            }
            Err(err) => {
                tracing::warn!(%err, "event stream reader failed");
                None
            }
        }
    }
}

/// Live event stream with resume cursor.
#[utoipa::path(get, path = "/api/v1/events", tag = "hall", security(("token" = [])),
    params(EventsQuery, ("Last-Event-ID" = Option<u64>, Header, description = "resume after this sequence number")),
    responses((status = 200, description = "text/event-stream; each event's data is the JSON change with `seq`, `at` and `type`")))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::bad_request("invalid_query", "查询参数不正确", e.body_text()))?;
    let header_cursor = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let live = state.hall.subscribe();
    let last = state.hall.health().last_seq();
    let cursor = query.after.or(header_cursor).unwrap_or(last);
    let feed = Feed {
        cursor,
        backlog: VecDeque::new(),
        live,
        store_path: state.hall.store_path().to_path_buf(),
        shutdown: state.shutdown.clone(),
        catch_up: cursor < last,
    };
    let admin = caller.sees_ratings();
    let stream = futures_util::stream::unfold(feed, move |mut feed| async move {
        let next = feed.next().await?;
        Some((Ok(to_sse(&next, admin)), feed))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
