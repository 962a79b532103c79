//! SYN6288 / SYN6658 backends over a real PTY against the module simulator: frames,
//! checksum, busy polling (never cut off), `45` errors, reboots, silence.

use std::time::Duration;

use hallq::protocol::syn::SynModel;
use hallq::voice::config::{VoiceBackend, VoiceConfig, VoiceZoneConfig};
use hallq::voice::pack::ClipIndex;
use hallq::voice::sim::{Fault, SynSim};
use hallq::voice::syn::SynSpeaker;
use hallq::voice::{Announcement, AnnouncerHandle, Speaker, ZoneSettings};

const SCALE: f64 = 0.05;

fn start(model: SynModel) -> (SynSim, AnnouncerHandle) {
    let sim = SynSim::start(model).unwrap();
    sim.set_time_scale(SCALE);
    let backend = match model {
        SynModel::Syn6288 => VoiceBackend::Syn6288,
        SynModel::Syn6658 => VoiceBackend::Syn6658,
        SynModel::Xfs5152 => VoiceBackend::Xfs5152,
    };
    let mut zone = VoiceZoneConfig::new("大厅", backend);
    zone.port = Some(sim.path().into());
    zone.volume = 0.5;
    let voice = VoiceConfig {
        pause_ms: 30,
        ..VoiceConfig::default()
    };
    let settings = ZoneSettings::new(&voice, &zone).unwrap();
    let speaker =
        SynSpeaker::new(model, sim.path(), 9600).with_poll_interval(Duration::from_millis(10));
    let h = AnnouncerHandle::spawn_with(
        settings,
        ClipIndex::builtin(),
        model.as_str(),
        Box::new(move || Box::new(speaker) as Box<dyn Speaker>),
    )
    .unwrap();
    (sim, h)
}

fn check_in_order_never_cut_off(model: SynModel, lone_status: bool) {
    let (sim, h) = start(model);
    sim.set_lone_status(lone_status);
    h.announce(Announcement::call("A023", 12));
    h.announce(Announcement::call("B101", 3));
    h.announce(Announcement::call("C7", 105));
    assert!(h.wait_idle(Duration::from_secs(20)));
    let heard = sim.heard();
    let texts: Vec<_> = heard.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "请A零二三号到十二号窗口办理",
            "请A零二三号到十二号窗口办理",
            "请B一零一号到三号窗口办理",
            "请B一零一号到三号窗口办理",
            "请C七号到一百零五号窗口办理",
            "请C七号到一百零五号窗口办理",
        ]
    );
    // The chime only before the first saying of each call; volume 0.5 as a [v] tag.
    let chimes: Vec<_> = heard.iter().map(|x| x.chime).collect();
    assert_eq!(chimes, [true, false, true, false, true, false]);
    let half = model.max_volume() / 2;
    assert!(heard.iter().all(|x| x.volume == Some(half)));
    match model {
        SynModel::Syn6288 => assert!(heard[0].raw.starts_with("[v8]sounda请")),
        _ => assert!(heard[0].raw.starts_with("[v5][x1]sound101请")),
    }
    // Each frame only after the module reported idle: nothing was cut off.
    assert_eq!(sim.interruptions(), 0);
    assert_eq!(sim.bad_frames(), 0);
    assert!(heard.iter().all(|x| !x.cut_off));
    for pair in heard.windows(2) {
        assert!(pair[1].started >= pair[0].ended, "{pair:?}");
    }
    assert!(sim.status_queries() >= heard.len());
    let health = h.health();
    assert!(health.online, "{health:?}");
    assert_eq!(health.spoken, 3);
    assert_eq!(health.backend, model.as_str());
}

#[test]
fn syn6288_says_calls_in_order_without_cutting_off() {
    check_in_order_never_cut_off(SynModel::Syn6288, false);
}

#[test]
fn syn6288_lone_status_bytes_are_accepted() {
    check_in_order_never_cut_off(SynModel::Syn6288, true);
}

#[test]
fn syn6658_says_calls_in_order_without_cutting_off() {
    check_in_order_never_cut_off(SynModel::Syn6658, false);
}

#[test]
fn xfs5152_uses_the_syn6658_frames() {
    check_in_order_never_cut_off(SynModel::Xfs5152, false);
}

#[test]
fn a_rejected_frame_is_an_error_in_health() {
    let (sim, h) = start(SynModel::Syn6288);
    sim.set_fault(Fault::RejectFrames);
    h.announce(Announcement::call("A1", 1));
    assert!(h.wait_idle(Duration::from_secs(10)));
    let health = h.health();
    assert!(!health.online);
    assert_eq!(
        health.last_error.as_deref(),
        Some("TTS module: the module rejected the frame (45)")
    );
    // It recovers with the module.
    sim.set_fault(Fault::None);
    h.announce(Announcement::call("A2", 1));
    assert!(h.wait_idle(Duration::from_secs(10)));
    assert!(h.health().online);
    assert_eq!(h.health().spoken, 1);
}

#[test]
fn a_reboot_mid_speech_says_the_call_again() {
    let (sim, h) = start(SynModel::Syn6658);
    sim.set_fault(Fault::RebootMidSpeech);
    h.announce(Announcement::call("A9", 2));
    assert!(h.wait_idle(Duration::from_secs(10)));
    assert_eq!(sim.reboots(), 1);
    let heard = sim.heard();
    assert_eq!(heard.len(), 3, "{heard:?}");
    assert!(heard[0].cut_off);
    assert_eq!(heard[0].text, heard[1].text);
    assert!(heard[1..].iter().all(|x| !x.cut_off));
    assert_eq!(sim.interruptions(), 0);
    assert!(h.health().online);
}

#[test]
fn a_silent_module_is_reported_offline_quickly() {
    let (sim, h) = start(SynModel::Syn6288);
    sim.set_fault(Fault::NoReply);
    h.announce(Announcement::call("A1", 1));
    assert!(h.wait_idle(Duration::from_secs(5)));
    let health = h.health();
    assert!(!health.online);
    assert!(
        health
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("no answer")),
        "{health:?}"
    );
}

#[test]
fn a_missing_port_is_an_error_not_a_panic() {
    let mut zone = VoiceZoneConfig::new("大厅", VoiceBackend::Syn6288);
    zone.port = Some("/dev/does-not-exist-hallq".into());
    let h = AnnouncerHandle::spawn(&zone, &VoiceConfig::default()).unwrap();
    h.announce(Announcement::call("A1", 1));
    assert!(h.wait_idle(Duration::from_secs(5)));
    let health = h.health();
    assert!(!health.online);
    assert!(
        health
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("serial port /dev/does-not-exist-hallq")),
        "{health:?}"
    );
}
