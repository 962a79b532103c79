//! `hall.toml`: the example is valid, values reach the engine's rules, and every validation
//! rule reports its problem with the right key path and line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hallq::config::{
    ConfigErrors, DeviceRole, EXAMPLE_TOML, HallConfig, Problem, check_file, first_non_gbk_char,
};
use hallq::core::rules::{LatePolicy, Session, SlaTarget, SlotQuota};
use hallq::core::{ServiceId, WindowNo};
use jiff::civil::{Weekday, date, time};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/config").join(name)
}

fn example() -> HallConfig {
    HallConfig::load(&root().join("hall.example.toml")).unwrap()
}

/// The problems of an invalid text (panics if it is valid).
fn problems(text: &str) -> Vec<Problem> {
    match HallConfig::parse(text) {
        Ok(_) => panic!("expected problems in:\n{text}"),
        Err(ConfigErrors { problems }) => problems,
    }
}

/// 1-based line of the first occurrence of `needle`, counted independently of the crate.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..at].matches('\n').count() + 1
}

/// `(path, line)` pairs marked in a fixture by `# @PATH` comments.
fn markers(text: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((_, comment)) = line.split_once('#') {
            for word in comment.split_whitespace() {
                if let Some(path) = word.strip_prefix('@').filter(|p| !p.is_empty()) {
                    out.insert((path.to_owned(), i + 1));
                }
            }
        }
    }
    out
}

const MINIMAL: &str = r#"
[hall]
name = "测试大厅"

[[services]]
id = "A"
name = "综合受理"
prefix = "A"

[[windows]]
number = 1
name = "一号窗口"
services = ["A"]

[[devices]]
name = "admin"
role = "admin"
token = "admin-token-1"
"#;

#[test]
fn example_is_valid_and_describes_a_realistic_hall() {
    let c = example();
    assert_eq!(
        EXAMPLE_TOML,
        std::fs::read_to_string(root().join("hall.example.toml")).unwrap()
    );
    assert!(c.services.len() >= 4);
    assert_eq!(c.windows.len(), 6);
    assert!(!c.staff.is_empty());
    assert!(c.devices.iter().any(|d| d.role == DeviceRole::Admin));
    // A general window (综合窗口) serves every service, with weights.
    let general = c
        .windows
        .iter()
        .find(|w| {
            c.services
                .iter()
                .all(|s| w.services.iter().any(|ws| ws.service == s.id))
        })
        .expect("a window serving every service");
    assert!(general.services.iter().any(|ws| ws.weight > 1));
    assert!(
        general
            .services
            .iter()
            .map(|ws| ws.weight)
            .collect::<BTreeSet<_>>()
            .len()
            > 1
    );
    assert!(
        c.hall.sessions.len() >= 2,
        "opening hours with a lunch break"
    );
    assert!(c.services.iter().any(|s| s.daily_quota.is_some()));
    assert!(c.services.iter().any(|s| !s.slot_quotas.is_empty()));
}

#[test]
fn rules_carry_the_configured_values() {
    let r = example().rules();
    assert_eq!(r.tz.iana_name(), Some("Asia/Shanghai"));
    assert_eq!(r.rollover, time(4, 0, 0, 0));
    assert_eq!(r.number_width, 3);
    assert!(!r.carry_over);
    assert_eq!(
        r.hours.sessions,
        vec![
            Session {
                open: time(8, 30, 0, 0),
                close: time(12, 0, 0, 0)
            },
            Session {
                open: time(14, 0, 0, 0),
                close: time(17, 30, 0, 0)
            },
        ]
    );
    assert_eq!(r.hours.weekdays.len(), 5);
    assert!(!r.hours.weekdays.contains(&Weekday::Saturday));
    assert_eq!(
        r.hours.closed_dates,
        vec![date(2026, 10, 1), date(2026, 10, 2)]
    );
    assert_eq!(r.hours.open_dates, vec![date(2026, 10, 11)]);
    assert_eq!(r.hours.stop_issuing_minutes_before_close, 15);
    assert_eq!(r.hours.expire_minutes_after_close, Some(60));
    assert_eq!(r.priority_age, Some(70));
    assert!(r.require_sign_in, "the sample hall signs staff in");
    assert_eq!(r.queue.recall_limit, 3);
    assert_eq!(r.queue.requeue_places, 3);
    assert_eq!(r.queue.requeue_max, 1);
    assert_eq!(r.queue.priority_streak, 3);
    assert_eq!(r.queue.appointment_ratio, 3);
    assert_eq!(r.appointments.early_minutes, 30);
    assert_eq!(r.appointments.grace_minutes, 10);
    assert_eq!(r.appointments.late_policy, LatePolicy::WalkIn);

    let w1 = r.window(WindowNo(1)).unwrap();
    assert_eq!(w1.name, "综合窗口");
    assert_eq!(
        w1.services,
        vec![
            (ServiceId::new("A"), 3),
            (ServiceId::new("B"), 2),
            (ServiceId::new("C"), 2),
            (ServiceId::new("D"), 1),
        ]
    );
    let w2 = r.window(WindowNo(2)).unwrap();
    assert_eq!(
        w2.services,
        vec![(ServiceId::new("A"), 1), (ServiceId::new("D"), 1)]
    );

    let b = r.service(&ServiceId::new("B")).unwrap();
    assert_eq!(b.prefix, "B");
    assert_eq!(b.daily_quota, Some(300));
    assert_eq!(b.slot_quotas.len(), 4);
    assert_eq!(
        b.slot_quotas[0],
        SlotQuota {
            from: time(8, 30, 0, 0),
            to: time(10, 30, 0, 0),
            max: 80
        }
    );
    assert!(b.requires_id);
    assert!(b.one_per_id, "one_per_id defaults to true");
    assert_eq!(b.expected_handle_minutes, 6);
    assert_eq!(
        b.wait_target,
        Some(SlaTarget {
            yellow_minutes: 30,
            red_minutes: 60
        })
    );
    assert_eq!(
        b.handle_target,
        Some(SlaTarget {
            yellow_minutes: 15,
            red_minutes: 30
        })
    );
    let d = r.service(&ServiceId::new("D")).unwrap();
    assert_eq!(d.daily_quota, None);
    assert!(!d.one_per_id);
    assert_eq!(d.handle_target, None);

    let staff = r.staff.iter().find(|s| s.id.0 == "1002").unwrap();
    assert_eq!(
        staff.services,
        vec![ServiceId::new("A"), ServiceId::new("D")]
    );
    assert!(
        r.staff
            .iter()
            .find(|s| s.id.0 == "1001")
            .unwrap()
            .services
            .is_empty()
    );
}

#[test]
fn defaults_fill_everything_optional() {
    let c = HallConfig::parse(MINIMAL).unwrap();
    assert_eq!(c.hall.timezone, "Asia/Shanghai");
    assert_eq!(c.hall.personal_data_retention_days, 180);
    assert_eq!(c.server.max_body_bytes, 65536);
    assert_eq!(c.server.listen, None);
    let r = c.rules();
    assert_eq!(r.rollover, time(4, 0, 0, 0));
    assert_eq!(r.number_width, 3);
    assert_eq!(r.hours.sessions.len(), 2);
    assert_eq!(r.hours.sessions[1].close, time(17, 30, 0, 0));
    assert_eq!(r.hours.weekdays.len(), 5);
    assert_eq!(r.hours.expire_minutes_after_close, None);
    assert_eq!(r.priority_age, Some(70));
    assert_eq!(r.queue.priority_streak, 3);
    assert_eq!(r.appointments.early_minutes, 30);
    assert_eq!(r.appointments.grace_minutes, 0);
    let a = &r.services[0];
    assert!(a.one_per_id);
    assert!(!a.requires_id);
    assert_eq!(a.expected_handle_minutes, 5);
    assert_eq!(a.daily_quota, None);
    assert_eq!(r.windows[0].services, vec![(ServiceId::new("A"), 1)]);
}

#[test]
fn priority_age_zero_turns_the_age_rule_off() {
    let text = MINIMAL.replace(
        "name = \"测试大厅\"",
        "name = \"测试大厅\"\npriority_age = 0",
    );
    assert_eq!(HallConfig::parse(&text).unwrap().rules().priority_age, None);
}

#[test]
fn toml_native_times_and_dates_are_accepted() {
    let text = MINIMAL.replace(
        "name = \"测试大厅\"",
        "name = \"测试大厅\"\nrollover = 03:30:00\nclosed_dates = [2026-10-01]\nweekdays = [\"monday\", \"sat\"]\ntimezone = \"Asia/Urumqi\"",
    );
    let r = HallConfig::parse(&text).unwrap().rules();
    assert_eq!(r.rollover, time(3, 30, 0, 0));
    assert_eq!(r.hours.closed_dates, vec![date(2026, 10, 1)]);
    assert_eq!(r.hours.weekdays, vec![Weekday::Monday, Weekday::Saturday]);
    assert_eq!(r.tz.iana_name(), Some("Asia/Urumqi"));
}

fn assert_fixture(name: &str) {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let expected = markers(&text);
    let found = problems(&text);
    let got: BTreeSet<(String, usize)> = found
        .iter()
        .map(|p| (p.path.clone(), p.line.unwrap_or(0)))
        .collect();
    let listing = found.iter().map(|p| format!("  {p}\n")).collect::<String>();
    assert_eq!(got, expected, "{name}: problems found:\n{listing}");
}

#[test]
fn every_service_window_staff_and_device_rule_reports_path_and_line() {
    assert_fixture("invalid.toml");
}

#[test]
fn every_hours_and_hall_rule_reports_path_and_line() {
    assert_fixture("bad_hours.toml");
}

#[test]
fn problem_messages_say_what_is_wrong() {
    let text = std::fs::read_to_string(fixture("invalid.toml")).unwrap();
    let all = problems(&text);
    let msg = |path: &str| -> String {
        all.iter()
            .filter(|p| p.path == path)
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let z_line = line_of(&text, "services = [\"A\", \"Z\"]");
    assert!(
        all.iter().any(|p| p.to_string()
            == format!("windows[2].services: unknown service \"Z\" (line {z_line})"))
    );
    assert!(msg("services[1].prefix").contains("duplicate prefix \"A\""));
    assert!(msg("services[2].prefix").contains("uppercase"));
    assert!(msg("services[2].id").contains("duplicate service id \"B\""));
    assert!(msg("services[1].name").contains("U+1F600"));
    assert!(
        msg("services[0].wait_target")
            .contains("yellow_minutes (60) must be less than red_minutes (30)")
    );
    assert!(msg("services[0].slot_quotas[2]").contains("not inside"));
    assert!(msg("services[0].slot_quotas[1]").contains("overlap"));
    assert!(msg("services[3]").contains("no window serves"));
    assert!(msg("windows[1].number").contains("duplicate window number 1"));
    assert!(msg("staff[0].services").contains("unknown service \"Q\""));
    assert!(msg("devices[1].token").contains("unique"));
    assert!(msg("devices[2].token").contains("at least 8"));
    assert!(msg("devices[2].window").contains("no window 9"));
    assert!(msg("devices[3].token").contains("missing token"));
    assert!(msg("devices[1]").contains("needs `window"));
    assert!(msg("devices").contains("no admin device"));
    // Reported in file order.
    let lines: Vec<usize> = all.iter().filter_map(|p| p.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn gbk_check_names_the_offending_character() {
    let text = MINIMAL.replace("name = \"综合受理\"", "name = \"综合受理🙂\"");
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "services[0].name");
    assert_eq!(p[0].line, Some(line_of(&text, "综合受理🙂")));
    assert!(p[0].message.contains("\"🙂\"") && p[0].message.contains("GBK"));
    assert_eq!(first_non_gbk_char("示范县政务服务中心 3号窗口"), None);
    assert_eq!(first_non_gbk_char("窗口😀"), Some('😀'));
}

#[test]
fn syntax_error_is_one_problem_with_its_line() {
    let text = "[hall]\nname = \"x\"\nfoo = \n[[services]]\n";
    let p = problems(text);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].line, Some(3));
    assert!(p[0].message.starts_with("invalid TOML"), "{}", p[0].message);
    assert!(!p[0].to_string().contains('\n'));
}

#[test]
fn unknown_keys_are_rejected_with_their_path() {
    let text = MINIMAL
        .replace(
            "name = \"测试大厅\"",
            "name = \"测试大厅\"\nrolover = \"04:00\"",
        )
        .replace("prefix = \"A\"", "prefix = \"A\"\ncolour = \"red\"")
        + "\n[printr]\nport = \"/dev/ttyUSB0\"\n";
    let p = problems(&text);
    let find = |path: &str| {
        p.iter()
            .find(|x| x.path == path)
            .unwrap_or_else(|| panic!("{path} in {p:?}"))
    };
    assert!(
        find("hall.rolover")
            .message
            .contains("unknown field `rolover`")
    );
    assert_eq!(find("hall.rolover").line, Some(line_of(&text, "rolover")));
    assert_eq!(
        find("services[0].colour").line,
        Some(line_of(&text, "colour"))
    );
    assert_eq!(find("printr").line, Some(line_of(&text, "[printr]")));
    assert_eq!(p.len(), 3, "{p:?}");
}

#[test]
fn typed_device_sections_are_read() {
    let text = MINIMAL.to_owned()
        + "\n[printer]\nbackend = \"sim\"\n\n[voice]\nrepeat = 3\n\n[upload]\nurl = \"https://x\"\nhall_code = \"H1\"\n\n[ratings]\nrectify_days = 7\n";
    let c = HallConfig::parse(&text).unwrap();
    assert!(c.printer.is_some() && c.buses.is_empty() && c.buttons.is_empty());
    assert_eq!(c.voice.repeat, 3);
    let upload = c.upload.as_ref().unwrap();
    assert_eq!((upload.format.as_str(), upload.batch), ("generic-json", 50));
    assert_eq!(c.ratings.rectify_days, 7);
    assert_eq!(c.ratings.timeout_s, 60, "default");
    assert_eq!(
        c.rules().ratings.rectify_within,
        jiff::SignedDuration::from_hours(24 * 7)
    );
}

#[test]
fn rating_and_upload_settings_are_checked_with_their_keys() {
    let text = MINIMAL.to_owned()
        + "\n[ratings]\ntimeout_s = 5\ncallback_days = 10\nrectify_days = 7\nunrated_as_basic_after_days = 0\n\n[upload]\nurl = \"ftp://x\"\nformat = \"guangdong\"\nhall_code = \" \"\n";
    let err = HallConfig::parse(&text).unwrap_err();
    let paths: Vec<&str> = err.problems.iter().map(|p| p.path.as_str()).collect();
    for wanted in [
        "ratings.timeout_s",
        "ratings.rectify_days",
        "ratings.unrated_as_basic_after_days",
        "upload.url",
        "upload.format",
        "upload.hall_code",
    ] {
        assert!(paths.contains(&wanted), "{wanted} missing in {paths:?}");
    }
}

#[test]
fn buses_and_buttons_are_checked_with_their_keys() {
    let text = MINIMAL.to_owned()
        + "\n[[buses]]\nname = \"callers\"\nport = \"/dev/ttyUSB0\"\nbaud = 4800\nkeypads = [1, 9]\n\n[[buttons]]\nwindow = 1\npin = 40\n";
    let err = HallConfig::parse(&text).unwrap_err();
    let paths: Vec<&str> = err.problems.iter().map(|p| p.path.as_str()).collect();
    for wanted in ["buses[0].baud", "buses[0].keypads", "buttons[0].pin"] {
        assert!(
            paths.iter().any(|p| p.starts_with(wanted)),
            "{wanted} missing in {paths:?}"
        );
    }
    assert!(err.problems.iter().all(|p| p.line.is_some()), "{err}");
}

#[test]
fn type_errors_in_several_sections_are_all_reported() {
    let text = MINIMAL
        .replace(
            "name = \"测试大厅\"",
            "name = \"测试大厅\"\nrollover = \"4am\"",
        )
        .replace("number = 1", "number = \"one\"")
        + "\n[queue]\nrecall_limit = -1\n";
    let p = problems(&text);
    assert_eq!(p.len(), 3, "{p:?}");
    let rollover = p.iter().find(|x| x.path == "hall.rollover").unwrap();
    assert!(
        rollover.message.contains("expected a time like \"08:30\""),
        "{}",
        rollover.message
    );
    assert_eq!(rollover.line, Some(line_of(&text, "\"4am\"")));
    let number = p.iter().find(|x| x.path == "windows[0].number").unwrap();
    assert_eq!(number.line, Some(line_of(&text, "\"one\"")));
    let recall = p.iter().find(|x| x.path == "queue.recall_limit").unwrap();
    assert_eq!(recall.line, Some(line_of(&text, "recall_limit")));
}

#[test]
fn window_service_items_are_ids_or_weighted_tables() {
    let text = MINIMAL.replace("services = [\"A\"]", "services = [{ service = \"A\" }]");
    let c = HallConfig::parse(&text).unwrap();
    assert_eq!(c.windows[0].services[0].weight, 1);

    let text = MINIMAL.replace(
        "services = [\"A\"]",
        "services = [{ service = \"A\", wieght = 2 }]",
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "windows[0].services[0]");
    assert!(p[0].message.contains("wieght"));
}

#[test]
fn missing_hall_table_is_reported() {
    let text = MINIMAL.replace("[hall]\nname = \"测试大厅\"\n", "");
    let p = problems(&text);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "hall");
}

#[test]
fn devices_are_found_by_token() {
    let c = example();
    let d = c.device_by_token("window-3-change-me").unwrap();
    assert_eq!((d.role, d.window), (DeviceRole::Window, Some(3)));
    assert!(c.device_by_token("window-3-change-m").is_none());
    assert!(c.device_by_token("").is_none());
    assert_eq!(c.service("C").unwrap().name, "不动产登记");
    assert!(c.service("Z").is_none());
}

#[test]
fn problem_display_format() {
    let p = Problem {
        path: "windows[2].services".into(),
        line: Some(41),
        message: "unknown service \"Z\"".into(),
    };
    assert_eq!(
        p.to_string(),
        "windows[2].services: unknown service \"Z\" (line 41)"
    );
    let q = Problem {
        path: "devices".into(),
        line: None,
        message: "no admin device".into(),
    };
    assert_eq!(q.to_string(), "devices: no admin device");
    let all = ConfigErrors {
        problems: vec![p, q],
    };
    assert_eq!(all.to_string().lines().count(), 2);
}

#[test]
fn check_file_output_and_exit_codes() {
    let (out, code) = check_file(&root().join("hall.example.toml"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("hall.example.toml: OK"), "{out}");
    assert!(
        out.contains("4 services, 6 windows, 6 staff, 10 devices"),
        "{out}"
    );

    let path = fixture("invalid.toml");
    let (out, code) = check_file(&path);
    assert_eq!(code, 1);
    let text = std::fs::read_to_string(&path).unwrap();
    let n = markers(&text).len();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), n + 1, "{out}");
    assert!(
        lines
            .iter()
            .take(n)
            .all(|l| l.contains(": ") && l.ends_with(')')),
        "{out}"
    );
    assert_eq!(lines[n], format!("{}: {n} problems found", path.display()));

    let (out, code) = check_file(Path::new("/nonexistent/hall.toml"));
    assert_eq!(code, 1);
    assert!(
        out.starts_with("cannot read /nonexistent/hall.toml"),
        "{out}"
    );
    assert!(out.ends_with("1 problem found"), "{out}");
}

#[test]
fn non_utf8_file_is_a_clear_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hall.toml");
    let (gbk, _, _) = encoding_rs::GBK.encode("[hall]\nname = \"示范\"\n");
    std::fs::write(&path, &gbk).unwrap();
    let err = HallConfig::load(&path).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(err.problems[0].message.contains("not UTF-8"));
    assert_eq!(err.problems[0].line, Some(2));
}

#[test]
fn reference_documents_every_key_of_the_example() {
    let reference = include_str!("../src/config/reference.md");
    let table: toml::Table = toml::from_str(EXAMPLE_TOML).unwrap();
    let mut keys = BTreeSet::new();
    for (section, value) in &table {
        let header = if value.is_array() {
            format!("[[{section}]]")
        } else {
            format!("[{section}]")
        };
        assert!(reference.contains(&header), "reference lacks {header}");
        let items: Vec<&toml::Value> = match value {
            toml::Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        for item in items {
            if let Some(t) = item.as_table() {
                keys.extend(t.keys().cloned());
            }
        }
    }
    for key in keys {
        assert!(
            reference.contains(&format!("`{key}`")),
            "reference lacks `{key}`"
        );
    }
}

// ---- [printer] ----

fn printer_problems(section: &str) -> Vec<Problem> {
    problems(&(MINIMAL.to_owned() + "\n[printer]\n" + section))
}

#[test]
fn printer_section_of_the_example_is_typed() {
    use hallq::config::{CutName, FlowControlName, OnFailure, PrinterBackend};
    let c = example();
    let p = c.printer.as_ref().expect("the example has a [printer]");
    assert_eq!(p.backend, PrinterBackend::Serial);
    assert_eq!(p.path.as_deref(), Some(Path::new("/dev/hallq/printer")));
    assert_eq!(p.baud, 9600);
    assert_eq!(p.flow_control, FlowControlName::None);
    assert_eq!(p.width_mm, Some(80));
    assert_eq!(p.cut, Some(CutName::Partial));
    assert_eq!(p.model.as_deref(), Some("generic-80"));
    assert_eq!(p.on_failure, OnFailure::Block);
    assert!(p.footer.as_deref().unwrap().contains('\n'));
    assert_eq!(
        p.qr_content("A001", "2026-11-23", "A", "示范").as_deref(),
        Some("https://hall.example.gov.cn/q?n=A001&d=2026-11-23")
    );
}

#[test]
fn printer_defaults() {
    use hallq::config::{OnFailure, PrinterBackend};
    let text = MINIMAL.to_owned() + "\n[printer]\nbackend = \"tcp\"\nhost = \"192.0.2.7\"\n";
    let c = HallConfig::parse(&text).unwrap();
    let p = c.printer.unwrap();
    assert_eq!(p.backend, PrinterBackend::Tcp);
    assert_eq!(
        (p.port, p.baud, p.status_timeout_ms, p.poll_secs),
        (9100, 9600, 400, 10)
    );
    assert_eq!(p.on_failure, OnFailure::Block);
    assert_eq!((p.width_mm, p.cut, p.header), (None, None, None));
    assert!(HallConfig::parse(MINIMAL).unwrap().printer.is_none());
}

#[test]
fn printer_rules_report_path_and_line() {
    let section = "backend = \"serial\"\nwidth_mm = 76\ncut_bytes = \"1B 40\"\nmodel = \"tm-x\"\n\
qr_url = \"https://x.cn/q?n={number}&w={window}\"\nfooter = \"谢谢𠮷\"\nheader = \"€\"\n\
status_timeout_ms = 10\n";
    let text = MINIMAL.to_owned() + "\n[printer]\n" + section;
    let p = printer_problems(section);
    let find = |path: &str| {
        p.iter()
            .find(|x| x.path == path)
            .unwrap_or_else(|| panic!("{path} not in {p:?}"))
    };
    assert!(find("printer.path").message.contains("needs `path`"));
    assert_eq!(find("printer.path").line, Some(line_of(&text, "[printer]")));
    assert!(find("printer.width_mm").message.contains("58 or 80"));
    assert_eq!(
        find("printer.width_mm").line,
        Some(line_of(&text, "width_mm"))
    );
    assert!(find("printer.cut_bytes").message.contains("cut command"));
    assert!(find("printer.model").message.contains("generic-80"));
    assert!(find("printer.qr_url").message.contains("{window}"));
    assert_eq!(find("printer.qr_url").line, Some(line_of(&text, "qr_url")));
    assert!(find("printer.footer").message.contains("U+20BB7"));
    assert!(find("printer.header").message.contains("U+20AC"));
    assert!(
        find("printer.status_timeout_ms")
            .message
            .contains("100 to 5000")
    );
    assert_eq!(p.len(), 8, "{p:?}");
}

#[test]
fn printer_backend_needs() {
    let p = printer_problems("backend = \"tcp\"\n");
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "printer.host");
    let p = printer_problems("backend = \"usb\"\n");
    assert_eq!(p.len(), 1);
    assert!(p[0].message.contains("unknown variant"), "{}", p[0].message);
    assert_eq!(p[0].path, "printer.backend");
    let p = printer_problems("backend = \"file\"\npath = \"/tmp/t.bin\"\nspeed = 3\n");
    assert_eq!(p[0].path, "printer.speed");
    for ok in [
        "backend = \"sim\"\n",
        "backend = \"file\"\npath = \"/tmp/t.bin\"\ncut_bytes = \"1d5601\"\n",
        "backend = \"usblp\"\npath = \"/dev/usb/lp0\"\nmodel = \"generic-58\"\nfooter = \"价格￥5，¥5\"\n",
    ] {
        let text = MINIMAL.to_owned() + "\n[printer]\n" + ok;
        assert!(HallConfig::parse(&text).is_ok(), "{ok}");
    }
}

// ---- [kiosk] ----

const KIOSK_BASE: &str = r#"
[hall]
name = "测试大厅"

[[services]]
id = "A"
name = "综合受理"
prefix = "A"

[[services]]
id = "B"
name = "社保医保"
prefix = "B"

[[windows]]
number = 1
name = "综合窗口"
services = ["A", "B"]

[[devices]]
name = "admin"
role = "admin"
token = "admin-token-1"
"#;

#[test]
fn kiosk_defaults_when_the_table_is_absent() {
    let config = HallConfig::parse(KIOSK_BASE).unwrap();
    let k = &config.kiosk;
    assert_eq!(k.orientation, hallq::config::Orientation::Portrait);
    assert_eq!(k.result_timeout_seconds, 15);
    assert_eq!(k.idle_timeout_seconds, 60);
    assert!(!k.elderly_default);
    assert!(k.groups.is_empty());
    assert!(k.priority_pin_hash.is_none());
    assert!(k.voice_prompts);
}

#[test]
fn kiosk_example_section_is_read() {
    let config = example();
    assert_eq!(config.kiosk.groups[1].name, "社保医保类");
    assert_eq!(config.kiosk.groups[1].services, vec!["B".to_string()]);
}

#[test]
fn kiosk_groups_must_name_known_services() {
    let text = format!(
        "{KIOSK_BASE}\n[kiosk]\norientation = \"landscape\"\ngroups = [{{ name = \"社保\", services = [\"B\", \"Z\"] }}, {{ name = \"空\", services = [] }}]\n"
    );
    let found = problems(&text);
    assert!(
        found
            .iter()
            .any(|p| p.path == "kiosk.groups[0].services[1]" && p.message.contains("\"Z\"")),
        "{found:?}"
    );
    assert!(found.iter().any(|p| p.path == "kiosk.groups[1].services"));
}

#[test]
fn kiosk_bad_values_are_reported() {
    let text = format!(
        "{KIOSK_BASE}\n[kiosk]\nresult_timeout_seconds = 1\npriority_pin_hash = \"1234\"\n"
    );
    let found = problems(&text);
    let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"kiosk.result_timeout_seconds"), "{paths:?}");
    assert!(paths.contains(&"kiosk.priority_pin_hash"), "{paths:?}");
    let wrong = problems(&format!(
        "{KIOSK_BASE}\n[kiosk]\norientation = \"sideways\"\n"
    ));
    assert!(wrong[0].path.starts_with("kiosk"), "{wrong:?}");
}

#[test]
fn kiosk_pin_hash_from_hash_pin_is_accepted() {
    let hash = hallq::kiosk::pin::hash_pin("2468").unwrap();
    let text = format!("{KIOSK_BASE}\n[kiosk]\npriority_pin_hash = \"{hash}\"\n");
    let config = HallConfig::parse(&text).unwrap();
    let stored = config.kiosk.priority_pin_hash.unwrap();
    assert!(hallq::kiosk::pin::verify_pin(&stored, "2468"));
}

#[test]
fn a_staff_pin_must_be_a_hash_never_the_pin_itself() {
    let base = std::fs::read_to_string(root().join("tests/fixtures/hall-24h.toml")).unwrap();
    let with_pin = |pin_hash: &str| {
        format!("{base}\n[[staff]]\nid = \"9001\"\nname = \"测试\"\npin_hash = \"{pin_hash}\"\n")
    };
    let found = problems(&with_pin("2468"));
    let pin = found
        .iter()
        .find(|p| p.path.ends_with(".pin_hash"))
        .unwrap_or_else(|| panic!("a plain PIN is refused: {found:?}"));
    assert!(pin.message.contains("hallq hash-pin"), "{pin}");
    assert!(pin.line.is_some(), "{pin}");

    let hash = hallq::kiosk::pin::hash_pin("2468").unwrap();
    let config = HallConfig::parse(&with_pin(&hash)).unwrap();
    let member = config.staff.iter().find(|s| s.id == "9001").unwrap();
    assert!(hallq::kiosk::pin::verify_pin(
        member.pin_hash.as_deref().unwrap(),
        "2468"
    ));
}
