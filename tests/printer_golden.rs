//! Golden ESC/POS bytes for tickets: compared byte for byte with tests/fixtures/escpos/.
//! Regenerate (after checking the change on a real printer) with `UPDATE_GOLDEN=1`.

use std::path::PathBuf;

use hallq::devices::printer::TicketPrint;
use hallq::protocol::escpos_decode::{Cut, decode_all};
use hallq::protocol::ticket::{PaperWidth, TicketLayout, encode_ticket};

fn ticket(priority: bool, reprint: bool, qr: bool) -> TicketPrint {
    TicketPrint {
        hall_name: "示范县政务服务中心".into(),
        service_name: "社保医保".into(),
        number: "B023".into(),
        waiting_ahead: 5,
        estimated_wait_minutes: 30,
        windows: vec![3, 4],
        issued_at: "2026-11-23 09:41".into(),
        id_last4: Some("123X".into()),
        reprint,
        priority,
        appointment: false,
        qr: qr.then(|| "https://hall.example.gov.cn/q?n=B023&d=2026-11-23".into()),
    }
}

fn layout(width: PaperWidth) -> TicketLayout {
    let mut l = TicketLayout::new(width);
    l.footer = Some("请妥善保管号票，过号请重新取号".into());
    l
}

fn check(name: &str, bytes: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/escpos")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, bytes).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
            path.display()
        )
    });
    if expected != bytes {
        let at = expected
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(bytes.len()));
        panic!(
            "{name}: bytes differ at offset {at} (expected {} bytes, got {}): expected {:02X?}, got {:02X?}",
            expected.len(),
            bytes.len(),
            &expected[at..expected.len().min(at + 16)],
            &bytes[at..bytes.len().min(at + 16)],
        );
    }
}

const CASES: &[(&str, PaperWidth, bool, bool, bool)] = &[
    ("ticket-80-qr.bin", PaperWidth::Mm80, false, false, true),
    ("ticket-80-plain.bin", PaperWidth::Mm80, false, false, false),
    ("ticket-58-qr.bin", PaperWidth::Mm58, false, false, true),
    ("ticket-58-plain.bin", PaperWidth::Mm58, false, false, false),
    (
        "ticket-80-priority-reprint.bin",
        PaperWidth::Mm80,
        true,
        true,
        true,
    ),
    (
        "ticket-58-priority-reprint.bin",
        PaperWidth::Mm58,
        true,
        true,
        false,
    ),
];

#[test]
fn tickets_match_the_golden_bytes() {
    for &(name, width, priority, reprint, qr) in CASES {
        let bytes = encode_ticket(&ticket(priority, reprint, qr), &layout(width)).unwrap();
        check(name, &bytes);
    }
}

#[test]
fn golden_tickets_decode_to_what_the_citizen_reads() {
    for &(name, width, priority, reprint, qr) in CASES {
        let bytes = encode_ticket(&ticket(priority, reprint, qr), &layout(width)).unwrap();
        let receipts = decode_all(&bytes).unwrap();
        assert_eq!(receipts.len(), 1, "{name}");
        let r = &receipts[0];
        let text = r.text();
        assert_eq!(r.cut, Some(Cut::FeedPartial(0)), "{name}");
        assert!(text.contains("B023"), "{name}");
        assert!(text.contains("请妥善保管号票"), "{name}");
        assert_eq!(text.contains("【绿色通道】"), priority, "{name}");
        assert_eq!(text.contains("【补打】"), reprint, "{name}");
        assert_eq!(r.qr_payloads().len(), usize::from(qr), "{name}");
        // Never UTF-8 on the wire: the UTF-8 bytes of 号 (E5 8F B7) are absent.
        assert!(!bytes.windows(3).any(|w| w == [0xE5, 0x8F, 0xB7]), "{name}");
        let columns = width.columns();
        for l in r.lines() {
            let cols: usize = l
                .text
                .chars()
                .map(|c| if c.is_ascii() { 1 } else { 2 })
                .sum();
            assert!(cols * usize::from(l.width) <= columns, "{name}: {l:?}");
        }
    }
}
