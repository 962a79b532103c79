//! systemd integration (`Type=notify` + `WatchdogSec=`): readiness, status and a watchdog that
//! is pinged only while the role's main loop is healthy.
//!
//! A thin wrapper over the `sd-notify` crate. Outside systemd (no `NOTIFY_SOCKET`) every
//! function is a no-op and no task or timer is started.
//!
//! - `hallq serve` sends `READY=1` once the store is open, the hall thread runs and the
//!   listener is bound ([`ServeNotifier::ready`]); its watchdog pings only while the hall
//!   thread answers a query and the HTTP server answers `GET /api/v1/health` on its own
//!   socket, both within a quarter of the watchdog period. A wedged engine/store loop or a
//!   hung server stops the pings, and systemd restarts the process.
//! - Screen roles ([`start_ui`]) ping from the Slint UI thread, and only while their tokio
//!   runtime has beaten recently: a frozen UI or a wedged runtime both stop the pings
//!   (hardware.md §7.5).
//!
//! Test-only fault switch: `HALLQ_FAULT_WEDGE_AFTER_MS=N` makes `hallq serve` block its hall
//! thread forever N ms after start (see [`arm_fault_wedge`]). Never set it in production.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sd_notify::NotifyState;
use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::hall::Hall;

/// The test-only fault switch read by `hallq serve`.
pub const FAULT_WEDGE_ENV: &str = "HALLQ_FAULT_WEDGE_AFTER_MS";

/// Is a service manager listening (`NOTIFY_SOCKET` set)?
pub fn under_systemd() -> bool {
    std::env::var_os("NOTIFY_SOCKET").is_some_and(|s| !s.is_empty())
}

fn send(states: &[NotifyState]) {
    if !under_systemd() {
        return;
    }
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("cannot notify systemd: {e}");
    }
}

/// `READY=1` with a status line for `systemctl status`.
pub fn ready(status_text: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status_text)]);
}

/// `STATUS=…`, shown by `systemctl status`.
pub fn status(text: &str) {
    send(&[NotifyState::Status(text)]);
}

/// `STOPPING=1`: a clean shutdown has begun.
pub fn stopping() {
    send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

/// `WATCHDOG=1`: one watchdog ping. Call it only from a loop that just proved it is healthy.
pub fn ping() {
    send(&[NotifyState::Watchdog]);
}

/// The watchdog period (`WATCHDOG_USEC`, honouring `WATCHDOG_PID`), or `None` when there is
/// no service manager or no watchdog.
pub fn watchdog_period() -> Option<Duration> {
    if !under_systemd() {
        return None;
    }
    sd_notify::watchdog_enabled().filter(|p| !p.is_zero())
}

/// Pings are sent at half the watchdog period.
pub fn ping_interval(period: Duration) -> Duration {
    period / 2
}

/// A health check must answer within a quarter of the period, so that a ping still lands
/// before the period runs out.
pub fn check_timeout(period: Duration) -> Duration {
    period / 4
}

/// A stop flag shared between the shutdown path and the watchdog task.
#[derive(Clone, Debug)]
pub struct StopSignal(Arc<watch::Sender<bool>>);

impl Default for StopSignal {
    fn default() -> Self {
        Self::new()
    }
}

impl StopSignal {
    pub fn new() -> Self {
        StopSignal(Arc::new(watch::channel(false).0))
    }

    pub fn stop(&self) {
        self.0.send_replace(true);
    }

    /// Resolves once [`StopSignal::stop`] was called (at once if it already was).
    pub async fn stopped(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

/// Runs the watchdog loop: every half period, runs `check` (bounded by a quarter period) and
/// pings only when it passed. Ends when `stop` fires. A failing check is logged once and
/// shown as the unit's status until the check passes again.
pub async fn watchdog_loop<C, F>(period: Duration, mut check: C, stop: StopSignal)
where
    C: FnMut() -> F,
    F: Future<Output = Result<(), String>>,
{
    let mut ticks = tokio::time::interval(ping_interval(period));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = stop.stopped() => return,
            _ = ticks.tick() => {}
        }
        let verdict = tokio::select! {
            _ = stop.stopped() => return,
            v = tokio::time::timeout(check_timeout(period), check()) => v,
        };
        match verdict {
            Ok(Ok(())) => {
                ping();
                if failing {
                    failing = false;
                    tracing::info!("watchdog: healthy again");
                    status("running");
                }
            }
            Ok(Err(why)) => {
                if !failing {
                    tracing::error!("watchdog: unhealthy ({why}); not pinging systemd");
                    status(&format!("unhealthy: {why}"));
                }
                failing = true;
            }
            Err(_) => {
                if !failing {
                    tracing::error!("watchdog: health check timed out; not pinging systemd");
                    status("unhealthy: health check timed out");
                }
                failing = true;
            }
        }
    }
}

/// systemd notifications for `hallq serve`.
pub struct ServeNotifier {
    hall: Hall,
    runtime: Handle,
    stop: StopSignal,
}

impl ServeNotifier {
    /// Holds a hall handle until [`ServeNotifier::ready`]; the watchdog drops it once
    /// [`ServeNotifier::stopper`] fires, so the hall thread can end.
    pub fn new(hall: &Hall, runtime: &Handle) -> Self {
        ServeNotifier {
            hall: hall.clone(),
            runtime: runtime.clone(),
            stop: StopSignal::new(),
        }
    }

    /// Call from the shutdown path: sends `STOPPING=1` and ends the watchdog.
    pub fn stopper(&self) -> ServeStopper {
        ServeStopper(self.stop.clone())
    }

    /// The listener is bound at `addr`: sends `READY=1` and starts the watchdog (if any).
    pub fn ready(self, addr: SocketAddr, hall_name: &str) {
        ready(&format!("serving {hall_name} on {addr}"));
        let Some(period) = watchdog_period() else {
            return;
        };
        tracing::info!(?period, "systemd watchdog enabled");
        let client = match crate::net::http().no_proxy().build() {
            Ok(c) => c,
            Err(e) => {
                // Without the probe we cannot prove health: no pings, systemd restarts us.
                tracing::error!("watchdog: cannot build the HTTP probe: {e}");
                return;
            }
        };
        let url = format!("http://{}/api/v1/health", probe_addr(addr));
        let hall = self.hall;
        let check = move || serve_check(hall.clone(), client.clone(), url.clone());
        self.runtime
            .spawn(watchdog_loop(period, check, self.stop.clone()));
    }
}

/// Ends the serve watchdog on shutdown.
#[derive(Clone, Debug)]
pub struct ServeStopper(StopSignal);

impl ServeStopper {
    pub fn stop(&self) {
        stopping();
        self.0.stop();
    }
}

/// Where the server can be reached from inside the box.
fn probe_addr(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// Healthy = the store is not broken, the hall thread answers a query and the HTTP server
/// answers its health route.
async fn serve_check(hall: Hall, client: reqwest::Client, url: String) -> Result<(), String> {
    if hall.health().is_broken() {
        return Err("the store is broken".into());
    }
    hall.query(|_, _| ())
        .await
        .map_err(|e| format!("hall thread: {e}"))?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("HTTP probe: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("HTTP probe: {}", response.status()))
    }
}

/// Test-only fault switch: with `HALLQ_FAULT_WEDGE_AFTER_MS=N` set, N ms from now a job that
/// never returns is queued on the hall thread, which wedges the engine/store loop exactly as
/// a real deadlock would (the watchdog pings stop; systemd restarts the process). Does
/// nothing when the variable is unset or not a number.
pub fn arm_fault_wedge(hall: &Hall, runtime: &Handle) {
    let Some(ms) = std::env::var(FAULT_WEDGE_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    else {
        return;
    };
    tracing::warn!("{FAULT_WEDGE_ENV}={ms}: the hall thread will be wedged (test-only switch)");
    let hall = hall.clone();
    runtime.spawn(async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        tracing::warn!("test fault: wedging the hall thread now");
        let _ = hall
            .query(|_, _| {
                loop {
                    std::thread::park();
                }
            })
            .await;
    });
}

/// Keeps a screen role's watchdog running (timer on the UI thread, heartbeat task).
pub struct UiWatchdog {
    _timer: slint::Timer,
    stop: StopSignal,
}

impl Drop for UiWatchdog {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

/// For screen roles, on the UI thread before the event loop runs: sends `READY=1` once the
/// event loop runs, then pings from a Slint timer at half the period, but only while a
/// heartbeat task on `runtime` has beaten within the last half period. Returns `None` (and
/// does nothing) outside systemd.
pub fn start_ui(runtime: &Handle, what: &'static str) -> Option<UiWatchdog> {
    if !under_systemd() {
        return None;
    }
    slint::Timer::single_shot(Duration::ZERO, move || ready(&format!("{what} running")));
    let period = watchdog_period()?;
    let interval = ping_interval(period);
    let origin = Instant::now();
    let beat = Arc::new(AtomicU64::new(0));
    let stop = StopSignal::new();
    {
        let beat = beat.clone();
        let stop = stop.clone();
        runtime.spawn(async move {
            loop {
                beat.store(millis_since(origin), Ordering::Relaxed);
                tokio::select! {
                    _ = stop.stopped() => return,
                    _ = tokio::time::sleep(interval / 2) => {}
                }
            }
        });
    }
    let timer = slint::Timer::default();
    let limit = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
    timer.start(slint::TimerMode::Repeated, interval, move || {
        let age = millis_since(origin).saturating_sub(beat.load(Ordering::Relaxed));
        if age <= limit {
            ping();
        } else {
            tracing::error!(
                age_ms = age,
                "watchdog: the async runtime is stalled; not pinging"
            );
        }
    });
    Some(UiWatchdog {
        _timer: timer,
        stop,
    })
}

fn millis_since(origin: Instant) -> u64 {
    u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_goes_to_loopback_for_wildcard_listeners() {
        let any: SocketAddr = "0.0.0.0:8610".parse().unwrap();
        assert_eq!(probe_addr(any), "127.0.0.1:8610".parse().unwrap());
        let any6: SocketAddr = "[::]:8610".parse().unwrap();
        assert_eq!(probe_addr(any6), "[::1]:8610".parse().unwrap());
        let lan: SocketAddr = "192.168.1.10:8610".parse().unwrap();
        assert_eq!(probe_addr(lan), lan);
    }

    #[test]
    fn pings_at_half_period_and_checks_within_a_quarter() {
        let period = Duration::from_secs(30);
        assert_eq!(ping_interval(period), Duration::from_secs(15));
        assert_eq!(check_timeout(period), Duration::from_millis(7500));
    }

    #[tokio::test]
    async fn stop_signal_fires_for_late_subscribers() {
        let stop = StopSignal::new();
        stop.stop();
        tokio::time::timeout(Duration::from_secs(1), stop.stopped())
            .await
            .unwrap();
    }
}
