//! Background work on the tokio runtime: the rating request, the decline at the end of the
//! countdown, the event stream, and re-reading the window's rating state.

use super::Ctx;
use crate::client::rating::RatingBody;
use crate::client::{Follower, Link};
use crate::evaluator::events::meaning;
use crate::evaluator::state::Input;

/// Sends the rating of `ticket` and hands the answer back to the state machine.
pub(super) async fn submit(ctx: Ctx, ticket: u64, body: RatingBody) {
    let result = ctx.client.rate_visit(ctx.number, ticket, &body).await;
    match &result {
        Ok(r) => tracing::info!("evaluator: {} rated {}", r.number, r.level),
        Err(e) => tracing::info!("evaluator: rating of ticket {ticket} refused: {e}"),
    }
    ctx.post(Input::Answer { ticket, result });
}

/// The countdown of `ticket` ended: records it as unrated, but only while it is still the
/// window's pending visit (the window may have finished another one meanwhile). The server
/// records it by its own timer too, so a failure here loses nothing.
pub(super) async fn decline(ctx: Ctx, ticket: u64) {
    match ctx.client.window_rating(ctx.number).await {
        Ok(r) if r.pending.as_ref().is_some_and(|p| p.ticket == ticket) => {
            match ctx.client.decline_visit(ctx.number, ticket).await {
                Ok(()) => tracing::info!("evaluator: ticket {ticket} not rated in time"),
                Err(e) => tracing::debug!("evaluator: decline of ticket {ticket}: {e}"),
            }
        }
        Ok(_) => {}
        Err(e) => tracing::debug!("evaluator: cannot check ticket {ticket} before decline: {e}"),
    }
    ctx.refresh.notify_one();
}

/// Follows `GET /api/v1/events`: changes of this window go to the state machine. Reconnects
/// with backoff and `Last-Event-ID`; the state is re-read after every reconnect.
pub(super) async fn follow_events(ctx: Ctx) {
    let (first, max) = (ctx.timing.retry_first, ctx.timing.retry_max);
    let mut link = Follower::new(ctx.client.clone(), "evaluator", first, max);
    loop {
        let alive = match link.next().await {
            Link::Connected => ctx.post(Input::Connected),
            Link::Event(event) => match meaning(&event, ctx.number) {
                Some(change) => ctx.post(Input::Server(change)),
                None => true,
            },
            Link::Disconnected => ctx.post(Input::Disconnected),
        };
        if !alive {
            return;
        }
    }
}

/// Re-reads the window's rating state at start, whenever woken, and every `poll_every`.
pub(super) async fn keep_fresh(ctx: Ctx) {
    loop {
        let alive = match ctx.client.window_rating(ctx.number).await {
            Ok(r) => ctx.post(Input::Rating(r)),
            Err(e) if e.is_unavailable() => {
                tracing::debug!("evaluator: cannot read window {}: {e}", ctx.number);
                ctx.post(Input::Disconnected)
            }
            Err(e) => {
                tracing::warn!("evaluator: cannot read window {}: {e}", ctx.number);
                true
            }
        };
        if !alive {
            return;
        }
        tokio::select! {
            _ = ctx.refresh.notified() => {}
            _ = tokio::time::sleep(ctx.timing.poll_every) => {}
        }
    }
}
