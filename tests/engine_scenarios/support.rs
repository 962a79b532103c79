//! The hall the scenarios run in, and a small script runner.

use hallq::core::rules::*;
use hallq::core::*;
use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday, date, time};
use jiff::tz::TimeZone;

/// Tuesday.
pub const DAY: Date = date(2026, 3, 10);

pub fn service(id: &str) -> ServiceRules {
    ServiceRules {
        id: ServiceId::new(id),
        name: format!("业务{id}"),
        prefix: id.to_string(),
        daily_quota: None,
        slot_quotas: vec![],
        one_per_id: false,
        requires_id: false,
        expected_handle_minutes: 6,
        wait_target: None,
        handle_target: None,
        sessions: None,
    }
}

pub fn rules() -> Rules {
    let mut a = service("A");
    a.wait_target = Some(SlaTarget {
        yellow_minutes: 10,
        red_minutes: 20,
    });
    a.handle_target = Some(SlaTarget {
        yellow_minutes: 15,
        red_minutes: 30,
    });
    let mut c = service("C");
    c.requires_id = true;
    c.one_per_id = true;
    let window = |n: u16, services: &[&str]| WindowRules {
        number: WindowNo(n),
        name: format!("{n}号窗口"),
        services: services.iter().map(|s| (ServiceId::new(*s), 1)).collect(),
    };
    Rules {
        tz: TimeZone::get("Asia/Shanghai").unwrap(),
        rollover: time(4, 0, 0, 0),
        number_width: 3,
        carry_over: false,
        hours: Hours {
            sessions: vec![
                Session {
                    open: time(8, 30, 0, 0),
                    close: time(12, 0, 0, 0),
                },
                Session {
                    open: time(14, 0, 0, 0),
                    close: time(17, 30, 0, 0),
                },
            ],
            weekdays: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            closed_dates: vec![date(2026, 3, 12)],
            open_dates: vec![],
            stop_issuing_minutes_before_close: 0,
            expire_minutes_after_close: None,
        },
        queue: QueueRules::default(),
        appointments: AppointmentRules::default(),
        priority_age: Some(70),
        require_sign_in: false,
        ratings: Default::default(),
        services: vec![a, service("B"), c, service("D")],
        windows: vec![
            window(1, &["A", "B"]),
            window(2, &["A"]),
            window(3, &["B", "C"]),
            window(4, &["C", "D"]),
        ],
        staff: vec![
            StaffRules {
                id: StaffId("s1".into()),
                name: "张三".into(),
                services: vec![],
            },
            StaffRules {
                id: StaffId("s2".into()),
                name: "李四".into(),
                services: vec![ServiceId::new("B")],
            },
        ],
    }
}

pub fn on(d: Date, h: i8, m: i8) -> Timestamp {
    d.to_datetime(time(h, m, 0, 0))
        .to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

pub fn at(h: i8, m: i8) -> Timestamp {
    on(DAY, h, m)
}

pub fn w(n: u16) -> WindowNo {
    WindowNo(n)
}

pub fn num(s: &str) -> TicketNumber {
    TicketNumber(s.to_string())
}

pub fn req(service: &str) -> IssueRequest {
    IssueRequest {
        service: ServiceId::new(service),
        staff_priority: false,
        id: None,
        appointment_code: None,
    }
}

pub fn with_id(service: &str, hash: &str, birth: Date) -> IssueRequest {
    IssueRequest {
        id: Some(IdDigest {
            hash: hash.into(),
            last4: "1234".into(),
            birth_date: Some(birth),
        }),
        ..req(service)
    }
}

/// An engine plus the log of every event it produced.
pub struct Script {
    pub e: Engine,
    pub log: Vec<Event>,
    pub last: Vec<Event>,
}

impl Script {
    pub fn new(rules: Rules) -> Self {
        Script {
            e: Engine::new(rules),
            log: vec![],
            last: vec![],
        }
    }

    pub fn run(&mut self, now: Timestamp, cmd: Command) -> Result<Reply, Rejected> {
        let r = self.e.handle(now, cmd);
        self.last = self.e.drain_events();
        self.log.extend(self.last.iter().cloned());
        self.e.check_invariants().unwrap();
        r
    }

    pub fn issue(&mut self, now: Timestamp, service: &str) -> String {
        self.issue_req(now, req(service))
    }

    pub fn issue_req(&mut self, now: Timestamp, r: IssueRequest) -> String {
        match self.run(now, Command::Issue(r)) {
            Ok(Reply::Issued(id)) => self.e.ticket(id).unwrap().number.to_string(),
            other => panic!("issue failed: {other:?}"),
        }
    }

    pub fn fail(&mut self, now: Timestamp, cmd: Command) -> Rejected {
        match self.run(now, cmd) {
            Err(r) => r,
            Ok(r) => panic!("expected a rejection, got {r:?}"),
        }
    }

    /// The number now current at the window after the command.
    pub fn window_cmd(&mut self, now: Timestamp, cmd: Command) -> Option<String> {
        match self.run(now, cmd) {
            Ok(Reply::Window(id)) => id.map(|id| self.e.ticket(id).unwrap().number.to_string()),
            other => panic!("window command failed: {other:?}"),
        }
    }

    pub fn call_next(&mut self, now: Timestamp, n: u16) -> String {
        self.window_cmd(now, Command::CallNext { window: w(n) })
            .unwrap()
    }

    pub fn state(&self, number: &str) -> TicketState {
        self.e.find_ticket(&num(number)).unwrap().state
    }

    pub fn changes(&self) -> Vec<&Change> {
        self.last.iter().map(|e| &e.change).collect()
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        self.last.iter().map(|e| e.change.kind()).collect()
    }
}

pub fn booking(code: &str, service: &str, d: Date, from: Time, to: Time) -> Appointment {
    Appointment {
        code: code.into(),
        service: ServiceId::new(service),
        date: d,
        slot_from: from,
        slot_to: to,
        id_hash: None,
    }
}

pub fn check_in(code: &str) -> Command {
    Command::Issue(IssueRequest {
        appointment_code: Some(code.into()),
        ..req("A")
    })
}
