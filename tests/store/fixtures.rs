//! Values and helpers shared by the store tests.

use std::path::PathBuf;

use hallq::core::{
    BusinessDay, CallKind, Change, Event, OrderKey, ServiceId, StaffId, Ticket, TicketClass,
    TicketId, TicketNumber, TicketState, WindowNo,
};
use hallq::store::{Store, TicketFilter, TicketRow};
use jiff::Timestamp;
use jiff::civil::{Date, date};

pub const DAY1: Date = date(2025, 3, 3);
pub const DAY2: Date = date(2025, 3, 4);

pub fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("hall.db")
}

pub fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(1_740_960_000 + secs).unwrap()
}

pub fn ticket(id: u64, day: Date, number: &str, service: &str, secs: i64) -> Ticket {
    Ticket {
        id: TicketId(id),
        number: TicketNumber(number.into()),
        day: BusinessDay(day),
        service: ServiceId::new(service),
        issued_service: ServiceId::new(service),
        state: TicketState::Waiting,
        class: TicketClass::WalkIn,
        priority: None,
        issued_at: ts(secs),
        order: OrderKey {
            ms: secs * 1000,
            sub: id,
        },
        appointment_code: None,
        id_hash: Some(format!("hash-{id}")),
        id_last4: Some(format!("{:04}", id % 10_000)),
        window: None,
        directed_to: None,
        staff: None,
        first_called_at: None,
        called_at: None,
        finished_at: None,
        recalls: 0,
        no_shows: 0,
        transfers: Vec::new(),
        case_number: None,
        wait_sla: None,
        handle_sla: None,
        rating: Default::default(),
    }
}

pub fn ev(secs: i64, change: Change) -> Event {
    Event {
        at: ts(secs),
        change,
    }
}

pub fn issued(id: u64, day: Date, number: &str, service: &str, secs: i64) -> Event {
    ev(
        secs,
        Change::TicketIssued {
            ticket: Box::new(ticket(id, day, number, service, secs)),
        },
    )
}

pub fn day_started(day: Date, secs: i64) -> Event {
    ev(
        secs,
        Change::DayStarted {
            day: BusinessDay(day),
            previous: None,
        },
    )
}

pub fn called(id: u64, number: &str, service: &str, window: u16, secs: i64) -> Event {
    ev(
        secs,
        Change::TicketCalled {
            ticket: TicketId(id),
            number: TicketNumber(number.into()),
            service: ServiceId::new(service),
            window: WindowNo(window),
            staff: Some(StaffId("S01".into())),
            class: TicketClass::WalkIn,
            kind: CallKind::Next,
        },
    )
}

pub fn all(store: &Store, filter: TicketFilter) -> Vec<TicketRow> {
    store.tickets(&filter).unwrap()
}

pub fn issue_many(store: &mut Store, day: Date, from: u64, count: u64) -> Vec<u64> {
    let events: Vec<Event> = (from..from + count)
        .map(|i| issued(i, day, &format!("A{i:03}"), "A", i as i64))
        .collect();
    store.append(&events, None).unwrap()
}
