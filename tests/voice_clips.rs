//! The clips backend without a sound card: gapless WAV rendering, decoding back, a missing
//! device reported (not a panic), and the sim backend's latency.

use std::time::{Duration, Instant};

use hallq::voice::announcer::VoiceEvent;
use hallq::voice::backends::SimSpeaker;
use hallq::voice::clips::{ClipsSpeaker, render, render_wav, samples_for};
use hallq::voice::config::{VoiceBackend, VoiceConfig, VoiceZoneConfig};
use hallq::voice::pack::{self, Pack, SAMPLE_RATE};
use hallq::voice::{Announcement, AnnouncerHandle, Part, Speaker, ZoneSettings};

fn default_call(number: &str, window: u16) -> hallq::voice::Utterance {
    let zone = VoiceZoneConfig::new("大厅", VoiceBackend::Clips);
    let settings = ZoneSettings::new(&VoiceConfig::default(), &zone).unwrap();
    let noon = jiff::civil::Time::new(10, 0, 0, 0).unwrap();
    settings.utterance(
        &Announcement::call(number, window),
        noon,
        &pack::ClipIndex::builtin(),
    )
}

#[test]
fn rendered_call_is_the_gapless_sum_of_its_clips() {
    let pack = Pack::builtin().unwrap();
    let u = default_call("A023", 12);
    let plan = u.plan();
    let expected: usize = plan
        .iter()
        .map(|p| match p {
            Part::Clip(name) => pack.clip(name).unwrap().len(),
            Part::Silence(d) => samples_for(*d),
        })
        .sum();
    // chime + 2 × (请 A 0 2 3 号 到 十 二 号窗口办理) + one 800 ms pause.
    assert_eq!(plan.len(), 1 + 2 * 10 + 1);
    assert_eq!(plan[0], Part::Clip("chime".into()));
    assert_eq!(plan[11], Part::Silence(Duration::from_millis(800)));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let length = render_wav(&pack, &u, &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 44 + 2 * expected);
    assert_eq!(&bytes[..4], b"RIFF");
    let decoded = pack::decode(bytes).unwrap();
    assert_eq!(decoded.len(), expected);
    assert_eq!(
        length,
        Duration::from_secs_f64(expected as f64 / f64::from(SAMPLE_RATE))
    );
    assert!(length > Duration::from_secs(5) && length < Duration::from_secs(12));

    // The samples are the clips themselves, back to back: the first saying starts exactly
    // where the chime ends.
    let chime = pack.clip("chime").unwrap();
    let qing = pack.clip("qing").unwrap();
    let rendered = render(&pack, &u);
    assert_eq!(&rendered[..chime.len()], chime);
    assert_eq!(&rendered[chime.len()..chime.len() + qing.len()], qing);
    let at = chime.len() + 100;
    assert!(
        (decoded[at] - qing[100]).abs() < 1.0 / 16_000.0,
        "16-bit round trip"
    );
}

#[test]
fn volume_scales_the_samples() {
    let pack = Pack::builtin().unwrap();
    let mut u = default_call("A1", 1);
    let loud = render(&pack, &u);
    u.volume = 0.25;
    let quiet = render(&pack, &u);
    assert_eq!(loud.len(), quiet.len());
    let peak = |s: &[f32]| s.iter().fold(0f32, |m, x| m.max(x.abs()));
    assert!((peak(&quiet) - peak(&loud) * 0.25).abs() < 1e-4);
}

#[test]
fn a_missing_device_is_an_error_and_the_zone_is_offline() {
    let pack = Pack::builtin().unwrap();
    let mut speaker = ClipsSpeaker::new(pack, Some("no-such-sound-card".into()));
    assert!(speaker.probe().is_err());
    assert!(speaker.speak(&default_call("A1", 1)).is_err());

    let mut zone = VoiceZoneConfig::new("二楼", VoiceBackend::Clips);
    zone.device = Some("no-such-sound-card".into());
    let h = AnnouncerHandle::spawn(&zone, &VoiceConfig::default()).unwrap();
    h.announce(Announcement::call("A1", 1));
    assert!(h.wait_idle(Duration::from_secs(10)));
    let health = h.health();
    assert_eq!(health.backend, "clips");
    assert!(!health.online);
    assert_eq!(health.spoken, 0);
    assert!(
        health
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("no audio output device")),
        "{health:?}"
    );
}

#[test]
fn sim_backend_records_renders_and_measures_latency() {
    let dir = tempfile::tempdir().unwrap();
    let pack = Pack::builtin().unwrap();
    let sim = SimSpeaker::new(pack.clone(), Some(dir.path().to_owned())).instant();
    let record = sim.record();
    let zone = VoiceZoneConfig::new("大厅", VoiceBackend::Sim);
    let settings = ZoneSettings::new(&VoiceConfig::default(), &zone).unwrap();
    let h = AnnouncerHandle::spawn_with(
        settings,
        pack.index().clone(),
        "sim",
        Box::new(move || Box::new(sim) as Box<dyn Speaker>),
    )
    .unwrap();
    let mut events = h.subscribe();
    let mut latencies = Vec::new();
    for i in 0..50u16 {
        let t0 = Instant::now();
        h.announce(Announcement::call(&format!("A{i:03}"), 3));
        loop {
            match events.blocking_recv().unwrap() {
                VoiceEvent::Started { .. } => break,
                _ => continue,
            }
        }
        latencies.push(t0.elapsed());
        assert!(h.wait_idle(Duration::from_secs(5)));
    }
    latencies.sort();
    let p50 = latencies[latencies.len() / 2];
    let p99 = latencies[latencies.len() * 99 / 100];
    println!("announce -> playback started (sim): p50 {p50:?}, p99 {p99:?}");
    assert!(p99 < Duration::from_millis(50), "p99 {p99:?}");

    let said = record.lock().unwrap().clone();
    assert_eq!(said.len(), 50);
    assert_eq!(said[7].utterance.caption, "请A007号到3号窗口办理");
    let wav = std::fs::read(dir.path().join("0008.wav")).unwrap();
    let decoded = pack::decode(wav).unwrap();
    assert_eq!(
        decoded.len(),
        (said[7].duration.as_secs_f64() * f64::from(SAMPLE_RATE)).round() as usize
    );
}

#[test]
fn render_time_of_a_call_is_small() {
    let pack = Pack::builtin().unwrap();
    let u = default_call("A023", 12);
    let t0 = Instant::now();
    let rounds = 20;
    for _ in 0..rounds {
        std::hint::black_box(render(&pack, &u));
    }
    let each = t0.elapsed() / rounds;
    let decoded_bytes = pack.total_samples() * std::mem::size_of::<f32>();
    println!(
        "render of a call (first sample ready to queue): {each:?}; decoded pack {decoded_bytes} bytes"
    );
    assert!(each < Duration::from_millis(50), "{each:?}");
}

#[test]
fn plays_through_a_real_output_when_there_is_one() {
    // ALSA's `null` device takes samples like a sound card (alsa-lib defines it; no hardware
    // needed). Where it is missing, the zone must report that instead.
    let has_null = hallq::voice::clips::output_devices()
        .map(|d| d.iter().any(|(id, _)| id == "null"))
        .unwrap_or(false);
    let mut zone = VoiceZoneConfig::new("大厅", VoiceBackend::Clips);
    zone.device = Some("null".into());
    let h = AnnouncerHandle::spawn(&zone, &VoiceConfig::default()).unwrap();
    h.announce(Announcement::call("A023", 3));
    h.announce(Announcement::call("A024", 4));
    assert!(h.wait_idle(Duration::from_secs(30)));
    let health = h.health();
    if has_null {
        assert!(health.online, "{health:?}");
        assert_eq!(health.spoken, 2);
    } else {
        assert!(!health.online);
        assert_eq!(health.spoken, 0);
    }
}
