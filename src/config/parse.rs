//! Text → [`HallConfig`], section by section, so that a wrong type in `[queue]` and an
//! unknown key in `[[services]]` are both reported, each with its key path and line.

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::error::Problem;
use super::locate::{line_of, path_at};
use super::model::{AppointmentSection, HallConfig, HallSection, QueueSection, ServerSection};

/// Top-level tables this version reads.
const KNOWN: &[&str] = &[
    "hall",
    "queue",
    "appointments",
    "server",
    "services",
    "windows",
    "staff",
    "devices",
    "printer",
    "kiosk",
    "buttons",
    "buses",
    "voice",
    "displays",
    "ratings",
    "upload",
];

/// Parses the TOML syntax. A syntax error is one problem with its line.
pub(super) fn parse_tree(text: &str) -> Result<Spanned<DeTable<'_>>, Problem> {
    DeTable::parse(text).map_err(|e| {
        let mut p = Problem::new("", format!("invalid TOML: {}", one_line(e.message())));
        if let Some(span) = e.span() {
            p = p.at_line(line_of(text, span.start));
        }
        p
    })
}

struct Ctx<'a, 'i> {
    text: &'a str,
    root: &'a DeTable<'i>,
    problems: Vec<Problem>,
}

impl<'i> Ctx<'_, 'i> {
    fn value<T: DeserializeOwned>(
        &mut self,
        path: &str,
        value: &Spanned<DeValue<'i>>,
    ) -> Option<T> {
        match T::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(v) => Some(v),
            Err(e) => {
                let (where_, line) = match e.span() {
                    Some(span) => (
                        path_at(self.root, span.start).filter(|p| p.starts_with(path)),
                        Some(line_of(self.text, span.start)),
                    ),
                    None => (None, None),
                };
                self.problems.push(Problem {
                    path: where_.unwrap_or_else(|| path.to_owned()),
                    line,
                    message: one_line(e.message()),
                });
                None
            }
        }
    }

    /// `[[name]]`: each element on its own, so every broken element is reported.
    fn list<T: DeserializeOwned>(&mut self, name: &str, value: &Spanned<DeValue<'i>>) -> Vec<T> {
        let DeValue::Array(items) = value.get_ref() else {
            self.problems.push(
                Problem::new(
                    name,
                    format!("expected a list of tables, written [[{name}]]"),
                )
                .at_line(line_of(self.text, value.span().start)),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.value(&format!("{name}[{i}]"), item))
            .collect()
    }
}

/// Deserializes every section; `Err` holds every problem found (no validation yet).
pub(super) fn build(text: &str, root: &DeTable<'_>) -> Result<HallConfig, Vec<Problem>> {
    let mut ctx = Ctx {
        text,
        root,
        problems: Vec::new(),
    };
    let mut hall: Option<HallSection> = None;
    let mut hall_seen = false;
    let mut config = Partial::default();
    for (key, value) in root.iter() {
        let name = key.get_ref().as_ref();
        match name {
            "hall" => {
                hall_seen = true;
                hall = ctx.value("hall", value);
            }
            "queue" => config.queue = ctx.value("queue", value),
            "appointments" => config.appointments = ctx.value("appointments", value),
            "server" => config.server = ctx.value("server", value),
            "services" => config.services = ctx.list("services", value),
            "windows" => config.windows = ctx.list("windows", value),
            "staff" => config.staff = ctx.list("staff", value),
            "devices" => config.devices = ctx.list("devices", value),
            "printer" => config.printer = ctx.value("printer", value),
            "kiosk" => config.kiosk = ctx.value("kiosk", value),
            "buttons" => config.buttons = ctx.list("buttons", value),
            "buses" => config.buses = ctx.list("buses", value),
            "voice" => config.voice = ctx.value("voice", value),
            "displays" => config.displays = ctx.value("displays", value),
            "ratings" => config.ratings = ctx.value("ratings", value),
            "upload" => config.upload = ctx.value("upload", value),
            other => ctx.problems.push(
                Problem::new(
                    other,
                    format!(
                        "unknown table or key (expected one of: {})",
                        KNOWN.join(", ")
                    ),
                )
                .at_line(line_of(text, key.span().start)),
            ),
        }
    }
    if !hall_seen {
        ctx.problems.push(Problem::new(
            "hall",
            "missing table [hall] (it needs at least `name`)",
        ));
    }
    match hall {
        Some(hall) if ctx.problems.is_empty() => Ok(config.finish(hall)),
        _ => Err(ctx.problems),
    }
}

#[derive(Default)]
struct Partial {
    queue: Option<QueueSection>,
    appointments: Option<AppointmentSection>,
    server: Option<ServerSection>,
    services: Vec<super::ServiceConfig>,
    windows: Vec<super::WindowConfig>,
    staff: Vec<super::StaffConfig>,
    devices: Vec<super::DeviceConfig>,
    printer: Option<super::PrinterConfig>,
    kiosk: Option<super::KioskConfig>,
    buttons: Vec<super::ButtonConfig>,
    buses: Vec<super::BusConfig>,
    voice: Option<super::VoiceConfig>,
    displays: Option<super::DisplaysConfig>,
    ratings: Option<super::RatingsConfig>,
    upload: Option<super::UploadConfig>,
}

impl Partial {
    fn finish(mut self, hall: HallSection) -> HallConfig {
        HallConfig {
            printer: self.printer.take(),
            voice: self.voice.take().unwrap_or_default(),
            buses: self.buses,
            displays: self.displays.take().unwrap_or_default(),
            ratings: self.ratings.take().unwrap_or_default(),
            upload: self.upload.take(),
            kiosk: self.kiosk.take().unwrap_or_default(),
            hall,
            queue: self.queue.unwrap_or_default(),
            appointments: self.appointments.unwrap_or_default(),
            server: self.server.unwrap_or_default(),
            services: self.services,
            windows: self.windows,
            staff: self.staff,
            devices: self.devices,
            buttons: self.buttons,
        }
    }
}

/// The parser's message on one line, with Rust type names in words a technician reads.
fn one_line(message: &str) -> String {
    const TYPES: &[(&str, &str)] = &[
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected usize", "expected a whole number of 0 or more"),
        ("expected a boolean", "expected true or false"),
    ];
    let mut text = message.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in TYPES {
        if text.ends_with(from) {
            text = format!("{}{to}", &text[..text.len() - from.len()]);
        }
    }
    text
}
