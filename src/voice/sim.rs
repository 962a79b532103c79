//! A SYN6288 / SYN6658 / XFS5152 simulator on the master side of a PTY pair.
//!
//! It parses `FD` frames with the model's rules (XOR checked for SYN6288), answers `41` or
//! `45`, becomes busy for `len(text) / 5` seconds (times [`SynSim::set_time_scale`]) after
//! each synthesis frame, answers status queries (`41 4F`/`41 4E` or a lone `4F`/`4E` for
//! SYN6288, `4F`/`4E` for the others) and records every text with its start and end. A frame
//! that arrives while it speaks cuts the speech off, as real modules do: that is counted in
//! [`SynSim::interruptions`]. Knobs: never reply, reply `45`, reboot (`4A`) mid-speech.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serialport::TTYPort;

use crate::devices::pty::{PtyPair, SimThread, open_pair};
use crate::protocol::syn::{self, CMD_STATUS, CMD_SYNTH, Decoded, Reply, SynModel};

/// One synthesis frame the module received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heard {
    /// The frame's text, markup included (`[v16]sounda请A零二三号…`).
    pub raw: String,
    /// The words without markup and prompt tones.
    pub text: String,
    /// The `[vN]` volume, if any.
    pub volume: Option<u8>,
    /// A built-in prompt tone was played first.
    pub chime: bool,
    pub started: Instant,
    /// When the speech ends (or ended, if cut off or rebooted).
    pub ended: Instant,
    /// A later frame or a reboot cut this one off.
    pub cut_off: bool,
}

/// Behaviour knobs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fault {
    #[default]
    None,
    /// Nothing is answered (powered off).
    NoReply,
    /// Every synthesis frame is answered `45`.
    RejectFrames,
    /// The next synthesis frame is accepted, then the module reboots (`4A`) halfway through.
    RebootMidSpeech,
}

#[derive(Debug)]
struct State {
    fault: Fault,
    time_scale: f64,
    /// SYN6288 only: answer a lone `4F`/`4E` instead of `41 4F`/`41 4E`.
    lone_status: bool,
    heard: Vec<Heard>,
    busy_until: Option<Instant>,
    reboot_at: Option<Instant>,
    interruptions: usize,
    status_queries: usize,
    bad_frames: usize,
    reboots: usize,
}

/// A simulated TTS module. Dropping it stops the simulator thread.
pub struct SynSim {
    /// Declared first: stopped and joined before the rest drops.
    _thread: SimThread,
    state: Arc<Mutex<State>>,
    path: String,
    _slave: TTYPort,
}

impl std::fmt::Debug for SynSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SynSim").field("path", &self.path).finish()
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// Splits frame text into (words, volume, chime): `[..]` tags and prompt tone names removed.
pub fn strip_markup(raw: &str) -> (String, Option<u8>, bool) {
    let mut text = String::new();
    let mut volume = None;
    let mut chime = false;
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c == '['
            && let Some(end) = rest.find(']')
        {
            let tag = &rest[1..end];
            if let Some(v) = tag.strip_prefix('v') {
                volume = v.parse().ok();
            }
            rest = &rest[end + 1..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("sound") {
            // `sounda`…`soundy` (SYN6288) or `sound101`… (SYN6658).
            let len = after
                .bytes()
                .take_while(|b| b.is_ascii_digit())
                .count()
                .max(usize::from(
                    after.starts_with(|c: char| c.is_ascii_lowercase()),
                ));
            if len > 0 {
                chime = true;
                rest = &after[len..];
                continue;
            }
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    (text, volume, chime)
}

impl SynSim {
    /// Creates a PTY pair and starts a module of `model` on its master side.
    pub fn start(model: SynModel) -> io::Result<SynSim> {
        let PtyPair {
            mut master,
            slave,
            path,
        } = open_pair(Duration::from_millis(2))?;
        let state = Arc::new(Mutex::new(State {
            fault: Fault::None,
            time_scale: 1.0,
            lone_status: false,
            heard: Vec::new(),
            busy_until: None,
            reboot_at: None,
            interruptions: 0,
            status_queries: 0,
            bad_frames: 0,
            reboots: 0,
        }));
        let thread = {
            let state = Arc::clone(&state);
            SimThread::spawn("syn-sim", move |stop| run(model, &state, &mut master, stop))?
        };
        Ok(SynSim {
            _thread: thread,
            state,
            path,
            _slave: slave,
        })
    }

    /// The slave path to give to the backend (`/dev/pts/N`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Speech takes `len(text) / 5 s × scale` (a chime adds 0.5 s × scale).
    pub fn set_time_scale(&self, scale: f64) {
        lock(&self.state).time_scale = scale;
    }

    pub fn set_fault(&self, fault: Fault) {
        lock(&self.state).fault = fault;
    }

    /// SYN6288: answer status with a lone `4F`/`4E` (as some documents show).
    pub fn set_lone_status(&self, lone: bool) {
        lock(&self.state).lone_status = lone;
    }

    /// Every synthesis frame received, in order.
    pub fn heard(&self) -> Vec<Heard> {
        lock(&self.state).heard.clone()
    }

    /// Frames that arrived while the module was speaking (each cut the speech off).
    pub fn interruptions(&self) -> usize {
        lock(&self.state).interruptions
    }

    pub fn status_queries(&self) -> usize {
        lock(&self.state).status_queries
    }

    /// Frames refused (bad checksum, bad length).
    pub fn bad_frames(&self) -> usize {
        lock(&self.state).bad_frames
    }

    pub fn reboots(&self) -> usize {
        lock(&self.state).reboots
    }
}

fn run(model: SynModel, state: &Mutex<State>, port: &mut TTYPort, stop: &AtomicBool) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 256];
    while !stop.load(Ordering::SeqCst) {
        match port.read(&mut chunk) {
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
        let now = Instant::now();
        let mut out = Vec::new();
        {
            let mut s = lock(state);
            if let Some(at) = s.reboot_at.filter(|&at| now >= at) {
                s.reboot_at = None;
                s.busy_until = None;
                s.reboots += 1;
                if let Some(last) = s.heard.last_mut() {
                    last.cut_off = true;
                    last.ended = at;
                }
                out.push(Reply::InitOk.byte());
            }
            loop {
                match syn::decode_frame(model, &buf) {
                    Decoded::NeedMore => break,
                    Decoded::Garbage(n) => {
                        buf.drain(..n);
                    }
                    Decoded::Bad(n, _) => {
                        buf.drain(..n);
                        s.bad_frames += 1;
                        if s.fault != Fault::NoReply {
                            out.push(Reply::Error.byte());
                        }
                    }
                    Decoded::Frame(frame, n) => {
                        buf.drain(..n);
                        handle(model, &mut s, &frame, now, &mut out);
                    }
                }
            }
        }
        if !out.is_empty() {
            let _ = port.write_all(&out);
            let _ = port.flush();
        }
    }
}

fn handle(model: SynModel, s: &mut State, frame: &syn::Frame, now: Instant, out: &mut Vec<u8>) {
    if s.fault == Fault::NoReply {
        return;
    }
    let busy = s.busy_until.is_some_and(|until| now < until);
    match frame.command {
        CMD_STATUS => {
            s.status_queries += 1;
            let status = if busy { Reply::Busy } else { Reply::Idle };
            if model == SynModel::Syn6288 && !s.lone_status {
                out.push(Reply::Accepted.byte());
            }
            out.push(status.byte());
        }
        CMD_SYNTH => {
            if s.fault == Fault::RejectFrames {
                out.push(Reply::Error.byte());
                return;
            }
            let Some((_, text)) = frame.synth() else {
                out.push(Reply::Error.byte());
                return;
            };
            if busy {
                s.interruptions += 1;
                if let Some(last) = s.heard.last_mut() {
                    last.cut_off = true;
                    last.ended = now;
                }
            }
            let raw = syn::decode_gb2312(text);
            let (words, volume, chime) = strip_markup(&raw);
            let seconds =
                (words.chars().count() as f64 / 5.0 + if chime { 0.5 } else { 0.0 }) * s.time_scale;
            let ended = now + Duration::from_secs_f64(seconds);
            if s.fault == Fault::RebootMidSpeech {
                s.fault = Fault::None;
                s.reboot_at = Some(now + Duration::from_secs_f64(seconds / 2.0));
            }
            s.heard.push(Heard {
                raw,
                text: words,
                volume,
                chime,
                started: now,
                ended,
                cut_off: false,
            });
            s.busy_until = Some(ended);
            out.push(Reply::Accepted.byte());
        }
        syn::CMD_STOP => {
            s.busy_until = None;
            out.push(Reply::Accepted.byte());
        }
        _ => out.push(Reply::Accepted.byte()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_stripped() {
        assert_eq!(
            strip_markup("[v16]sounda请A零二三号"),
            ("请A零二三号".to_owned(), Some(16), true)
        );
        assert_eq!(
            strip_markup("[v5][x1]sound101请B一号"),
            ("请B一号".to_owned(), Some(5), true)
        );
        assert_eq!(strip_markup("请A"), ("请A".to_owned(), None, false));
    }
}
