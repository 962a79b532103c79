//! The `clips` backend: the utterance's clips rendered into one sample buffer (chime,
//! sayings, pauses — gapless by construction) and played by one rodio [`Player`].
//!
//! The output device is chosen by name (default: the system default). When it cannot be
//! opened the backend says so (an error, never a panic) and logs the text; a device that
//! vanished is reopened on the next announcement.

use std::num::NonZero;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rodio::buffer::SamplesBuffer;
use rodio::cpal::traits::HostTrait;
use rodio::{DeviceSinkBuilder, DeviceTrait, MixerDeviceSink, Player};

use super::pack::{Pack, SAMPLE_RATE};
use super::utterance::{Part, Utterance};
use super::{Speaker, VoiceError};

/// The utterance's audio at [`SAMPLE_RATE`], mono, volume applied. Unknown clips are left
/// out (and logged).
pub fn render(pack: &Pack, u: &Utterance) -> Vec<f32> {
    let mut out = Vec::new();
    for part in u.plan() {
        match part {
            Part::Clip(name) => match pack.clip(&name) {
                Some(samples) => out.extend_from_slice(samples),
                None => tracing::warn!(clip = %name, "voice pack has no such clip"),
            },
            Part::Silence(d) => out.extend(std::iter::repeat_n(0.0, samples_for(d))),
        }
    }
    let volume = u.volume.clamp(0.0, 1.0);
    if volume < 1.0 {
        for s in &mut out {
            *s *= volume;
        }
    }
    out
}

/// Samples in `d` at [`SAMPLE_RATE`].
pub fn samples_for(d: Duration) -> usize {
    usize::try_from(d.as_millis() * u128::from(SAMPLE_RATE) / 1000).unwrap_or(0)
}

/// Duration of `samples` at [`SAMPLE_RATE`].
pub fn duration_of(samples: usize) -> Duration {
    Duration::from_secs_f64(samples as f64 / f64::from(SAMPLE_RATE))
}

/// A 16-bit PCM mono WAV file of `samples`.
pub fn wav_bytes(samples: &[f32], rate: u32) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX - 36);
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        // Clamped to [-1, 1] first, so the cast cannot overflow.
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Renders `u` to a WAV file at `path`; returns the audio's duration.
pub fn render_wav(pack: &Pack, u: &Utterance, path: &Path) -> Result<Duration, VoiceError> {
    let samples = render(pack, u);
    std::fs::write(path, wav_bytes(&samples, SAMPLE_RATE)).map_err(|e| VoiceError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(duration_of(samples.len()))
}

/// The output devices as `(id, name)`: `device` in a zone may be either (ids such as
/// `hw:CARD=Headphones,DEV=0` are stable; names are what the system calls them).
pub fn output_devices() -> Result<Vec<(String, String)>, VoiceError> {
    let devices = rodio::cpal::default_host()
        .output_devices()
        .map_err(|e| VoiceError::NoDevice(e.to_string()))?;
    Ok(devices
        .map(|d| {
            let id = d.id().map(|i| i.id().to_owned()).unwrap_or_default();
            (id, d.to_string())
        })
        .collect())
}

fn matches(device: &rodio::Device, wanted: &str) -> bool {
    let id_matches = device
        .id()
        .is_ok_and(|id| id.id() == wanted || id.to_string() == wanted);
    id_matches || device.to_string() == wanted
}

fn find_device(name: Option<&str>) -> Result<rodio::Device, VoiceError> {
    let host = rodio::cpal::default_host();
    match name {
        None | Some("default") => host
            .default_output_device()
            .ok_or_else(|| VoiceError::NoDevice("the system has no default output device".into())),
        Some(wanted) => {
            let listed = host
                .output_devices()
                .map_err(|e| VoiceError::NoDevice(e.to_string()))?
                .find(|d| matches(d, wanted));
            // ALSA names that are not listed (`plughw:1,0`) can still be opened by id.
            let by_id = || {
                let id = format!("{}:{wanted}", host.id().name())
                    .parse::<rodio::cpal::DeviceId>()
                    .ok()?;
                host.device_by_id(&id)
            };
            listed
                .or_else(by_id)
                .ok_or_else(|| VoiceError::NoDevice(format!("no output device named \"{wanted}\"")))
        }
    }
}

fn open_device(
    name: Option<&str>,
    broken: &Arc<AtomicBool>,
) -> Result<MixerDeviceSink, VoiceError> {
    let device = find_device(name)?;
    let label = device.to_string();
    let flag = Arc::clone(broken);
    let mut sink = DeviceSinkBuilder::from_device(device)
        .map_err(|e| VoiceError::NoDevice(format!("{label}: {e}")))?
        .with_error_callback(move |e| {
            tracing::warn!(error = %e, "audio output error");
            flag.store(true, Ordering::SeqCst);
        })
        .open_stream()
        .map_err(|e| VoiceError::NoDevice(format!("{label}: {e}")))?;
    sink.log_on_drop(false);
    broken.store(false, Ordering::SeqCst);
    tracing::info!(device = %label, "audio output opened");
    Ok(sink)
}

/// The rodio backend.
pub struct ClipsSpeaker {
    pack: Arc<Pack>,
    device: Option<String>,
    sink: Option<MixerDeviceSink>,
    broken: Arc<AtomicBool>,
    /// After a failed open, the next attempt waits until then (each attempt makes ALSA
    /// print several lines on stderr, and a box without speakers would do it every call).
    next_open: Option<Instant>,
}

/// How long a failed audio device open is not tried again.
const REOPEN_AFTER: Duration = Duration::from_secs(30);

impl ClipsSpeaker {
    pub fn new(pack: Arc<Pack>, device: Option<String>) -> Self {
        ClipsSpeaker {
            pack,
            device,
            sink: None,
            broken: Arc::new(AtomicBool::new(false)),
            next_open: None,
        }
    }

    fn sink(&mut self) -> Result<&MixerDeviceSink, VoiceError> {
        if self.broken.load(Ordering::SeqCst) {
            self.sink = None;
        }
        if self.sink.is_none() {
            if self.next_open.is_some_and(|at| Instant::now() < at) {
                return Err(VoiceError::NoDevice(
                    "no audio output (tried again every 30 s)".into(),
                ));
            }
            match open_device(self.device.as_deref(), &self.broken) {
                Ok(sink) => {
                    self.sink = Some(sink);
                    self.next_open = None;
                }
                Err(e) => {
                    self.next_open = Some(Instant::now() + REOPEN_AFTER);
                    return Err(e);
                }
            }
        }
        self.sink
            .as_ref()
            .ok_or_else(|| VoiceError::NoDevice("not open".into()))
    }

    fn play(&mut self, samples: Vec<f32>) -> Result<(), VoiceError> {
        let length = duration_of(samples.len());
        let (Some(one), Some(rate)) = (NonZero::new(1u16), NonZero::new(SAMPLE_RATE)) else {
            return Err(VoiceError::NoDevice("bad format".into()));
        };
        let sink = self.sink()?;
        let player = Player::connect_new(sink.mixer());
        player.append(SamplesBuffer::new(one, rate, samples));
        // The stream's thread pulls the samples; if the device dies it stops pulling, so wait
        // with a deadline instead of `sleep_until_end`.
        let deadline = Instant::now() + length + Duration::from_secs(2);
        while !player.empty() {
            if self.broken.load(Ordering::SeqCst) || Instant::now() > deadline {
                player.stop();
                self.sink = None;
                return Err(VoiceError::DeviceLost(
                    "playback stopped; the device is reopened next time".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

impl Speaker for ClipsSpeaker {
    fn backend(&self) -> &'static str {
        "clips"
    }

    fn probe(&mut self) -> Result<(), VoiceError> {
        self.sink().map(|_| ())
    }

    fn speak(&mut self, u: &Utterance) -> Result<(), VoiceError> {
        let samples = render(&self.pack, u);
        self.play(samples).inspect_err(|e| {
            tracing::info!(text = %u.caption, error = %e, "not said (no audio output)");
        })
    }
}
