//! [`LedHandle`]: the cheap, cloneable front of the bus threads.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serialport::SerialPort;

use super::driver::driver_for;
use super::profile;
use super::worker::{Bus, BusMsg, Opener, Screen};
use super::{LedError, LedTiming, ScreenHealth, WindowShow, content_for};
use crate::config::displays::{DisplayTemplates, DisplaysConfig, ScreenProtocol};

/// Where a window's screen lives.
#[derive(Clone, Copy, Debug)]
struct Route {
    bus: usize,
    screen: usize,
    protocol: ScreenProtocol,
}

struct BusLink {
    tx: mpsc::Sender<BusMsg>,
    health: Arc<Mutex<Vec<ScreenHealth>>>,
}

struct Inner {
    buses: Vec<BusLink>,
    routes: HashMap<u16, Vec<Route>>,
    templates: DisplayTemplates,
    names: HashMap<u16, String>,
}

/// Talks to the LED bus threads. Clones share them; the threads stop when the last clone
/// is dropped.
#[derive(Clone)]
pub struct LedHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LedHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedHandle")
            .field("buses", &self.inner.buses.len())
            .finish()
    }
}

impl LedHandle {
    /// Opens every configured port and starts one thread per port. A port that is missing
    /// is not an error: its screens are offline and the port is tried again.
    pub fn spawn(
        config: &DisplaysConfig,
        window_names: HashMap<u16, String>,
    ) -> Result<LedHandle, LedError> {
        Self::spawn_on(config, window_names, Vec::new(), LedTiming::default())
    }

    /// [`Self::spawn`] with ports already opened (tests: PTY slaves) and chosen clocks.
    /// A configured port not in `ports` is opened by path.
    pub fn spawn_on(
        config: &DisplaysConfig,
        window_names: HashMap<u16, String>,
        ports: Vec<(PathBuf, Box<dyn SerialPort>)>,
        timing: LedTiming,
    ) -> Result<LedHandle, LedError> {
        let mut given: HashMap<PathBuf, Box<dyn SerialPort>> = ports.into_iter().collect();
        let mut order: Vec<PathBuf> = Vec::new();
        for s in &config.screens {
            if !order.contains(&s.port) {
                order.push(s.port.clone());
            }
        }
        let flash = Duration::from_secs(u64::from(config.flash_seconds));
        let mut routes: HashMap<u16, Vec<Route>> = HashMap::new();
        let mut buses = Vec::new();
        for (b, path) in order.iter().enumerate() {
            let on_bus: Vec<_> = config.screens.iter().filter(|s| &s.port == path).collect();
            let baud = on_bus.first().map_or(9600, |s| s.baud);
            let mut screens = Vec::new();
            for (i, s) in on_bus.iter().enumerate() {
                let p =
                    profile::load(s.profile_name()).map_err(|e| LedError::Config(e.to_string()))?;
                if p.protocol != s.protocol {
                    return Err(LedError::Config(format!(
                        "window {}: profile {} is not for protocol {}",
                        s.window,
                        p.name,
                        s.protocol.as_str()
                    )));
                }
                let driver = driver_for(&p, s.address, config.flash_seconds, s.window)
                    .map_err(|e| LedError::Config(format!("window {}: {e}", s.window)))?;
                let health = ScreenHealth {
                    window: s.window,
                    port: path.display().to_string(),
                    address: s.address,
                    protocol: s.protocol,
                    online: false,
                    last_error: None,
                    frames_sent: 0,
                    nacks: 0,
                    timeouts: 0,
                    bad_replies: 0,
                    showing: None,
                };
                screens.push(Screen::new(driver, p.ack_timeout(), p.retries, health));
                routes.entry(s.window).or_default().push(Route {
                    bus: b,
                    screen: i,
                    protocol: s.protocol,
                });
            }
            let opener = Opener {
                path: path.clone(),
                baud,
            };
            let port = given.remove(path);
            let gap = crate::protocol::modbus::t35(baud).max(Duration::from_millis(2));
            let bus = Bus::new(port, Some(opener), screens, timing, flash, gap);
            let health = Arc::clone(&bus.health);
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name(format!("led-bus-{b}"))
                .spawn(move || bus.run(rx))
                .map_err(LedError::Thread)?;
            buses.push(BusLink { tx, health });
        }
        Ok(LedHandle {
            inner: Arc::new(Inner {
                buses,
                routes,
                templates: config.templates.clone(),
                names: window_names,
            }),
        })
    }

    /// Shows `state` on window `window`'s screens. Never blocks; a newer state replaces one
    /// not sent yet. A window without a screen is ignored.
    pub fn show(&self, window: u16, state: WindowShow) {
        let Some(routes) = self.inner.routes.get(&window) else {
            return;
        };
        let name = self
            .inner
            .names
            .get(&window)
            .map_or_else(|| format!("{window}号窗口"), Clone::clone);
        for r in routes {
            let content = content_for(r.protocol, &self.inner.templates, window, &name, &state);
            if let Some(bus) = self.inner.buses.get(r.bus) {
                let _ = bus.tx.send(BusMsg::Show {
                    screen: r.screen,
                    content,
                });
            }
        }
    }

    /// Every screen's health, by window.
    pub fn health(&self) -> Vec<ScreenHealth> {
        let mut all: Vec<ScreenHealth> = self
            .inner
            .buses
            .iter()
            .flat_map(|b| b.health.lock().unwrap_or_else(|p| p.into_inner()).clone())
            .collect();
        all.sort_by_key(|h| (h.window, h.address));
        all
    }

    /// The windows that have a screen.
    pub fn windows(&self) -> Vec<u16> {
        let mut w: Vec<u16> = self.inner.routes.keys().copied().collect();
        w.sort_unstable();
        w
    }
}
