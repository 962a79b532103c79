//! `hallq voice say|check-pack` as a technician runs them.

use std::process::Command;

fn hallq() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hallq"))
}

#[test]
fn say_writes_a_wav_without_a_sound_card() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("call.wav");
    let result = hallq()
        .args(["voice", "say", "--number", "A023", "--window", "3", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    let stdout = String::from_utf8(result.stdout).unwrap();
    assert!(stdout.starts_with("请A023号到3号窗口办理\n"), "{stdout}");
    let bytes = std::fs::read(&out).unwrap();
    let samples = hallq::voice::pack::decode(bytes).unwrap();
    // Chime + two sayings + pause: several seconds at 16 kHz.
    assert!(samples.len() > 5 * 16_000, "{}", samples.len());
}

#[test]
fn say_uses_the_voice_table_of_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(
        &config,
        r#"
[hall]
name = "测试大厅"

[voice]
template = "请{number}到{window}号窗口"
one_as_yao = true

[[voice.zones]]
name = "log"
backend = "none"
"#,
    )
    .unwrap();
    let result = hallq()
        .args([
            "voice", "call", "--number", "A1", "--window", "12", "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    assert_eq!(
        String::from_utf8(result.stdout).unwrap(),
        "请A1到12号窗口\n"
    );

    let result = hallq()
        .args(["voice", "say", "--text", "请到柜台", "--out"])
        .arg(dir.path().join("x.wav"))
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert!(
        String::from_utf8(result.stderr)
            .unwrap()
            .contains("no voice clip says: 柜台")
    );
}

#[test]
fn check_pack_lists_missing_clips() {
    let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/voice/mandarin");
    let result = hallq()
        .args(["voice", "check-pack", pack])
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    assert_eq!(
        String::from_utf8(result.stdout).unwrap(),
        "46 clips present\n"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(format!("{pack}/qing.wav"), dir.path().join("qing.wav")).unwrap();
    std::fs::write(dir.path().join("hao.wav"), b"RIFF broken").unwrap();
    let result = hallq()
        .args(["voice", "check-pack"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stdout = String::from_utf8(result.stdout).unwrap();
    assert!(stdout.starts_with("1 clips present\n"), "{stdout}");
    assert!(stdout.contains("missing: chime.wav"), "{stdout}");
    assert!(!stdout.contains("missing: hao.wav"), "{stdout}");
    assert!(stdout.contains("unreadable: "), "{stdout}");
}
