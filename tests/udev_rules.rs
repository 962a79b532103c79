//! hardware/udev/99-hallq.rules: every rule, active or a commented example, is well formed,
//! names its device under /dev/hallq/ and hands it to the hallq group.

use std::path::{Path, PathBuf};
use std::process::Command;

const ROLES: [&str; 4] = ["printer", "bus-callers", "bus-led", "tts"];

fn rules_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("hardware/udev/99-hallq.rules")
}

/// One `KEY{attr}OP"value"` of a rule.
#[derive(Debug, PartialEq)]
struct Pair {
    key: String,
    op: String,
    value: String,
}

/// Splits a rule line into its pairs; panics on anything udev would not accept.
fn parse_rule(line: &str) -> Vec<Pair> {
    let mut pairs = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let op_at = rest
            .find(['=', '!', '+', '-', ':'])
            .unwrap_or_else(|| panic!("no operator in {rest:?}"));
        let key = rest[..op_at].trim().to_string();
        assert!(
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_{}.-/".contains(c)),
            "bad key {key:?} in {line:?}"
        );
        let after = &rest[op_at..];
        let op = ["==", "!=", "+=", "-=", ":=", "="]
            .into_iter()
            .find(|op| after.starts_with(op))
            .unwrap_or_else(|| panic!("bad operator after {key:?} in {line:?}"));
        let after = after[op.len()..].trim_start();
        let body = after
            .strip_prefix('"')
            .unwrap_or_else(|| panic!("value of {key} not quoted in {line:?}"));
        let close = body
            .find('"')
            .unwrap_or_else(|| panic!("unterminated value of {key} in {line:?}"));
        pairs.push(Pair {
            key,
            op: op.to_string(),
            value: body[..close].to_string(),
        });
        rest = body[close + 1..].trim_start();
        if let Some(next) = rest.strip_prefix(',') {
            rest = next.trim_start();
            assert!(!rest.is_empty(), "trailing comma in {line:?}");
        } else {
            assert!(rest.is_empty(), "missing comma before {rest:?} in {line:?}");
        }
    }
    pairs
}

/// Rule lines, with whether they are active; commented examples start with `#` + a match key.
fn rules(text: &str) -> Vec<(bool, String)> {
    text.lines()
        .filter_map(|raw| {
            let line = raw.trim();
            if line.is_empty() {
                return None;
            }
            match line.strip_prefix('#') {
                Some(c) if looks_like_rule(c.trim_start()) => Some((false, c.trim().to_string())),
                Some(_) => None,
                None => Some((true, line.to_string())),
            }
        })
        .collect()
}

fn looks_like_rule(text: &str) -> bool {
    ["SUBSYSTEM==", "KERNEL==", "ACTION==", "SUBSYSTEMS=="]
        .iter()
        .any(|k| text.starts_with(k))
        && text.contains("\",")
}

fn get<'a>(pairs: &'a [Pair], key: &str) -> Vec<&'a Pair> {
    pairs.iter().filter(|p| p.key == key).collect()
}

#[test]
fn every_rule_names_its_device_under_hallq_for_the_hallq_group() {
    let text = std::fs::read_to_string(rules_path()).unwrap();
    let rules = rules(&text);
    assert!(rules.iter().any(|(active, _)| *active), "no active rule");
    assert!(rules.len() >= 6, "expected the documented examples");
    let mut named = Vec::new();
    for (_, line) in &rules {
        let pairs = parse_rule(line);
        let links = get(&pairs, "SYMLINK");
        assert_eq!(links.len(), 1, "one SYMLINK per rule: {line}");
        assert_eq!(links[0].op, "+=", "{line}");
        let link = links[0]
            .value
            .strip_prefix("hallq/")
            .unwrap_or_else(|| panic!("symlink outside /dev/hallq/: {line}"));
        assert!(ROLES.contains(&link), "unknown role {link:?}: {line}");
        named.push(link.to_string());
        let group = get(&pairs, "GROUP");
        assert!(
            group.len() == 1 && group[0].op == "=" && group[0].value == "hallq",
            "GROUP=\"hallq\": {line}"
        );
        let mode = get(&pairs, "MODE");
        assert!(
            mode.len() == 1 && mode[0].op == "=" && mode[0].value == "0660",
            "MODE=\"0660\": {line}"
        );
        assert!(
            pairs
                .iter()
                .any(|p| p.key == "TAG" && p.op == "+=" && p.value == "systemd"),
            "TAG+=\"systemd\": {line}"
        );
        let subsystem = get(&pairs, "SUBSYSTEM");
        assert!(
            subsystem.len() == 1 && ["tty", "usbmisc"].contains(&subsystem[0].value.as_str()),
            "SUBSYSTEM tty or usbmisc: {line}"
        );
    }
    for role in ROLES {
        assert!(named.iter().any(|n| n == role), "no rule for {role}");
    }
    // The documented dongles each have an example.
    for (vendor, product) in [("1a86", "7523"), ("0403", "6001"), ("10c4", "ea60")] {
        assert!(
            rules.iter().any(|(_, l)| {
                let p = parse_rule(l);
                get(&p, "ATTRS{idVendor}").iter().any(|v| v.value == vendor)
                    && get(&p, "ATTRS{idProduct}")
                        .iter()
                        .any(|v| v.value == product)
            }),
            "no example for {vendor}:{product}"
        );
    }
    // The active default: any usblp printer.
    let active: Vec<&String> = rules.iter().filter(|(a, _)| *a).map(|(_, l)| l).collect();
    assert_eq!(active.len(), 1);
    let printer = parse_rule(active[0]);
    assert_eq!(get(&printer, "SUBSYSTEM")[0].value, "usbmisc");
    assert_eq!(get(&printer, "KERNEL")[0].value, "lp[0-9]*");
}

#[test]
fn the_rule_parser_rejects_broken_rules() {
    let ok = parse_rule(r#"SUBSYSTEM=="tty", ATTRS{idVendor}=="0403", SYMLINK+="hallq/tts""#);
    assert_eq!(ok.len(), 3);
    assert_eq!(ok[1].key, "ATTRS{idVendor}");
    for broken in [
        r#"SUBSYSTEM=="tty" SYMLINK+="hallq/tts""#,
        r#"SUBSYSTEM=="tty", SYMLINK+=hallq/tts"#,
        r#"SUBSYSTEM=="tty", SYMLINK+="hallq/tts"#,
        r#"SUBSYSTEM=="tty","#,
    ] {
        assert!(
            std::panic::catch_unwind(|| parse_rule(broken)).is_err(),
            "accepted {broken}"
        );
    }
}

#[test]
fn udevadm_verify_accepts_the_rules_when_available() {
    // `udevadm verify` exists from systemd 253; older udevadm (or none) leaves the parse above.
    let supported = Command::new("udevadm")
        .args(["verify", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !supported {
        eprintln!("udevadm verify is not available: only the parsed checks ran");
        return;
    }
    let out = Command::new("udevadm")
        .arg("verify")
        .arg(rules_path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "udevadm verify:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
