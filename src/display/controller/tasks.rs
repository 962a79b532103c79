//! Background work on the tokio runtime: the event stream (calls, and announcing them on the
//! display's voice zone), throttled re-reads of windows and services, and voice captions.

use std::sync::atomic::Ordering;

use tokio::sync::broadcast;

use super::Ctx;
use crate::client::{Follower, Link};
use crate::display::events::{Meaning, meaning};
use crate::display::state::{CallKind, Input};
use crate::voice::{Announcement, AnnouncementKind, VoiceEvent};

/// Follows `GET /api/v1/events`: calls go to the state (and the voice zone), every change
/// wakes [`keep_fresh`]. Reconnects with backoff and `Last-Event-ID`, so calls made while
/// the link was down are still shown.
pub(super) async fn follow_events(ctx: Ctx) {
    let (first, max) = (ctx.timing.retry_first, ctx.timing.retry_max);
    let mut link = Follower::new(ctx.client.clone(), "display", first, max);
    loop {
        match link.next().await {
            Link::Connected => {
                if !ctx.post(Input::Connected) {
                    return;
                }
                ctx.refresh.notify_one();
            }
            Link::Event(event) => {
                if let Some(id) = event.id {
                    ctx.seq.fetch_max(id, Ordering::SeqCst);
                }
                match meaning(&event) {
                    Meaning::Call(call) => {
                        announce(&ctx, &call.number, call.window, call.kind);
                        if !ctx.post(Input::Call(call)) {
                            return;
                        }
                        ctx.refresh.notify_one();
                    }
                    Meaning::Refresh => ctx.refresh.notify_one(),
                    Meaning::Ignore => {}
                }
            }
            Link::Disconnected => {
                if !ctx.post(Input::Disconnected) {
                    return;
                }
            }
        }
    }
}

fn announce(ctx: &Ctx, number: &str, window: u16, kind: CallKind) {
    if let Some(announcer) = &ctx.announcer {
        announcer.announce(Announcement {
            number: number.to_string(),
            window,
            kind: match kind {
                CallKind::Call => AnnouncementKind::Call,
                CallKind::Recall => AnnouncementKind::Recall,
            },
            enqueued_at: std::time::Instant::now(),
        });
    }
}

/// Re-reads windows and services at start, whenever woken (at most once per
/// `refresh_min`), and every `poll_every`.
pub(super) async fn keep_fresh(ctx: Ctx) {
    loop {
        // The answer reflects at least every event seen so far.
        let as_of = ctx.seq.load(Ordering::SeqCst);
        let windows = ctx.client.windows().await;
        let services = ctx.client.services().await;
        let alive = match (windows, services) {
            (Ok(list), Ok(services)) => {
                ctx.post(Input::Services(services)) && ctx.post(Input::Windows { list, as_of })
            }
            (Err(e), _) | (_, Err(e)) if e.is_unavailable() => {
                tracing::debug!("display: cannot read windows/services: {e}");
                ctx.post(Input::Disconnected)
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!("display: cannot read windows/services: {e}");
                true
            }
        };
        if !alive {
            return;
        }
        let fetched = tokio::time::Instant::now();
        tokio::select! {
            _ = ctx.refresh.notified() => {}
            _ = tokio::time::sleep(ctx.timing.poll_every) => {}
        }
        tokio::time::sleep_until(fetched + ctx.timing.refresh_min).await;
    }
}

/// Captions from the display's own voice zone: what it starts saying is shown, and cleared
/// a moment after it finished.
pub(super) async fn follow_voice(ctx: Ctx, mut events: broadcast::Receiver<VoiceEvent>) {
    loop {
        let input = match events.recv().await {
            Ok(VoiceEvent::Started { caption, .. }) => Input::VoiceStarted(caption),
            Ok(VoiceEvent::Finished { caption, .. }) => Input::VoiceFinished(caption),
            Ok(VoiceEvent::Dropped { .. }) => continue,
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::debug!("display: {n} voice events skipped");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if !ctx.post(input) {
            return;
        }
    }
}
