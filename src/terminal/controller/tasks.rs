//! Background work on the tokio runtime: API requests, the event stream, and re-reading the
//! window's state when anything changed.

use super::Ctx;
use crate::client::{ClientError, Follower, Link, WindowInfo};
use crate::terminal::action::Request;
use crate::terminal::state::Input;

/// Carries out one request and hands the answer back to the state machine.
pub(super) async fn send(ctx: Ctx, request: Request) {
    let n = ctx.number;
    let c = &ctx.client;
    let result: Result<WindowInfo, ClientError> = match &request {
        Request::CallNext => c.call_next(n).await,
        Request::Call(number) => c.call_number(n, number).await,
        Request::Recall => c.recall(n).await,
        Request::NoShow => c.no_show(n).await,
        Request::Hold => c.hold(n).await,
        Request::ResumeHeld(number) => c.resume_held(n, number).await,
        Request::Transfer(target) => c.transfer(n, target).await,
        Request::Pause => c.pause(n).await,
        Request::Resume => c.resume(n).await,
        Request::Finish(case) => c.finish(n, case.as_deref()).await,
        Request::SignIn { staff, pin } => c.sign_in(n, staff, pin.as_deref()).await,
        Request::SignOut => c.sign_out(n).await,
    };
    if let Err(e) = &result {
        tracing::info!("window terminal: {request:?} refused: {e}");
    }
    ctx.post(Input::Answer { request, result });
}

/// Reads the services and windows (names for the screen and the transfer picker).
async fn fetch_names(ctx: &Ctx) {
    match ctx.client.services().await {
        Ok(list) => {
            ctx.post(Input::Services(list));
        }
        Err(e) => tracing::warn!("window terminal: cannot read services: {e}"),
    }
    match ctx.client.windows().await {
        Ok(list) => {
            ctx.post(Input::Windows(list));
        }
        Err(e) => tracing::warn!("window terminal: cannot read windows: {e}"),
    }
}

/// Follows `GET /api/v1/events`: every event wakes [`keep_fresh`]. Reconnects with backoff
/// and `Last-Event-ID`; the state is re-read after every reconnect.
pub(super) async fn follow_events(ctx: Ctx) {
    let (first, max) = (ctx.timing.retry_first, ctx.timing.retry_max);
    let mut link = Follower::new(ctx.client.clone(), "window terminal", first, max);
    loop {
        match link.next().await {
            Link::Connected => {
                if !ctx.post(Input::Connected) {
                    return;
                }
                ctx.figures.notify_one();
                fetch_names(&ctx).await;
            }
            Link::Event(event) => {
                ctx.refresh.notify_one();
                if changes_figures(&event.kind) {
                    ctx.figures.notify_one();
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

/// Re-reads the window's state at start, whenever woken, and every `poll_every`.
pub(super) async fn keep_fresh(ctx: Ctx) {
    loop {
        let alive = match ctx.client.window(ctx.number).await {
            Ok(w) => ctx.post(Input::Window(w)),
            Err(e) if e.is_unavailable() => {
                tracing::debug!("window terminal: cannot read window {}: {e}", ctx.number);
                ctx.post(Input::Disconnected)
            }
            Err(e) => {
                tracing::warn!("window terminal: cannot read window {}: {e}", ctx.number);
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

/// Events after which the signed-in staff member's figures may differ.
fn changes_figures(kind: &str) -> bool {
    matches!(
        kind,
        "ticket_rated" | "staff_signed_in" | "staff_signed_out"
    )
}

/// Re-reads the staff member's own rating figures at start, when a rating or a sign-in
/// happened, and every `poll_every` (the business day rolls over without an event).
pub(super) async fn keep_figures(ctx: Ctx) {
    loop {
        match ctx.client.staff_figures(ctx.number).await {
            Ok(f) => {
                if !ctx.post(Input::Figures(f)) {
                    return;
                }
            }
            Err(e) => tracing::debug!("window terminal: cannot read own figures: {e}"),
        }
        tokio::select! {
            _ = ctx.figures.notified() => {}
            _ = tokio::time::sleep(ctx.timing.poll_every) => {}
        }
    }
}
