//! An Onbon BX-5K/6K bus simulator on the master side of a PTY pair: one or more screens
//! (addresses) sharing the line, like a real RS-485 bus.
//!
//! It hunts the `A5` preamble (resyncing on a new one), unescapes, checks the CRC-16/ARC,
//! parses header and `A3 06` dynamic area, decodes the GB2312 text, records it per address,
//! and answers ACK/NACK only for its own addresses (a broadcast `0xFFFE` frame is shown by
//! every screen and answered by the first). Faults per address: [`SimFault`].

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serialport::{SerialPort, TTYPort};

use crate::devices::pty::{PtyPair, SimThread, open_pair};
use crate::protocol::onbon::{self, DecodedArea, Deframer};

/// How a simulated screen misbehaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimFault {
    /// Dead or unplugged: no reply, nothing shown.
    Silent,
    /// Refuses every frame with this error code; nothing shown.
    Nack(u8),
    /// Shows the text but its reply has a wrong CRC.
    CorruptReply,
    /// Shows the text and replies this late.
    SlowReply(Duration),
}

/// A frame a screen accepted and showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimFrame {
    pub address: u16,
    pub text: String,
    pub area: DecodedArea,
    /// When the frame's last byte was read.
    pub at: Instant,
    /// The frame as received on the wire.
    pub wire: Vec<u8>,
}

#[derive(Debug, Default)]
struct State {
    faults: HashMap<u16, SimFault>,
    frames: Vec<SimFrame>,
    /// Frames addressed to each screen, shown or not.
    requests: HashMap<u16, usize>,
    errors: Vec<String>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

/// A simulated bus of Onbon screens. Dropping it stops the simulator thread.
pub struct OnbonSim {
    /// Declared first: stopped and joined before the rest drops.
    _thread: SimThread,
    shared: Arc<Shared>,
    path: String,
    slave: Option<TTYPort>,
}

impl std::fmt::Debug for OnbonSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnbonSim")
            .field("path", &self.path)
            .finish()
    }
}

impl OnbonSim {
    /// A PTY pair with screens at `addresses` on its master side.
    pub fn start(addresses: &[u16]) -> io::Result<OnbonSim> {
        let PtyPair {
            master,
            slave,
            path,
        } = open_pair(Duration::from_millis(2))?;
        let shared = Arc::new(Shared::default());
        let thread = {
            let shared = Arc::clone(&shared);
            let engine = Engine {
                shared,
                master,
                addresses: addresses.to_vec(),
                deframer: Deframer::new(),
                late: VecDeque::new(),
            };
            SimThread::spawn("onbon-sim", move |stop| engine.run(stop))?
        };
        Ok(OnbonSim {
            _thread: thread,
            shared,
            path,
            slave: Some(slave),
        })
    }

    /// The slave path (`/dev/pts/N`) for an adapter that opens ports by path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The slave end itself, for [`super::LedHandle::spawn_on`].
    pub fn take_port(&mut self) -> Option<Box<dyn SerialPort>> {
        self.slave
            .take()
            .map(|p| Box::new(p) as Box<dyn SerialPort>)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets (or with `None` clears) the fault of screen `address`.
    pub fn set_fault(&self, address: u16, fault: Option<SimFault>) {
        let mut s = self.state();
        match fault {
            Some(f) => s.faults.insert(address, f),
            None => s.faults.remove(&address),
        };
    }

    /// Every frame shown so far, in order.
    pub fn frames(&self) -> Vec<SimFrame> {
        self.state().frames.clone()
    }

    /// The last frame screen `address` showed.
    pub fn last(&self, address: u16) -> Option<SimFrame> {
        self.state()
            .frames
            .iter()
            .rev()
            .find(|f| f.address == address)
            .cloned()
    }

    /// Frames addressed to `address`, shown or not (a silent screen's count grows too).
    pub fn requests(&self, address: u16) -> usize {
        self.state().requests.get(&address).copied().unwrap_or(0)
    }

    /// Malformed frames received (a correct adapter sends none).
    pub fn errors(&self) -> Vec<String> {
        self.state().errors.clone()
    }

    /// Waits until `done(frames)` holds or `timeout` passes; returns whether it held.
    pub fn wait_until(&self, timeout: Duration, done: impl Fn(&[SimFrame]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut s = self.state();
        loop {
            if done(&s.frames) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            s = match self.shared.changed.wait_timeout(s, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

struct Engine {
    shared: Arc<Shared>,
    master: TTYPort,
    addresses: Vec<u16>,
    deframer: Deframer,
    late: VecDeque<(Instant, Vec<u8>)>,
}

impl Engine {
    fn run(mut self, stop: &AtomicBool) {
        let mut buf = [0u8; 1024];
        while !stop.load(Ordering::Relaxed) {
            match self.master.read(&mut buf) {
                Ok(0) => thread::sleep(Duration::from_millis(1)),
                Ok(n) => {
                    let at = Instant::now();
                    let bodies = self.deframer.push(&buf[..n]);
                    for body in bodies {
                        self.handle(&body, at);
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) => {}
                // No slave open at the moment (EIO): wait.
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
            let now = Instant::now();
            while self.late.front().is_some_and(|(due, _)| *due <= now) {
                if let Some((_, bytes)) = self.late.pop_front() {
                    let _ = self.master.write_all(&bytes);
                }
            }
        }
    }

    fn handle(&mut self, body: &[u8], at: Instant) {
        let shared = Arc::clone(&self.shared);
        let mut s = shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let packet = match onbon::unescape(body).and_then(|p| onbon::parse_packet(&p)) {
            Ok(p) => p,
            Err(e) => {
                // A real card drops a frame with a bad CRC silently.
                s.errors.push(e.to_string());
                return;
            }
        };
        let dst = packet.header.dst;
        let targets: Vec<u16> = if dst == onbon::BROADCAST {
            self.addresses.clone()
        } else if self.addresses.contains(&dst) {
            vec![dst]
        } else {
            return;
        };
        let mut wire = vec![onbon::PREAMBLE; onbon::PREAMBLE_LEN];
        wire.extend_from_slice(body);
        wire.push(onbon::TRAILER);
        let command = onbon::parse_dynamic_area(&packet.data);
        let mut reply = None;
        for (k, &address) in targets.iter().enumerate() {
            *s.requests.entry(address).or_default() += 1;
            let fault = s.faults.get(&address).copied();
            let answer = match (&command, fault) {
                (_, Some(SimFault::Silent)) => None,
                (_, Some(SimFault::Nack(code))) => Some(onbon::encode_reply(address, false, code)),
                (Err(e), _) => {
                    s.errors.push(format!("screen {address}: {e}"));
                    Some(onbon::encode_reply(address, false, 0x01))
                }
                (Ok(cmd), _) => {
                    for area in &cmd.areas {
                        s.frames.push(SimFrame {
                            address,
                            text: area.text.clone(),
                            area: area.clone(),
                            at,
                            wire: wire.clone(),
                        });
                    }
                    let mut ok = onbon::encode_reply(address, true, 0);
                    if fault == Some(SimFault::CorruptReply) {
                        let at = ok.len() - 2;
                        ok[at] ^= 0x01;
                        if matches!(ok[at], 0xA5 | 0xA6 | 0x5A | 0x5B) {
                            ok[at] ^= 0x03;
                        }
                    }
                    cmd.reply_requested.then_some(ok)
                }
            };
            // On a broadcast only the first screen answers (the others would collide).
            if k == 0 {
                reply = answer.map(|bytes| match fault {
                    Some(SimFault::SlowReply(d)) => (Some(d), bytes),
                    _ => (None, bytes),
                });
            }
        }
        shared.changed.notify_all();
        drop(s);
        match reply {
            Some((Some(delay), bytes)) => self.late.push_back((Instant::now() + delay, bytes)),
            Some((None, bytes)) => {
                let _ = self.master.write_all(&bytes);
            }
            None => {}
        }
    }
}
