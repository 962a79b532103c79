//! Following the hall's event stream for a screen (window terminal, evaluator, hall display):
//! connect, hand over every event, reconnect with backoff and `Last-Event-ID`, so nothing that
//! happened while the link was down is missed. While it follows, it also tells the server
//! every [`HEARTBEAT_EVERY`] that the screen is alive (an open stream alone says nothing
//! once a box loses power: the server's TCP socket stays open for many minutes).

use std::time::Duration;

use super::{Backoff, DeviceHealth, EventStream, HallClient, ServerEvent};

/// How often a screen reports its `app` part to the server (well under the server's default
/// `[server].device_offline_after_s` of 120 s).
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);

/// What happened on the link.
#[derive(Debug)]
pub enum Link {
    /// The stream is open (again): re-read whatever the screen shows.
    Connected,
    Event(ServerEvent),
    /// The server cannot be reached or the stream was lost; [`Follower::next`] reconnects.
    Disconnected,
}

/// One screen's view of the event stream. Call [`Follower::next`] in a loop.
#[derive(Debug)]
pub struct Follower {
    client: HallClient,
    /// Names the screen in the log ("window terminal", "evaluator", "display").
    who: &'static str,
    backoff: Backoff,
    stream: Option<EventStream>,
    last_id: Option<u64>,
    /// The last connection attempt failed: wait before the next one.
    wait: bool,
    /// Started with the first connection; stops when the follower is dropped.
    heartbeat: Option<Heartbeat>,
}

/// The screen's periodic sign of life; aborted on drop.
#[derive(Debug)]
struct Heartbeat(tokio::task::AbortHandle);

impl Heartbeat {
    fn start(client: HallClient, who: &'static str) -> Self {
        let detail = format!("hallq {} {who}", env!("CARGO_PKG_VERSION"));
        Heartbeat(tokio::spawn(heartbeat(client, detail)).abort_handle())
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `app: ok (<detail>)` for `client`'s device now and every [`HEARTBEAT_EVERY`], until the
/// task is aborted. Failures are the follower's business (it shows and logs them), so they
/// are only traced here.
pub async fn heartbeat(client: HallClient, detail: String) {
    let health = DeviceHealth {
        component: "app",
        status: "ok".to_string(),
        detail: Some(detail),
    };
    loop {
        if let Err(e) = client.report_health(&health).await {
            tracing::debug!("heartbeat not delivered to {}: {e}", client.base());
        }
        tokio::time::sleep(HEARTBEAT_EVERY).await;
    }
}

impl Follower {
    pub fn new(
        client: HallClient,
        who: &'static str,
        retry_first: Duration,
        retry_max: Duration,
    ) -> Self {
        Follower {
            client,
            who,
            backoff: Backoff::new(retry_first, retry_max),
            stream: None,
            last_id: None,
            wait: false,
            heartbeat: None,
        }
    }

    /// The id of the last event seen (resumption point).
    pub fn last_id(&self) -> Option<u64> {
        self.last_id
    }

    /// The next thing that happened. A stream the server closed cleanly is reopened at once
    /// without a [`Link::Disconnected`]; a lost one reports it and reconnects at once; a
    /// failed connection reports it and waits (backoff) before the next attempt.
    pub async fn next(&mut self) -> Link {
        let who = self.who;
        loop {
            if let Some(stream) = &mut self.stream {
                match stream.next().await {
                    Ok(Some(event)) => {
                        if event.id.is_some() {
                            self.last_id = event.id;
                        }
                        return Link::Event(event);
                    }
                    Ok(None) => {
                        tracing::info!("{who}: event stream closed by the server");
                        self.stream = None;
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!("{who}: event stream lost: {e}");
                        self.stream = None;
                        return Link::Disconnected;
                    }
                }
            }
            if self.wait {
                tokio::time::sleep(self.backoff.next_delay()).await;
            }
            return match self.client.events(self.last_id).await {
                Ok(stream) => {
                    self.backoff.reset();
                    self.wait = false;
                    self.stream = Some(stream);
                    if self.heartbeat.is_none() {
                        self.heartbeat = Some(Heartbeat::start(self.client.clone(), who));
                    }
                    tracing::info!("{who}: connected to {}", self.client.base());
                    Link::Connected
                }
                Err(e) => {
                    tracing::warn!("{who}: cannot reach the hall server: {e}");
                    self.wait = true;
                    Link::Disconnected
                }
            };
        }
    }
}
