//! The `sim` backend (records, logs, renders WAV files, takes as long as the audio) and the
//! `none` backend (logs the text).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::clips::{duration_of, render, wav_bytes};
use super::pack::{Pack, SAMPLE_RATE};
use super::utterance::Utterance;
use super::{Speaker, VoiceError};

/// Logs what would be said.
#[derive(Debug, Default)]
pub struct LogSpeaker;

impl Speaker for LogSpeaker {
    fn backend(&self) -> &'static str {
        "none"
    }

    fn speak(&mut self, u: &Utterance) -> Result<(), VoiceError> {
        tracing::info!(text = %u.caption, repeat = u.repeat, "voice");
        Ok(())
    }
}

/// What a [`SimSpeaker`] said: the utterance and its rendered length.
#[derive(Clone, Debug, PartialEq)]
pub struct Said {
    pub utterance: Utterance,
    pub duration: Duration,
}

/// Renders each utterance like the clips backend, without a sound card.
pub struct SimSpeaker {
    pack: Arc<Pack>,
    out_dir: Option<PathBuf>,
    realtime: bool,
    said: Arc<Mutex<Vec<Said>>>,
}

impl SimSpeaker {
    /// Takes as long as the audio would; writes `NNNN.wav` files into `out_dir` when given.
    pub fn new(pack: Arc<Pack>, out_dir: Option<PathBuf>) -> Self {
        SimSpeaker {
            pack,
            out_dir,
            realtime: true,
            said: Arc::default(),
        }
    }

    /// Returns at once instead of taking the audio's time.
    pub fn instant(mut self) -> Self {
        self.realtime = false;
        self
    }

    /// The record of what was said (shared: read it while the speaker runs).
    pub fn record(&self) -> Arc<Mutex<Vec<Said>>> {
        Arc::clone(&self.said)
    }
}

impl Speaker for SimSpeaker {
    fn backend(&self) -> &'static str {
        "sim"
    }

    fn speak(&mut self, u: &Utterance) -> Result<(), VoiceError> {
        let samples = render(&self.pack, u);
        let duration = duration_of(samples.len());
        let seq = {
            let mut said = self.said.lock().unwrap_or_else(|p| p.into_inner());
            said.push(Said {
                utterance: u.clone(),
                duration,
            });
            said.len()
        };
        tracing::info!(text = %u.caption, ms = duration.as_millis() as u64, "voice (sim)");
        if let Some(dir) = &self.out_dir {
            let path = dir.join(format!("{seq:04}.wav"));
            std::fs::write(&path, wav_bytes(&samples, SAMPLE_RATE)).map_err(|e| {
                VoiceError::Write {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                }
            })?;
        }
        if self.realtime {
            std::thread::sleep(duration);
        }
        Ok(())
    }
}
