//! Voice packs: one WAV clip per token (`chime`, `qing` 请, `letter-a`, `digit-0` …).
//!
//! The default Mandarin pack (`ui/voice/mandarin/`, made by `ui/voice/make-pack.sh`) is
//! embedded into the binary. A hall can record its own voice into a directory with the same
//! file names; any extra `*.wav` named after its text (`柜台.wav`) covers that text in
//! templates. Clips are decoded once into 16 kHz mono samples, whatever their own format.

use std::collections::HashMap;
use std::io::Cursor;
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rodio::Source;
use rodio::source::UniformSourceIterator;

use super::VoiceError;

/// Sample rate of decoded packs and rendered WAV files.
pub const SAMPLE_RATE: u32 = 16_000;
/// The virtual clip for punctuation and spaces in templates: a short silence.
pub const PAUSE_CLIP: &str = "pause";
/// Length of [`PAUSE_CLIP`].
pub const PAUSE_MS: u64 = 250;

macro_rules! builtin_clips {
    ($($name:literal),* $(,)?) => {
        /// Every clip of the built-in pack, with its WAV bytes.
        pub const BUILTIN: &[(&str, &[u8])] = &[
            $(($name, include_bytes!(concat!("../../ui/voice/mandarin/", $name, ".wav")))),*
        ];
    };
}

builtin_clips!(
    "chime",
    "qing",
    "hao",
    "dao",
    "hao-chuangkou-banli",
    "chuangkou",
    "banli",
    "digit-0",
    "digit-1",
    "digit-2",
    "digit-3",
    "digit-4",
    "digit-5",
    "digit-6",
    "digit-7",
    "digit-8",
    "digit-9",
    "yao",
    "shi",
    "bai",
    "letter-a",
    "letter-b",
    "letter-c",
    "letter-d",
    "letter-e",
    "letter-f",
    "letter-g",
    "letter-h",
    "letter-i",
    "letter-j",
    "letter-k",
    "letter-l",
    "letter-m",
    "letter-n",
    "letter-o",
    "letter-p",
    "letter-q",
    "letter-r",
    "letter-s",
    "letter-t",
    "letter-u",
    "letter-v",
    "letter-w",
    "letter-x",
    "letter-y",
    "letter-z",
);

/// Fixed words: clip name and the text it says.
pub const WORDS: &[(&str, &str)] = &[
    ("qing", "请"),
    ("hao", "号"),
    ("dao", "到"),
    ("hao-chuangkou-banli", "号窗口办理"),
    ("chuangkou", "窗口"),
    ("banli", "办理"),
    ("yao", "幺"),
    ("shi", "十"),
    ("bai", "百"),
];

const DIGIT_HANZI: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Every clip name a complete pack has.
pub fn clip_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(name, _)| *name)
}

/// Which clips say which literal text (longest match first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClipIndex {
    /// (text, clip), longest text first.
    entries: Vec<(String, String)>,
}

fn builtin_entries() -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = WORDS
        .iter()
        .map(|(clip, text)| ((*text).to_owned(), (*clip).to_owned()))
        .collect();
    for (d, hanzi) in DIGIT_HANZI.iter().enumerate() {
        entries.push(((*hanzi).to_owned(), format!("digit-{d}")));
        entries.push((d.to_string(), format!("digit-{d}")));
    }
    for c in 'a'..='z' {
        entries.push((c.to_string(), format!("letter-{c}")));
        entries.push((c.to_ascii_uppercase().to_string(), format!("letter-{c}")));
    }
    entries
}

fn is_pause(c: char) -> bool {
    c.is_whitespace() || c.is_ascii_punctuation() || "，。、；：！？…—（）《》“”‘’".contains(c)
}

impl ClipIndex {
    fn from_entries(mut entries: Vec<(String, String)>) -> Self {
        entries.sort_by_key(|e| std::cmp::Reverse(e.0.chars().count()));
        ClipIndex { entries }
    }

    /// The built-in pack's words, digits and letters.
    pub fn builtin() -> Self {
        Self::from_entries(builtin_entries())
    }

    /// Clips for literal `text`, longest match first; punctuation and spaces become
    /// [`PAUSE_CLIP`]. Text no clip says is returned as the second value (one run each).
    pub fn clips_for(&self, text: &str) -> (Vec<String>, Vec<String>) {
        let mut clips = Vec::new();
        let mut uncovered = Vec::new();
        let mut run = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if is_pause(c) {
                if clips.last().is_none_or(|l: &String| l != PAUSE_CLIP) {
                    clips.push(PAUSE_CLIP.to_owned());
                }
                rest = &rest[c.len_utf8()..];
                continue;
            }
            match self
                .entries
                .iter()
                .find(|(t, _)| rest.starts_with(t.as_str()))
            {
                Some((t, clip)) => {
                    if !run.is_empty() {
                        uncovered.push(std::mem::take(&mut run));
                    }
                    clips.push(clip.clone());
                    rest = &rest[t.len()..];
                }
                None => {
                    run.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        if !run.is_empty() {
            uncovered.push(run);
        }
        (clips, uncovered)
    }

    /// `Err(first uncovered text)` when some of `text` has no clip.
    pub fn cover(&self, text: &str) -> Result<(), String> {
        match self.clips_for(text).1.into_iter().next() {
            Some(u) => Err(u),
            None => Ok(()),
        }
    }
}

/// The clip names (file stems) of the `*.wav` files in `dir`.
fn wav_stems(dir: &Path) -> Result<Vec<(String, PathBuf)>, VoiceError> {
    let read = std::fs::read_dir(dir).map_err(|e| {
        VoiceError::Pack(format!(
            "cannot read voice pack directory {}: {e}",
            dir.display()
        ))
    })?;
    let mut out = Vec::new();
    for entry in read.flatten() {
        let path = entry.path();
        let is_wav = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
        if let (true, Some(stem)) = (is_wav, path.file_stem().and_then(|s| s.to_str())) {
            out.push((stem.to_owned(), path.clone()));
        }
    }
    out.sort();
    Ok(out)
}

/// The index of a pack directory: built-in texts for the clips it has (missing ones fall back
/// to the built-in pack), plus one entry per extra clip named after its text.
pub fn index_of_dir(dir: &Path) -> Result<ClipIndex, VoiceError> {
    let mut entries = builtin_entries();
    for (stem, _) in wav_stems(dir)? {
        if !clip_names().any(|n| n == stem) {
            entries.push((stem.clone(), stem));
        }
    }
    Ok(ClipIndex::from_entries(entries))
}

/// Decodes a WAV (or any format rodio reads) into 16 kHz mono samples.
pub fn decode(bytes: Vec<u8>) -> Result<Vec<f32>, VoiceError> {
    let decoder = rodio::Decoder::new(Cursor::new(bytes))
        .map_err(|e| VoiceError::Pack(format!("cannot decode: {e}")))?;
    let (Some(one), Some(rate)) = (NonZero::new(1u16), NonZero::new(SAMPLE_RATE)) else {
        return Err(VoiceError::Pack("bad target format".into()));
    };
    if decoder.channels() == one && decoder.sample_rate() == rate {
        return Ok(decoder.collect());
    }
    Ok(UniformSourceIterator::new(decoder, one, rate).collect())
}

/// A decoded voice pack.
#[derive(Clone, Debug)]
pub struct Pack {
    clips: HashMap<String, Arc<[f32]>>,
    index: ClipIndex,
}

fn decode_builtin() -> Result<Pack, VoiceError> {
    let mut clips = HashMap::new();
    for (name, bytes) in BUILTIN {
        let samples = decode(bytes.to_vec())
            .map_err(|e| VoiceError::Pack(format!("built-in clip {name}: {e}")))?;
        clips.insert((*name).to_owned(), Arc::from(samples));
    }
    Ok(Pack {
        clips,
        index: ClipIndex::builtin(),
    })
}

impl Pack {
    /// The built-in Mandarin pack (decoded once per process).
    pub fn builtin() -> Result<Arc<Pack>, VoiceError> {
        static PACK: OnceLock<Result<Arc<Pack>, VoiceError>> = OnceLock::new();
        PACK.get_or_init(|| decode_builtin().map(Arc::new)).clone()
    }

    /// A pack directory; clips it lacks come from the built-in pack (and are logged).
    pub fn from_dir(dir: &Path) -> Result<Arc<Pack>, VoiceError> {
        let builtin = Pack::builtin()?;
        let mut pack = Pack {
            clips: builtin.clips.clone(),
            index: index_of_dir(dir)?,
        };
        for (stem, path) in wav_stems(dir)? {
            let bytes = std::fs::read(&path)
                .map_err(|e| VoiceError::Pack(format!("cannot read {}: {e}", path.display())))?;
            let samples =
                decode(bytes).map_err(|e| VoiceError::Pack(format!("{}: {e}", path.display())))?;
            pack.clips.insert(stem, Arc::from(samples));
        }
        let report = check_dir(dir)?;
        if !report.missing.is_empty() {
            tracing::warn!(
                dir = %dir.display(),
                missing = ?report.missing,
                "voice pack lacks clips; using the built-in ones"
            );
        }
        Ok(Arc::new(pack))
    }

    /// The built-in pack, or `dir` when given.
    pub fn load(dir: Option<&Path>) -> Result<Arc<Pack>, VoiceError> {
        match dir {
            Some(d) => Pack::from_dir(d),
            None => Pack::builtin(),
        }
    }

    pub fn index(&self) -> &ClipIndex {
        &self.index
    }

    /// Samples of a clip ([`PAUSE_CLIP`] is not stored: see [`crate::voice::clips::render`]).
    pub fn clip(&self, name: &str) -> Option<&[f32]> {
        self.clips.get(name).map(|s| &s[..])
    }

    /// Total decoded samples (all clips).
    pub fn total_samples(&self) -> usize {
        self.clips.values().map(|c| c.len()).sum()
    }
}

/// `hallq voice check-pack DIR`: what a pack directory lacks or cannot be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirReport {
    pub present: Vec<String>,
    pub missing: Vec<String>,
    /// (file, why)
    pub unreadable: Vec<(String, String)>,
    /// Extra clips, each covering its own name as text.
    pub extra: Vec<String>,
}

/// Checks every clip of a pack directory (decodes each one).
pub fn check_dir(dir: &Path) -> Result<DirReport, VoiceError> {
    let stems = wav_stems(dir)?;
    let mut report = DirReport::default();
    for name in clip_names() {
        if !stems.iter().any(|(s, _)| s == name) {
            report.missing.push(name.to_owned());
        }
    }
    for (stem, path) in stems {
        let result = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| decode(b).map_err(|e| e.to_string()));
        match result {
            Ok(samples) if samples.is_empty() => report
                .unreadable
                .push((path.display().to_string(), "no audio".into())),
            Ok(_) => {
                if clip_names().any(|n| n == stem) {
                    report.present.push(stem);
                } else {
                    report.extra.push(stem);
                }
            }
            Err(e) => report.unreadable.push((path.display().to_string(), e)),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_pack_decodes_every_clip() {
        let pack = Pack::builtin().unwrap();
        for name in clip_names() {
            let clip = pack.clip(name).unwrap();
            assert!(clip.len() > 1600, "{name} is under 0.1 s");
            assert!(clip.len() < 3 * SAMPLE_RATE as usize, "{name} is over 3 s");
            let peak = clip.iter().fold(0f32, |m, s| m.max(s.abs()));
            assert!(peak > 0.5 && peak <= 1.0, "{name} peak {peak}");
        }
        assert_eq!(clip_names().count(), 46);
    }

    #[test]
    fn longest_match_and_pauses() {
        let index = ClipIndex::builtin();
        let (clips, uncovered) = index.clips_for("号窗口办理，请到3号窗口");
        assert_eq!(
            clips,
            [
                "hao-chuangkou-banli",
                "pause",
                "qing",
                "dao",
                "digit-3",
                "hao",
                "chuangkou"
            ]
        );
        assert!(uncovered.is_empty());
        assert_eq!(index.cover("请到柜台办理"), Err("柜台".to_owned()));
    }

    #[test]
    fn directory_packs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("qing.wav"), BUILTIN[1].1).unwrap();
        std::fs::write(dir.path().join("柜台.wav"), BUILTIN[2].1).unwrap();
        std::fs::write(dir.path().join("hao.wav"), b"not a wav").unwrap();
        let report = check_dir(dir.path()).unwrap();
        assert_eq!(report.present, ["qing"]);
        assert_eq!(report.extra, ["柜台"]);
        assert_eq!(report.unreadable.len(), 1);
        assert!(report.missing.contains(&"chime".to_owned()));
        assert!(!report.missing.contains(&"hao".to_owned()));
        let index = index_of_dir(dir.path()).unwrap();
        assert_eq!(index.clips_for("到柜台").0, ["dao", "柜台"]);
        assert!(Pack::from_dir(dir.path()).is_err());
        std::fs::remove_file(dir.path().join("hao.wav")).unwrap();
        let pack = Pack::from_dir(dir.path()).unwrap();
        assert!(pack.clip("柜台").is_some());
        assert!(pack.clip("chime").is_some());
        assert!(check_dir(&dir.path().join("nope")).is_err());
    }
}
