//! A bus of virtual caller keypads and 5-key evaluators on the master side of a PTY pair.
//!
//! The adapter under test opens the slave ([`KeypadBusSim::path`], or takes the port object
//! with [`KeypadBusSim::take_port`]) like a real RS-485 adapter. The simulator parses Modbus
//! RTU requests (CRC-16/MODBUS), answers only its own addresses, keeps each device's
//! registers per `hardware/callers/modbus-keypad.md` and
//! `hardware/evaluators/modbus-evaluator.md`, records what the host wrote (the acknowledged
//! sequence, the LCD text decoded from GB2312, the evaluator's prompt and timeout) and
//! injects [`SimFault`]s and a reply latency. A PTY has no baud rate: bytes arrive at once
//! unless delayed here.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serialport::{SerialPort, TTYPort};

use super::{EvaluatorKey, KeyCode};
use crate::devices::pty::{PtyPair, SimThread, open_pair};
use crate::protocol::modbus::{
    ILLEGAL_DATA_ADDRESS, ILLEGAL_FUNCTION, Incoming, LCD_REGISTERS, Request, encode_exception,
    encode_read_reply, encode_write_reply, lcd_text, parse_request, with_crc,
};

/// A fault of one virtual keypad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimFault {
    /// Powered off or unplugged: hears nothing, answers nothing.
    Silent,
    /// Acts on requests, but the reply's CRC is wrong.
    CorruptCrc,
    /// Acts on requests, but answers with this address (a misconfigured or swapped device).
    WrongAddress(u8),
    /// Acts on requests and answers this late (longer than the host's timeout, so the reply
    /// collides with a later poll).
    Late(Duration),
}

/// The register map a virtual device follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Keypad,
    Evaluator,
}

/// The timeout an evaluator has before the host writes one (hardware.md §5.3).
const EVALUATOR_DEFAULT_TIMEOUT_S: u16 = 30;

/// One virtual device's registers and what the host did to it.
#[derive(Clone, Debug, Default)]
struct Device {
    kind: Kind,
    seq: u16,
    key: u16,
    arg: u16,
    consumed: u16,
    lcd: [u16; LCD_REGISTERS],
    acks: Vec<u16>,
    lcd_history: Vec<String>,
    /// Evaluator `0x0020` and `0x0021`, and every value the host wrote to them.
    prompt: u16,
    timeout_s: u16,
    prompt_writes: Vec<u16>,
    timeout_writes: Vec<u16>,
    requests: u64,
    fault: Option<SimFault>,
    /// (function, n): the next n requests with this function are applied, their replies lost.
    lose: Option<(u8, u32)>,
}

impl Device {
    fn evaluator() -> Device {
        Device {
            kind: Kind::Evaluator,
            timeout_s: EVALUATOR_DEFAULT_TIMEOUT_S,
            ..Device::default()
        }
    }

    fn register(&self, reg: u16) -> Option<u16> {
        match (self.kind, reg) {
            (_, 0) => Some(self.seq),
            (_, 1) => Some(self.key),
            (Kind::Keypad, 2) => Some(self.arg),
            (_, 3) => Some(self.consumed),
            (Kind::Keypad, 0x10..=0x17) => Some(self.lcd[usize::from(reg - 0x10)]),
            (Kind::Evaluator, 0x20) => Some(self.prompt),
            (Kind::Evaluator, 0x21) => Some(self.timeout_s),
            _ => None,
        }
    }

    fn writable(&self, reg: u16) -> bool {
        match self.kind {
            Kind::Keypad => matches!(reg, 3 | 0x10..=0x17),
            Kind::Evaluator => matches!(reg, 3 | 0x20 | 0x21),
        }
    }

    fn write(&mut self, reg: u16, value: u16) -> bool {
        if !self.writable(reg) {
            return false;
        }
        match reg {
            3 => {
                self.consumed = value;
                self.acks.push(value);
            }
            0x10..=0x17 => self.lcd[usize::from(reg - 0x10)] = value,
            0x20 => {
                self.prompt = value;
                self.prompt_writes.push(value);
            }
            _ => {
                self.timeout_s = value;
                self.timeout_writes.push(value);
            }
        }
        true
    }
}

#[derive(Debug, Default)]
struct State {
    devices: BTreeMap<u8, Device>,
    latency: Duration,
    /// Requests with a bad CRC (a correct host sends none).
    bad_requests: u64,
    /// Requests for addresses this bus does not have.
    foreign_requests: u64,
    /// Recent request → reply bytes (empty reply: none sent), oldest first, at most 256.
    exchanges: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A simulated keypad bus. Dropping it stops the simulator thread.
pub struct KeypadBusSim {
    /// Declared first: stopped and joined before the rest drops.
    _thread: SimThread,
    state: Arc<Mutex<State>>,
    path: String,
    slave: Mutex<Option<TTYPort>>,
}

impl std::fmt::Debug for KeypadBusSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeypadBusSim")
            .field("path", &self.path)
            .finish()
    }
}

impl KeypadBusSim {
    /// Creates a PTY pair with one virtual keypad per address and starts the simulator.
    pub fn start(addresses: &[u8]) -> io::Result<KeypadBusSim> {
        Self::start_with(addresses, &[])
    }

    /// Keypads and evaluators (by address: an evaluator of window N is at 100 + N).
    pub fn start_with(keypads: &[u8], evaluators: &[u8]) -> io::Result<KeypadBusSim> {
        let PtyPair {
            master,
            slave,
            path,
        } = open_pair(Duration::from_millis(1))?;
        let state = Arc::new(Mutex::new(State {
            devices: keypads
                .iter()
                .map(|&a| (a, Device::default()))
                .chain(evaluators.iter().map(|&a| (a, Device::evaluator())))
                .collect(),
            ..State::default()
        }));
        let thread = {
            let state = Arc::clone(&state);
            SimThread::spawn("bus-sim", move |stop| Engine::new(state, master).run(stop))?
        };
        Ok(KeypadBusSim {
            _thread: thread,
            state,
            path,
            slave: Mutex::new(Some(slave)),
        })
    }

    /// The slave path to give to the adapter (`/dev/pts/N`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The slave port object itself (once), for `BusHandle::spawn_on`.
    pub fn take_port(&self) -> Option<Box<dyn SerialPort>> {
        let slave = self
            .slave
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()?;
        Some(Box::new(slave))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn with<T>(&self, address: u8, f: impl FnOnce(&mut Device) -> T) -> Option<T> {
        self.state().devices.get_mut(&address).map(f)
    }

    /// A key press on keypad `address`; returns the new sequence number.
    pub fn press(&self, address: u8, key: KeyCode, arg: u16) -> u16 {
        self.press_code(address, key.code(), arg)
    }

    /// A press with a raw key code (unknown codes, 0 after a reset).
    pub fn press_code(&self, address: u8, code: u16, arg: u16) -> u16 {
        self.with(address, |d| {
            d.seq = d.seq.wrapping_add(1);
            d.key = code;
            d.arg = arg;
            d.seq
        })
        .unwrap_or(0)
    }

    /// A key on evaluator `address` (or [`EvaluatorKey::TimedOut`]: its timeout ran out);
    /// returns the new sequence number.
    pub fn rate(&self, address: u8, key: EvaluatorKey) -> u16 {
        self.press_code(address, key.code(), 0)
    }

    /// A power cycle: every register back to its power-on value (sequence 0, key 0).
    pub fn reset(&self, address: u8) {
        self.with(address, |d| {
            let fresh = match d.kind {
                Kind::Keypad => Device::default(),
                Kind::Evaluator => Device::evaluator(),
            };
            d.seq = fresh.seq;
            d.key = fresh.key;
            d.arg = fresh.arg;
            d.consumed = fresh.consumed;
            d.lcd = fresh.lcd;
            d.prompt = fresh.prompt;
            d.timeout_s = fresh.timeout_s;
        });
    }

    /// Evaluator register `0x0020` now (1: asking for a rating).
    pub fn prompt(&self, address: u8) -> u16 {
        self.with(address, |d| d.prompt).unwrap_or(0)
    }

    /// Every value the host wrote to `0x0020`, in order.
    pub fn prompt_writes(&self, address: u8) -> Vec<u16> {
        self.with(address, |d| d.prompt_writes.clone())
            .unwrap_or_default()
    }

    /// Evaluator register `0x0021` now (seconds).
    pub fn rating_timeout(&self, address: u8) -> u16 {
        self.with(address, |d| d.timeout_s).unwrap_or(0)
    }

    /// Every value the host wrote to `0x0021`, in order.
    pub fn timeout_writes(&self, address: u8) -> Vec<u16> {
        self.with(address, |d| d.timeout_writes.clone())
            .unwrap_or_default()
    }

    /// Sets the sequence register (a keypad that was used before the server started).
    pub fn set_sequence(&self, address: u8, seq: u16) {
        self.with(address, |d| d.seq = seq);
    }

    /// The next `n` requests with `function` to `address` are applied but their replies are
    /// lost on the wire (e.g. function 6: the acknowledgement lands, the host times out).
    pub fn lose_replies(&self, address: u8, function: u8, n: u32) {
        self.with(address, |d| d.lose = Some((function, n)));
    }

    pub fn set_fault(&self, address: u8, fault: Option<SimFault>) {
        self.with(address, |d| d.fault = fault);
    }

    /// Delay before every reply (on top of a `Late` fault's own delay).
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    pub fn sequence(&self, address: u8) -> u16 {
        self.with(address, |d| d.seq).unwrap_or(0)
    }

    /// Every value the host wrote to `0x0003`, in order.
    pub fn acks(&self, address: u8) -> Vec<u16> {
        self.with(address, |d| d.acks.clone()).unwrap_or_default()
    }

    /// What the LCD shows now.
    pub fn lcd(&self, address: u8) -> String {
        self.with(address, |d| lcd_text(&d.lcd)).unwrap_or_default()
    }

    /// The LCD text after each write, in order.
    pub fn lcd_history(&self, address: u8) -> Vec<String> {
        self.with(address, |d| d.lcd_history.clone())
            .unwrap_or_default()
    }

    /// Requests addressed to this device (answered or not).
    pub fn requests(&self, address: u8) -> u64 {
        self.with(address, |d| d.requests).unwrap_or(0)
    }

    pub fn bad_requests(&self) -> u64 {
        self.state().bad_requests
    }

    pub fn foreign_requests(&self) -> u64 {
        self.state().foreign_requests
    }

    /// Recent request → reply frames (for the protocol notes and tests).
    pub fn exchanges(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.state().exchanges.clone()
    }

    /// Polls `condition` every 2 ms until it holds or `timeout` passes.
    pub fn wait_until(&self, timeout: Duration, condition: impl Fn(&Self) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if condition(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Gap after which an incomplete request is dropped (resynchronisation).
const RESYNC_GAP: Duration = Duration::from_millis(20);

struct Engine {
    state: Arc<Mutex<State>>,
    master: TTYPort,
    buf: Vec<u8>,
    last_byte: Instant,
    /// Replies waiting for their time, in the order they are due.
    pending: Vec<(Instant, Vec<u8>)>,
}

impl Engine {
    fn new(state: Arc<Mutex<State>>, master: TTYPort) -> Self {
        Engine {
            state,
            master,
            buf: Vec::new(),
            last_byte: Instant::now(),
            pending: Vec::new(),
        }
    }

    fn run(mut self, stop: &AtomicBool) {
        let mut chunk = [0u8; 512];
        while !stop.load(Ordering::Relaxed) {
            match self.master.read(&mut chunk) {
                Ok(0) => thread::sleep(Duration::from_millis(1)),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    self.last_byte = Instant::now();
                    self.handle();
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) => {}
                // No slave open at the moment (EIO): wait.
                Err(_) => thread::sleep(Duration::from_millis(2)),
            }
            if !self.buf.is_empty() && self.last_byte.elapsed() > RESYNC_GAP {
                self.buf.clear();
            }
            self.send_due();
        }
    }

    fn send_due(&mut self) {
        let now = Instant::now();
        while self.pending.first().is_some_and(|(due, _)| *due <= now) {
            let (_, bytes) = self.pending.remove(0);
            let _ = self.master.write_all(&bytes);
        }
    }

    fn handle(&mut self) {
        while let Some((incoming, used)) = parse_request(&self.buf) {
            let frame: Vec<u8> = self.buf.drain(..used).collect();
            let reply = self.answer(incoming);
            let mut s = self
                .state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if s.exchanges.len() >= 256 {
                s.exchanges.remove(0);
            }
            let sent = reply.as_ref().map(|(b, _)| b.clone()).unwrap_or_default();
            s.exchanges.push((frame, sent));
            drop(s);
            if let Some((bytes, delay)) = reply {
                let due = Instant::now() + delay;
                let at = self.pending.partition_point(|(d, _)| *d <= due);
                self.pending.insert(at, (due, bytes));
            }
        }
        self.send_due();
    }

    /// The reply to one request and its delay; `None` for no reply.
    fn answer(&mut self, incoming: Incoming) -> Option<(Vec<u8>, Duration)> {
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let latency = s.latency;
        let (address, reply) = match incoming {
            Incoming::BadCrc => {
                s.bad_requests += 1;
                return None;
            }
            Incoming::Unsupported { address, function } => {
                if !s.devices.contains_key(&address) {
                    s.foreign_requests += 1;
                    return None;
                }
                (
                    address,
                    encode_exception(address, function, ILLEGAL_FUNCTION),
                )
            }
            Incoming::Request(request) => {
                let address = request.address();
                let Some(device) = s.devices.get_mut(&address) else {
                    s.foreign_requests += 1;
                    return None;
                };
                device.requests += 1;
                if device.fault == Some(SimFault::Silent) {
                    return None;
                }
                let reply = serve(device, &request);
                if let Some((function, n)) = device.lose
                    && function == request.function()
                    && n > 0
                {
                    device.lose = Some((function, n - 1));
                    return None;
                }
                (address, reply)
            }
        };
        let fault = s.devices.get(&address).and_then(|d| d.fault);
        Some(match fault {
            Some(SimFault::CorruptCrc) => {
                let mut bytes = reply;
                if let Some(last) = bytes.last_mut() {
                    *last ^= 0x5A;
                }
                (bytes, latency)
            }
            Some(SimFault::WrongAddress(other)) => {
                let mut body = reply[..reply.len() - 2].to_vec();
                body[0] = other;
                (with_crc(body), latency)
            }
            Some(SimFault::Late(delay)) => (reply, latency + delay),
            _ => (reply, latency),
        })
    }
}

/// Applies a request to a device's registers and builds the normal or exception reply.
fn serve(device: &mut Device, request: &Request) -> Vec<u8> {
    let address = request.address();
    let refuse = || encode_exception(address, request.function(), ILLEGAL_DATA_ADDRESS);
    match request {
        Request::ReadHolding { start, count, .. } => {
            let values: Option<Vec<u16>> = (0..*count)
                .map(|i| start.checked_add(i).and_then(|r| device.register(r)))
                .collect();
            match values {
                Some(v) if (1..=125).contains(count) => encode_read_reply(address, &v),
                _ => refuse(),
            }
        }
        Request::WriteSingle {
            register, value, ..
        } => {
            if !device.write(*register, *value) {
                return refuse();
            }
            if (0x10..=0x17).contains(register) {
                device.lcd_history.push(lcd_text(&device.lcd));
            }
            encode_write_reply(request)
        }
        Request::WriteMultiple { start, values, .. } => {
            let fits = values.iter().enumerate().all(|(i, _)| {
                u16::try_from(i)
                    .ok()
                    .and_then(|i| start.checked_add(i))
                    .is_some_and(|r| device.writable(r))
            });
            if !fits || values.is_empty() {
                return refuse();
            }
            for (reg, value) in (*start..).zip(values) {
                device.write(reg, *value);
            }
            if (0x10..=0x17).contains(start) {
                device.lcd_history.push(lcd_text(&device.lcd));
            }
            encode_write_reply(request)
        }
    }
}
