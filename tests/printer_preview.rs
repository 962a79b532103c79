//! The ticket preview: a PNG drawn from the decoded byte stream, with real Hanzi and a
//! real QR code.

use hallq::devices::printer::TicketPrint;
use hallq::devices::printer::preview::{PreviewFont, render_bytes, render_receipt};
use hallq::protocol::escpos_decode::{Align, Block, Receipt, TextLine};
use hallq::protocol::ticket::{PaperWidth, TicketLayout, encode_ticket};

fn ticket() -> TicketPrint {
    TicketPrint {
        hall_name: "示范县政务服务中心".into(),
        service_name: "综合受理".into(),
        number: "A001".into(),
        waiting_ahead: 3,
        estimated_wait_minutes: 24,
        windows: vec![1, 2],
        issued_at: "2026-11-23 09:41".into(),
        id_last4: None,
        reprint: false,
        priority: true,
        appointment: false,
        qr: Some("https://hall.example.gov.cn/q?n=A001".into()),
    }
}

fn one_line(text: &str) -> Receipt {
    Receipt {
        blocks: vec![Block::Text(TextLine {
            text: text.into(),
            width: 2,
            height: 2,
            align: Align::Left,
            bold: false,
        })],
        cut: None,
    }
}

fn ink(img: &image::GrayImage) -> usize {
    img.pixels().filter(|p| p.0[0] < 128).count()
}

#[test]
fn preview_png_has_a_sane_size_and_ink() {
    let font = PreviewFont::find().unwrap();
    for (width, px) in [(PaperWidth::Mm80, 576 + 32), (PaperWidth::Mm58, 384 + 32)] {
        let bytes = encode_ticket(&ticket(), &TicketLayout::new(width)).unwrap();
        let img = render_bytes(&bytes, width, &font).unwrap();
        assert_eq!(img.width(), px);
        assert!(
            (500..2000).contains(&img.height()),
            "height {}",
            img.height()
        );
        let dark = ink(&img);
        let total = (img.width() * img.height()) as usize;
        assert!(
            dark > total / 50 && dark < total / 2,
            "ink {dark} of {total}"
        );
        let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("ticket-preview-{}.png", width.mm()));
        img.save(&out).unwrap();
    }
}

#[test]
fn hanzi_are_drawn_not_tofu() {
    let font = PreviewFont::find().unwrap();
    let a = render_receipt(&one_line("请"), PaperWidth::Mm80, &font).unwrap();
    let b = render_receipt(&one_line("号"), PaperWidth::Mm80, &font).unwrap();
    let blank = render_receipt(&one_line(" "), PaperWidth::Mm80, &font).unwrap();
    assert!(ink(&a) > 100 && ink(&b) > 100, "{} {}", ink(&a), ink(&b));
    assert_eq!(ink(&blank), 0);
    // Tofu boxes would be the same picture for every character.
    let differing = a
        .pixels()
        .zip(b.pixels())
        .filter(|(p, q)| (p.0[0] < 128) != (q.0[0] < 128))
        .count();
    assert!(
        differing > 100,
        "请 and 号 look alike ({differing} pixels differ)"
    );
}

#[test]
fn qr_in_the_preview_is_a_real_qr_code() {
    let font = PreviewFont::find().unwrap();
    let data = "https://hall.example.gov.cn/q?n=A001";
    let receipt = Receipt {
        blocks: vec![Block::Qr {
            data: data.into(),
            module: 6,
            level: 49,
        }],
        cut: None,
    };
    let img = render_receipt(&receipt, PaperWidth::Mm80, &font).unwrap();
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).unwrap();
    let n = code.width() as u32;
    // Module (r, c) centre in the image matches the symbol's colour.
    let left = 16 + (576 - n * 6) / 2;
    let top = 16 + 6;
    let colors = code.to_colors();
    for r in 0..n {
        for c in 0..n {
            let px = img.get_pixel(left + c * 6 + 3, top + r * 6 + 3).0[0];
            let dark = colors[(r * n + c) as usize] == qrcode::Color::Dark;
            assert_eq!(px < 128, dark, "module ({r}, {c})");
        }
    }
}
