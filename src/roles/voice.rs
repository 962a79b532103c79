//! `hallq voice`: say a call (to a WAV file or through a zone's backend), list audio
//! devices, check a voice pack directory.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::voice::announcer::speaker_factory;
use crate::voice::clips::{output_devices, render_wav};
use crate::voice::config::{VoiceConfig, VoiceZoneConfig};
use crate::voice::pack::{Pack, check_dir};
use crate::voice::{Announcement, Utterance, ZoneSettings};

#[derive(Debug, clap::Subcommand)]
pub enum VoiceCommand {
    /// Say a call (`--number A023 --window 3`) or a text (`--text 请稍候`), or write it to a
    /// WAV file with `--out`.
    #[command(alias = "call")]
    Say(SayArgs),
    /// List the audio output devices (names for `device` in `[[voice.zones]]`).
    Devices,
    /// Check a voice pack directory: missing and unreadable clips.
    CheckPack {
        /// The directory with one WAV file per clip.
        dir: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct SayArgs {
    /// The ticket number to call.
    #[arg(long, requires = "window", conflicts_with = "text")]
    pub number: Option<String>,
    /// The calling window.
    #[arg(long)]
    pub window: Option<u16>,
    /// A text to say instead of a call (must be covered by clips for the clips backend).
    #[arg(long)]
    pub text: Option<String>,
    /// Hall configuration with a `[voice]` table; default: the built-in voice settings.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// The zone to use (default: the first).
    #[arg(long)]
    pub zone: Option<String>,
    /// Write the audio to this WAV file instead of playing it.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(command: VoiceCommand) -> ExitCode {
    super::init_logging();
    let result = match command {
        VoiceCommand::Say(args) => say(&args),
        VoiceCommand::Devices => devices(),
        VoiceCommand::CheckPack { dir } => check_pack(&dir),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("hallq: {e}");
            ExitCode::from(2)
        }
    }
}

/// The `[voice]` table of a `hall.toml` text (defaults when absent). Only that table is read.
pub fn voice_config_from_toml(text: &str) -> Result<VoiceConfig, String> {
    let root: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    match root.get("voice") {
        None => Ok(VoiceConfig::default()),
        Some(v) => v
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| format!("[voice]: {e}")),
    }
}

fn load(path: Option<&Path>) -> Result<VoiceConfig, String> {
    let Some(path) = path else {
        return Ok(VoiceConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    voice_config_from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn pick_zone<'a>(
    voice: &'a VoiceConfig,
    name: Option<&str>,
) -> Result<&'a VoiceZoneConfig, String> {
    match name {
        Some(n) => voice
            .zones
            .iter()
            .find(|z| z.name == n)
            .ok_or_else(|| format!("no voice zone named \"{n}\"")),
        None => voice
            .zones
            .first()
            .ok_or_else(|| "[voice] has no zones".to_owned()),
    }
}

fn utterance(
    args: &SayArgs,
    voice: &VoiceConfig,
    zone: &VoiceZoneConfig,
    pack: &Pack,
) -> Result<Utterance, String> {
    let settings = ZoneSettings::new(voice, zone).map_err(|e| e.to_string())?;
    if let Some(text) = &args.text {
        let (clips, uncovered) = pack.index().clips_for(text);
        if !uncovered.is_empty() && zone.backend.syn_model().is_none() {
            return Err(format!("no voice clip says: {}", uncovered.join(", ")));
        }
        let mut u = Utterance::text(text, clips);
        u.volume = settings.volume_at(jiff::Zoned::now().time());
        return Ok(u);
    }
    match (&args.number, args.window) {
        (Some(number), Some(window)) => Ok(settings.utterance(
            &Announcement::call(number, window),
            jiff::Zoned::now().time(),
            pack.index(),
        )),
        _ => Err("give --number and --window, or --text".to_owned()),
    }
}

fn say(args: &SayArgs) -> Result<bool, String> {
    let voice = load(args.config.as_deref())?;
    let zone = pick_zone(&voice, args.zone.as_deref())?;
    let pack = Pack::load(zone.pack.as_deref()).map_err(|e| e.to_string())?;
    let u = utterance(args, &voice, zone, &pack)?;
    println!("{}", u.caption);
    if let Some(out) = &args.out {
        let length = render_wav(&pack, &u, out).map_err(|e| e.to_string())?;
        println!("{} ({:.2} s)", out.display(), length.as_secs_f64());
        return Ok(true);
    }
    let mut speaker = speaker_factory(zone, pack)();
    match speaker.speak(&u) {
        Ok(()) => Ok(true),
        Err(e) => {
            eprintln!("zone \"{}\" ({}): {e}", zone.name, zone.backend.as_str());
            Ok(false)
        }
    }
}

fn devices() -> Result<bool, String> {
    let names = output_devices().map_err(|e| e.to_string())?;
    if names.is_empty() {
        println!("no audio output devices");
        return Ok(false);
    }
    for (id, name) in names {
        println!("{id}\t{name}");
    }
    Ok(true)
}

fn check_pack(dir: &Path) -> Result<bool, String> {
    let report = check_dir(dir).map_err(|e| e.to_string())?;
    println!("{} clips present", report.present.len());
    for name in &report.missing {
        println!("missing: {name}.wav");
    }
    for (file, why) in &report.unreadable {
        println!("unreadable: {file}: {why}");
    }
    for name in &report.extra {
        println!("extra: {name}.wav (says \"{name}\")");
    }
    Ok(report.missing.is_empty() && report.unreadable.is_empty())
}
