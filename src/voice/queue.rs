//! The announcer's decisions, pure: which announcement is next (in order, stale ones
//! dropped), what is said for it, and how loud at this time of day.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use jiff::civil::Time;

use super::VoiceError;
use super::config::{VoiceConfig, VoiceZoneConfig};
use super::pack::ClipIndex;
use super::utterance::Utterance;
use super::wording::{Template, Wording};

/// Call or recall: both are said the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnouncementKind {
    Call,
    Recall,
}

/// A call to announce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// The ticket number, `A023`.
    pub number: String,
    /// The calling window's number.
    pub window: u16,
    pub kind: AnnouncementKind,
    pub enqueued_at: Instant,
}

impl Announcement {
    pub fn call(number: &str, window: u16) -> Announcement {
        Announcement {
            number: number.to_owned(),
            window,
            kind: AnnouncementKind::Call,
            enqueued_at: Instant::now(),
        }
    }
}

/// Calls waiting to be said, oldest first.
#[derive(Debug, Default)]
pub struct Queue {
    items: VecDeque<Announcement>,
}

/// What [`Queue::next`] decided.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Next {
    /// The announcement to say now.
    pub announce: Option<Announcement>,
    /// Announcements older than the maximum age, dropped unsaid.
    pub stale: Vec<Announcement>,
}

impl Queue {
    pub fn push(&mut self, a: Announcement) {
        self.items.push_back(a);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The oldest announcement not older than `max_age` at `now`; older ones are dropped.
    pub fn next(&mut self, now: Instant, max_age: Duration) -> Next {
        let mut out = Next::default();
        while let Some(a) = self.items.pop_front() {
            if now.saturating_duration_since(a.enqueued_at) > max_age {
                out.stale.push(a);
            } else {
                out.announce = Some(a);
                break;
            }
        }
        out
    }
}

/// A time range with its own volume; `from` after `to` spans midnight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuietHours {
    pub from: Time,
    pub to: Time,
    pub volume: f32,
}

impl QuietHours {
    pub fn contains(&self, t: Time) -> bool {
        if self.from <= self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }
}

/// One zone's settings, from `[voice]` and its `[[voice.zones]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneSettings {
    pub zone: String,
    pub windows: Vec<u16>,
    pub wording: Wording,
    pub repeat: u8,
    pub pause: Duration,
    pub chime: bool,
    pub max_age: Duration,
    pub volume: f32,
    pub quiet_hours: Vec<QuietHours>,
}

impl ZoneSettings {
    pub fn new(voice: &VoiceConfig, zone: &VoiceZoneConfig) -> Result<ZoneSettings, VoiceError> {
        let template = Template::parse(&voice.template)
            .map_err(|e| VoiceError::Config(format!("voice.template: {e}")))?;
        Ok(ZoneSettings {
            zone: zone.name.clone(),
            windows: zone.windows.clone(),
            wording: Wording::new(template, voice.one_as_yao, voice.window_numbers),
            repeat: voice.repeat.max(1),
            pause: Duration::from_millis(voice.pause_ms),
            chime: voice.chime,
            max_age: Duration::from_secs(voice.max_age_seconds),
            volume: zone.volume.clamp(0.0, 1.0),
            quiet_hours: zone
                .quiet_hours
                .iter()
                .map(|q| QuietHours {
                    from: q.from.0,
                    to: q.to.0,
                    volume: q.volume.clamp(0.0, 1.0),
                })
                .collect(),
        })
    }

    /// Whether this zone announces calls of `window` (no list: every window).
    pub fn covers(&self, window: u16) -> bool {
        self.windows.is_empty() || self.windows.contains(&window)
    }

    /// The volume at local time `t`: the first quiet-hours range containing it, else the
    /// zone's volume.
    pub fn volume_at(&self, t: Time) -> f32 {
        self.quiet_hours
            .iter()
            .find(|q| q.contains(t))
            .map_or(self.volume, |q| q.volume)
    }

    /// What to say for `a` at local time `t`.
    pub fn utterance(&self, a: &Announcement, t: Time, index: &ClipIndex) -> Utterance {
        let said = self.wording.say(&a.number, a.window, index);
        Utterance {
            caption: said.caption,
            tts_text: said.tts_text,
            clips: said.clips,
            chime: self.chime,
            repeat: self.repeat,
            pause: self.pause,
            volume: self.volume_at(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClockTime;
    use crate::voice::config::QuietHoursConfig;

    fn at(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    fn a(number: &str, enqueued_at: Instant) -> Announcement {
        Announcement {
            number: number.into(),
            window: 1,
            kind: AnnouncementKind::Call,
            enqueued_at,
        }
    }

    #[test]
    fn in_order_and_stale_dropped() {
        let t0 = Instant::now();
        let mut q = Queue::default();
        q.push(a("A001", t0));
        q.push(a("A002", at(t0, 10_000)));
        q.push(a("A003", at(t0, 50_000)));
        let max = Duration::from_secs(60);
        let n = q.next(at(t0, 20_000), max);
        assert_eq!(n.announce.unwrap().number, "A001");
        assert!(n.stale.is_empty());
        // At 75 s, A002 (65 s old) is stale; A003 (25 s) is next.
        let n = q.next(at(t0, 75_000), max);
        assert_eq!(n.stale.len(), 1);
        assert_eq!(n.stale[0].number, "A002");
        assert_eq!(n.announce.unwrap().number, "A003");
        assert!(q.is_empty());
        assert_eq!(q.next(at(t0, 80_000), max), Next::default());
        // Exactly max_age old is still said.
        q.push(a("A004", t0));
        assert!(q.next(at(t0, 60_000), max).announce.is_some());
    }

    fn settings() -> ZoneSettings {
        let mut zone = VoiceZoneConfig::new("hall", super::super::config::VoiceBackend::Sim);
        zone.volume = 0.9;
        zone.windows = vec![1, 2];
        let q = |from: &str, to: &str, volume| QuietHoursConfig {
            from: ClockTime::parse(from).unwrap(),
            to: ClockTime::parse(to).unwrap(),
            volume,
        };
        zone.quiet_hours = vec![q("12:00", "14:00", 0.4), q("22:00", "07:00", 0.1)];
        ZoneSettings::new(&VoiceConfig::default(), &zone).unwrap()
    }

    #[test]
    fn quiet_hours() {
        let s = settings();
        let t = |h, m| Time::new(h, m, 0, 0).unwrap();
        assert_eq!(s.volume_at(t(11, 59)), 0.9);
        assert_eq!(s.volume_at(t(12, 0)), 0.4);
        assert_eq!(s.volume_at(t(13, 59)), 0.4);
        assert_eq!(s.volume_at(t(14, 0)), 0.9);
        assert_eq!(s.volume_at(t(23, 30)), 0.1);
        assert_eq!(s.volume_at(t(6, 0)), 0.1);
        assert_eq!(s.volume_at(t(7, 0)), 0.9);
    }

    #[test]
    fn recall_is_said_like_a_call() {
        let s = settings();
        assert!(s.covers(2) && !s.covers(3));
        let index = ClipIndex::builtin();
        let noon = Time::new(12, 30, 0, 0).unwrap();
        let call = a("A023", Instant::now());
        let recall = Announcement {
            kind: AnnouncementKind::Recall,
            ..call.clone()
        };
        let u = s.utterance(&call, noon, &index);
        assert_eq!(u, s.utterance(&recall, noon, &index));
        assert_eq!(u.caption, "请A023号到1号窗口办理");
        assert_eq!(u.repeat, 2);
        assert_eq!(u.pause, Duration::from_millis(800));
        assert!(u.chime);
        assert_eq!(u.volume, 0.4);
    }
}
