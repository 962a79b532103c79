//! The serial TTS backends (SYN6288, SYN6658, XFS5152). The announcer's thread owns the port.
//!
//! Each saying is one synthesis frame (`[vN]` volume, the built-in chime before the first
//! saying, the text with numbers spelled out). Before a frame is sent the module must report
//! idle: a frame sent while it speaks would cut the speech off. After the frame is accepted
//! (`41`) the module is polled every `poll` until it reports idle again. A `4A` (the module
//! rebooted) during a saying makes it say that saying once more.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use super::utterance::Utterance;
use super::{Speaker, VoiceError};
use crate::protocol::syn::{self, Reply, SynModel};

/// How long a module may take to answer one frame.
const REPLY_TIMEOUT: Duration = Duration::from_millis(500);

/// The module's state from one status query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Idle,
    Busy,
    /// A `4A` arrived: the module restarted (and is idle).
    Rebooted,
}

/// A serial TTS module.
pub struct SynSpeaker {
    model: SynModel,
    path: String,
    baud: u32,
    poll: Duration,
    port: Option<Box<dyn SerialPort>>,
}

impl SynSpeaker {
    pub fn new(model: SynModel, path: &str, baud: u32) -> Self {
        SynSpeaker {
            model,
            path: path.to_owned(),
            baud,
            poll: Duration::from_millis(150),
            port: None,
        }
    }

    /// Status polling interval (default 150 ms; tests with a fast simulator use less).
    pub fn with_poll_interval(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// The frame text of one saying.
    pub fn saying_text(model: SynModel, u: &Utterance, first: bool) -> String {
        let mut text = model.volume_markup(u.volume);
        if first && u.chime {
            text.push_str(model.chime_markup());
        }
        text.push_str(&u.tts_text);
        text
    }

    fn serial_error(&self, reason: impl ToString) -> VoiceError {
        VoiceError::Serial {
            port: self.path.clone(),
            reason: reason.to_string(),
        }
    }

    fn port(&mut self) -> Result<&mut Box<dyn SerialPort>, VoiceError> {
        if self.port.is_none() {
            if self.path.is_empty() {
                return Err(self.serial_error("no port configured"));
            }
            let port = serialport::new(&self.path, self.baud)
                .timeout(Duration::from_millis(20))
                .open()
                .map_err(|e| self.serial_error(e))?;
            self.port = Some(port);
        }
        self.port
            .as_mut()
            .ok_or_else(|| VoiceError::Module("port not open".into()))
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), VoiceError> {
        let result = self.port()?.write_all(bytes);
        result.map_err(|e| {
            self.port = None;
            self.serial_error(e)
        })
    }

    /// Reads replies until `done` picks one, or `timeout`.
    fn read_until<T>(
        &mut self,
        timeout: Duration,
        mut done: impl FnMut(Reply) -> Option<T>,
    ) -> Result<Option<T>, VoiceError> {
        let deadline = Instant::now() + timeout;
        // One byte at a time: bytes after the one that decides stay for the next read.
        let mut buf = [0u8; 1];
        while Instant::now() < deadline {
            let n = match self.port()?.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => 0,
                Err(e) => {
                    self.port = None;
                    return Err(self.serial_error(e));
                }
            };
            for &b in &buf[..n] {
                if let Some(v) = done(Reply::from_byte(b)) {
                    return Ok(Some(v));
                }
            }
        }
        Ok(None)
    }

    fn status(&mut self) -> Result<Status, VoiceError> {
        self.write(&syn::status_query(self.model))?;
        let mut rebooted = false;
        let status = self.read_until(REPLY_TIMEOUT, |r| match r {
            Reply::InitOk => {
                rebooted = true;
                None
            }
            Reply::Idle => Some(Status::Idle),
            Reply::Busy => Some(Status::Busy),
            // `41` leads SYN6288's two-byte status; `45`/others: wait for the status byte.
            _ => None,
        })?;
        match status {
            None => Err(VoiceError::Module("no answer to the status query".into())),
            Some(_) if rebooted => Ok(Status::Rebooted),
            Some(s) => Ok(s),
        }
    }

    /// Polls until the module is idle; true when it rebooted meanwhile.
    fn wait_idle(&mut self, limit: Duration) -> Result<bool, VoiceError> {
        let deadline = Instant::now() + limit;
        let mut rebooted = false;
        loop {
            match self.status()? {
                Status::Idle => return Ok(rebooted),
                Status::Rebooted => rebooted = true,
                Status::Busy => {}
            }
            if rebooted {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Err(VoiceError::Module(format!(
                    "still busy after {} s",
                    limit.as_secs()
                )));
            }
            std::thread::sleep(self.poll);
        }
    }

    /// Sends one synthesis frame and waits for `41`; false when the module rebooted instead.
    fn send(&mut self, frame: &[u8]) -> Result<bool, VoiceError> {
        self.write(frame)?;
        let reply = self.read_until(REPLY_TIMEOUT, |r| match r {
            Reply::Accepted | Reply::Error | Reply::InitOk => Some(r),
            _ => None,
        })?;
        match reply {
            Some(Reply::Accepted) => Ok(true),
            Some(Reply::InitOk) => Ok(false),
            Some(_) => Err(VoiceError::Module(
                "the module rejected the frame (45)".into(),
            )),
            None => Err(VoiceError::Module("no answer to the frame".into())),
        }
    }

    /// Says one frame and waits until the module is idle again; resends once after a reboot.
    fn say(&mut self, frame: &[u8], chars: usize) -> Result<(), VoiceError> {
        // About 4 characters per second at the slowest; generous for the chime.
        let limit = Duration::from_secs(5) + Duration::from_millis(500) * chars as u32;
        for attempt in 0..2 {
            if !self.send(frame)? {
                tracing::warn!(port = %self.path, "TTS module rebooted; saying again");
                continue;
            }
            std::thread::sleep(self.poll);
            if !self.wait_idle(limit)? {
                return Ok(());
            }
            if attempt == 0 {
                tracing::warn!(port = %self.path, "TTS module rebooted mid-speech; saying again");
            }
        }
        Err(VoiceError::Module("the module keeps rebooting".into()))
    }
}

impl Speaker for SynSpeaker {
    fn backend(&self) -> &'static str {
        self.model.as_str()
    }

    fn probe(&mut self) -> Result<(), VoiceError> {
        self.port().map(|_| ())
    }

    fn speak(&mut self, u: &Utterance) -> Result<(), VoiceError> {
        // Never cut off something the module is still saying.
        self.wait_idle(Duration::from_secs(30))?;
        for i in 0..u.repeat.max(1) {
            if i > 0 {
                std::thread::sleep(u.pause);
            }
            let text = Self::saying_text(self.model, u, i == 0);
            let frame = syn::synth_frame(self.model, &text)?;
            self.say(&frame, u.tts_text.chars().count())?;
        }
        Ok(())
    }
}
