//! One announcement ready to be said: its text, its clips, how often, how loud.

use std::time::Duration;

use super::pack::{PAUSE_CLIP, PAUSE_MS};

/// What a [`Speaker`](super::Speaker) says for one announcement.
#[derive(Clone, Debug, PartialEq)]
pub struct Utterance {
    /// The caption (`请A023号到3号窗口办理`), one saying.
    pub caption: String,
    /// The text for TTS modules, numbers spelled out (`请A零二三号到三号窗口办理`).
    pub tts_text: String,
    /// Clip names of one saying, without the chime.
    pub clips: Vec<String>,
    /// A chime before the first saying.
    pub chime: bool,
    /// How many sayings (≥ 1).
    pub repeat: u8,
    /// Silence between sayings.
    pub pause: Duration,
    /// 0.0 to 1.0.
    pub volume: f32,
}

/// One piece of the audio plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Clip(String),
    Silence(Duration),
}

impl Utterance {
    /// A plain text utterance (`hallq voice say --text`), said once without a chime.
    pub fn text(caption: &str, clips: Vec<String>) -> Utterance {
        Utterance {
            caption: caption.to_owned(),
            tts_text: caption.to_owned(),
            clips,
            chime: false,
            repeat: 1,
            pause: Duration::ZERO,
            volume: 1.0,
        }
    }

    /// The whole audio plan: chime, the clips, a pause, the clips again ….
    pub fn plan(&self) -> Vec<Part> {
        let mut out = Vec::new();
        if self.chime {
            out.push(Part::Clip("chime".to_owned()));
        }
        for i in 0..self.repeat.max(1) {
            if i > 0 && !self.pause.is_zero() {
                out.push(Part::Silence(self.pause));
            }
            for clip in &self.clips {
                if clip == PAUSE_CLIP {
                    out.push(Part::Silence(Duration::from_millis(PAUSE_MS)));
                } else {
                    out.push(Part::Clip(clip.clone()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_has_chime_repeats_and_pauses() {
        let u = Utterance {
            caption: "请A1".into(),
            tts_text: "请A一".into(),
            clips: vec!["qing".into(), "pause".into(), "digit-1".into()],
            chime: true,
            repeat: 2,
            pause: Duration::from_millis(800),
            volume: 1.0,
        };
        let clip = |s: &str| Part::Clip(s.into());
        let short = Part::Silence(Duration::from_millis(PAUSE_MS));
        assert_eq!(
            u.plan(),
            [
                clip("chime"),
                clip("qing"),
                short.clone(),
                clip("digit-1"),
                Part::Silence(Duration::from_millis(800)),
                clip("qing"),
                short,
                clip("digit-1"),
            ]
        );
        let once = Utterance::text("请", vec!["qing".into()]);
        assert_eq!(once.plan(), [clip("qing")]);
    }
}
