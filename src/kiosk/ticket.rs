//! What goes on the paper: a [`TicketPrint`] from the server's answer.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::client::{Issued, ServiceInfo, TicketInfo};
use crate::config::PrinterConfig;
use crate::devices::printer::TicketPrint;

/// Hall facts every ticket needs.
#[derive(Clone, Debug)]
pub struct TicketContext {
    pub hall_name: String,
    pub timezone: TimeZone,
    /// For the QR code template (`[printer].qr_url`).
    pub printer: Option<PrinterConfig>,
}

impl TicketContext {
    /// "2026-11-23 09:41" in the hall's time zone (the RFC 3339 text as is when it does not
    /// parse), and the local date.
    fn local(&self, issued_at: &str) -> (String, String) {
        match issued_at.parse::<Timestamp>() {
            Ok(ts) => {
                let z = ts.to_zoned(self.timezone.clone());
                (
                    z.strftime("%Y-%m-%d %H:%M").to_string(),
                    z.date().to_string(),
                )
            }
            Err(_) => (issued_at.to_string(), String::new()),
        }
    }

    fn qr(&self, number: &str, date: &str, service: &str) -> Option<String> {
        self.printer
            .as_ref()
            .and_then(|p| p.qr_content(number, date, service, &self.hall_name))
    }

    /// The ticket for a number just issued.
    pub fn for_issued(&self, t: &Issued) -> TicketPrint {
        let (issued_at, date) = self.local(&t.issued_at);
        TicketPrint {
            hall_name: self.hall_name.clone(),
            service_name: t.service_name.clone(),
            number: t.number.clone(),
            waiting_ahead: t.waiting_ahead,
            estimated_wait_minutes: t.estimated_wait_minutes,
            windows: t.windows.clone(),
            issued_at,
            id_last4: t.id_last4.clone(),
            reprint: false,
            priority: t.priority,
            appointment: t.class == "appointment",
            qr: self.qr(&t.number, &date, &t.service),
        }
    }

    /// A 补打 ticket for a number issued earlier today. People ahead and the wait are the
    /// service's current figures (the ticket endpoint does not give this ticket's own).
    pub fn for_reprint(&self, t: &TicketInfo, service: Option<&ServiceInfo>) -> TicketPrint {
        let (issued_at, date) = self.local(&t.issued_at);
        TicketPrint {
            hall_name: self.hall_name.clone(),
            service_name: t.service_name.clone(),
            number: t.number.clone(),
            waiting_ahead: service.map_or(0, |s| s.waiting.saturating_sub(1)),
            estimated_wait_minutes: service.map_or(0, |s| s.estimated_wait_minutes),
            windows: service.map(|s| s.windows.clone()).unwrap_or_default(),
            issued_at,
            id_last4: t.id_last4.clone(),
            reprint: true,
            priority: t.priority,
            appointment: t.class == "appointment",
            qr: self.qr(&t.number, &date, &t.service),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_time_is_local_and_flags_follow_the_class() {
        let ctx = TicketContext {
            hall_name: "测试大厅".into(),
            timezone: TimeZone::get("Asia/Shanghai").unwrap(),
            printer: None,
        };
        let issued = Issued {
            id: 1,
            number: "A001".into(),
            service: "A".into(),
            service_name: "综合受理".into(),
            state: "waiting".into(),
            class: "appointment".into(),
            priority: false,
            issued_at: "2026-11-23T02:00:00Z".into(),
            waiting_ahead: 2,
            estimated_wait_minutes: 10,
            windows: vec![1, 2],
            id_last4: Some("002X".into()),
        };
        let t = ctx.for_issued(&issued);
        assert_eq!(t.issued_at, "2026-11-23 10:00");
        assert!(t.appointment && !t.reprint && !t.priority);
        assert_eq!(t.id_last4.as_deref(), Some("002X"));
    }
}
