//! `[[buses]]`: RS-485 buses polled by the hall server (Modbus RTU caller keypads and 5-key
//! evaluators).
//!
//! ```toml
//! [[buses]]
//! name = "callers"
//! port = "/dev/hallq/bus-callers"
//! baud = 19200          # 9600 | 19200 | 38400
//! parity = "none"       # none | even | odd
//! timeout_ms = 150      # reply timeout per request
//! poll_ms = 100         # pause between polling rounds
//! keypads = [1, 2, 3]   # windows whose caller keypad (Modbus address = window) is on this bus
//! # evaluators = [1, 2] # windows whose 5-key evaluator (address = 100 + window) is on this bus
//! reprobe_ms = 10000    # how often an offline device or a vanished port is tried again
//! ```

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::error::Problem;
use crate::devices::bus::EVALUATOR_BASE;
use crate::protocol::modbus::MAX_ADDRESS;

/// Baud rates the keypads are specified for.
pub const BAUDS: &[u32] = &[9600, 19_200, 38_400];

/// One `[[buses]]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusConfig {
    /// Shown in device health, e.g. "callers".
    pub name: String,
    /// Serial device, e.g. `/dev/hallq/bus-callers` (a udev symlink, see hardware.md §1.3).
    pub port: PathBuf,
    #[serde(default = "default_baud")]
    pub baud: u32,
    #[serde(default)]
    pub parity: ParityName,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Windows whose caller keypad sits on this bus; the keypad's address is the window.
    #[serde(default)]
    pub keypads: Vec<u16>,
    /// Windows whose 5-key evaluator sits on this bus; its address is 100 + the window
    /// (`hardware/evaluators/modbus-evaluator.md`).
    #[serde(default)]
    pub evaluators: Vec<u16>,
    /// How often an offline device (and a vanished port) is tried again (hardware.md §5.4:
    /// every 10 s). Tests shorten it.
    #[serde(default = "default_reprobe_ms")]
    pub reprobe_ms: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ParityName {
    #[default]
    None,
    Even,
    Odd,
}

impl ParityName {
    pub fn as_str(self) -> &'static str {
        match self {
            ParityName::None => "none",
            ParityName::Even => "even",
            ParityName::Odd => "odd",
        }
    }
}

fn default_baud() -> u32 {
    9600
}
fn default_timeout_ms() -> u64 {
    150
}
fn default_poll_ms() -> u64 {
    100
}
fn default_reprobe_ms() -> u64 {
    10_000
}

impl BusConfig {
    /// A bus with every default and no devices.
    pub fn new(name: impl Into<String>, port: impl Into<PathBuf>) -> Self {
        BusConfig {
            name: name.into(),
            port: port.into(),
            baud: default_baud(),
            parity: ParityName::None,
            timeout_ms: default_timeout_ms(),
            poll_ms: default_poll_ms(),
            keypads: Vec::new(),
            evaluators: Vec::new(),
            reprobe_ms: default_reprobe_ms(),
        }
    }
}

/// Problems in `[[buses]]`; `windows` are the configured window numbers.
pub fn check(buses: &[BusConfig], windows: &[u16], out: &mut Vec<Problem>) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut ports: HashMap<&PathBuf, usize> = HashMap::new();
    let mut keypads: HashMap<u16, usize> = HashMap::new();
    let mut evaluators: HashMap<u16, usize> = HashMap::new();
    for (i, bus) in buses.iter().enumerate() {
        let at = |key: &str| format!("buses[{i}].{key}");
        if bus.name.trim().is_empty() {
            out.push(Problem::new(
                at("name"),
                "must not be empty (e.g. \"callers\")",
            ));
        } else if let Some(first) = names.insert(bus.name.as_str(), i) {
            out.push(Problem::new(
                at("name"),
                format!("\"{}\" is already the name of buses[{first}]", bus.name),
            ));
        }
        if bus.port.as_os_str().is_empty() {
            out.push(Problem::new(
                at("port"),
                "must be a serial device (e.g. \"/dev/hallq/bus-callers\")",
            ));
        } else if let Some(first) = ports.insert(&bus.port, i) {
            out.push(Problem::new(
                at("port"),
                format!(
                    "{} is already used by buses[{first}]: one master per RS-485 segment",
                    bus.port.display()
                ),
            ));
        }
        if !BAUDS.contains(&bus.baud) {
            out.push(Problem::new(
                at("baud"),
                format!("{} is not supported: use 9600, 19200 or 38400", bus.baud),
            ));
        }
        if !(20..=2000).contains(&bus.timeout_ms) {
            out.push(Problem::new(
                at("timeout_ms"),
                format!("{} ms is out of range: use 20 to 2000", bus.timeout_ms),
            ));
        }
        if bus.poll_ms > 10_000 {
            out.push(Problem::new(
                at("poll_ms"),
                format!("{} ms is out of range: use 0 to 10000", bus.poll_ms),
            ));
        }
        if !(1000..=600_000).contains(&bus.reprobe_ms) {
            out.push(Problem::new(
                at("reprobe_ms"),
                format!("{} ms is out of range: use 1000 to 600000", bus.reprobe_ms),
            ));
        }
        let mut seen = Vec::new();
        for (k, &window) in bus.keypads.iter().enumerate() {
            let key = at(&format!("keypads[{k}]"));
            if !windows.contains(&window) {
                out.push(Problem::new(key, format!("unknown window {window}")));
            } else if window == 0 || window > u16::from(MAX_ADDRESS) {
                out.push(Problem::new(
                    key,
                    format!(
                        "window {window} cannot have a keypad: its Modbus address would be {window}, use windows 1 to {MAX_ADDRESS}"
                    ),
                ));
            } else if seen.contains(&window) {
                out.push(Problem::new(
                    key,
                    format!("window {window} is listed twice"),
                ));
            } else if let Some(first) = keypads.insert(window, i) {
                out.push(Problem::new(
                    key,
                    format!("the keypad of window {window} is already on buses[{first}]"),
                ));
            }
            seen.push(window);
        }
        check_evaluators(bus, i, windows, &mut evaluators, out);
    }
}

/// `evaluators`: known windows, addresses 100 + N within 101..=247, each evaluator on one
/// bus only, and no address shared with a keypad of the same bus.
fn check_evaluators(
    bus: &BusConfig,
    i: usize,
    windows: &[u16],
    on_bus: &mut HashMap<u16, usize>,
    out: &mut Vec<Problem>,
) {
    let base = u16::from(EVALUATOR_BASE);
    let mut seen = Vec::new();
    for (k, &window) in bus.evaluators.iter().enumerate() {
        let key = format!("buses[{i}].evaluators[{k}]");
        let address = base.saturating_add(window);
        if !windows.contains(&window) {
            out.push(Problem::new(key, format!("unknown window {window}")));
        } else if window == 0 || address > u16::from(MAX_ADDRESS) {
            out.push(Problem::new(
                key,
                format!(
                    "window {window} cannot have an evaluator: its Modbus address would be {address}, use windows 1 to {}",
                    u16::from(MAX_ADDRESS) - base
                ),
            ));
        } else if seen.contains(&window) {
            out.push(Problem::new(
                key,
                format!("window {window} is listed twice"),
            ));
        } else if let Some(first) = on_bus.insert(window, i) {
            out.push(Problem::new(
                key,
                format!("the evaluator of window {window} is already on buses[{first}]"),
            ));
        } else if bus.keypads.contains(&address) {
            out.push(Problem::new(
                key,
                format!(
                    "address {address} (the evaluator of window {window}) is also the keypad of window {address} on this bus"
                ),
            ));
        }
        seen.push(window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(buses: &[BusConfig], windows: &[u16]) -> Vec<String> {
        let mut out = Vec::new();
        check(buses, windows, &mut out);
        out.into_iter().map(|p| format!("{p}")).collect()
    }

    #[test]
    fn a_good_bus_has_no_problem() {
        let mut bus = BusConfig::new("callers", "/dev/ttyUSB0");
        bus.keypads = vec![1, 2, 3];
        assert!(paths(&[bus], &[1, 2, 3]).is_empty());
    }

    #[test]
    fn every_mistake_is_reported_with_its_key() {
        let mut a = BusConfig::new("callers", "/dev/ttyUSB0");
        a.keypads = vec![1, 9, 1, 300];
        a.baud = 115_200;
        a.timeout_ms = 5;
        let mut b = BusConfig::new("callers", "/dev/ttyUSB0");
        b.keypads = vec![1];
        let problems = paths(&[a, b], &[1, 2, 300]);
        let expect = [
            "buses[0].baud: 115200 is not supported",
            "buses[0].timeout_ms: 5 ms is out of range",
            "buses[0].keypads[1]: unknown window 9",
            "buses[0].keypads[2]: window 1 is listed twice",
            "buses[0].keypads[3]: window 300 cannot have a keypad",
            "buses[1].name: \"callers\" is already the name of buses[0]",
            "buses[1].port: /dev/ttyUSB0 is already used by buses[0]",
            "buses[1].keypads[0]: the keypad of window 1 is already on buses[0]",
        ];
        for e in expect {
            assert!(
                problems.iter().any(|p| p.starts_with(e)),
                "missing {e:?} in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    }

    #[test]
    fn defaults_come_from_serde() {
        let bus: BusConfig = toml::from_str("name = \"b\"\nport = \"/dev/x\"\nparity = \"even\"")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bus.baud, 9600);
        assert_eq!(bus.parity, ParityName::Even);
        assert_eq!(
            (bus.timeout_ms, bus.poll_ms, bus.reprobe_ms),
            (150, 100, 10_000)
        );
        assert!(bus.keypads.is_empty());
        assert!(bus.evaluators.is_empty());
        assert!(toml::from_str::<BusConfig>("name = \"b\"\nport = \"/x\"\nspeed = 1").is_err());
    }

    #[test]
    fn evaluators_are_checked_like_keypads() {
        let mut a: BusConfig = toml::from_str(
            "name = \"a\"\nport = \"/dev/a\"\nkeypads = [1, 101]\nevaluators = [1, 2, 9, 2, 148, 0]",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.evaluators, [1, 2, 9, 2, 148, 0]);
        let mut b = BusConfig::new("b", "/dev/b");
        b.evaluators = vec![2, 3];
        let problems = paths(&[a.clone(), b.clone()], &[0, 1, 2, 3, 101, 148]);
        let expect = [
            "buses[0].evaluators[0]: address 101 (the evaluator of window 1) is also the keypad of window 101",
            "buses[0].evaluators[2]: unknown window 9",
            "buses[0].evaluators[3]: window 2 is listed twice",
            "buses[0].evaluators[4]: window 148 cannot have an evaluator: its Modbus address would be 248, use windows 1 to 147",
            "buses[0].evaluators[5]: window 0 cannot have an evaluator",
            "buses[1].evaluators[0]: the evaluator of window 2 is already on buses[0]",
        ];
        for e in expect {
            assert!(
                problems.iter().any(|p| p.starts_with(e)),
                "missing {e:?} in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
        a.keypads = vec![1];
        a.evaluators = vec![1, 147];
        b.evaluators = vec![3];
        assert!(paths(&[a, b], &[1, 3, 147]).is_empty());
    }
}
