//! Golden Onbon BX-5K/6K frames. The expected bytes are written out by hand from the layout
//! in hardware.md §3.2/§11 (the first two are the frames the vendor's Java SDK produced);
//! the encoder is never used to make them.

use hallq::protocol::onbon::{
    self, AreaParams, CRC, Deframer, FrameError, Header, PREAMBLE_LEN, Reply, ReplyKind, XUnits,
    decode_gb2312, decode_reply_body, effect, encode_gb2312, encode_reply, first_non_gb2312,
    packet, parse_packet, unescape, wrap,
};

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

fn text(s: &str) -> Vec<u8> {
    onbon::encode_gb2312(s).unwrap()
}

const PRE: &str = "A5 A5 A5 A5 A5 A5 A5 A5";

/// hardware.md §11: the SDK's default dynamic area, screen 1, 「请A023到3号窗口」.
#[test]
fn sdk_default_area_call_text() {
    let expected = hex(&format!(
        "{PRE} 01 00 00 80 00 00 00 00 00 00 FE 02 33 00 A3 06 01 00 00 00 01 2A 00 \
         00 00 00 00 00 08 00 10 00 00 00 00 05 00 00 00 00 02 01 02 00 00 08 0F 00 00 00 \
         C7 EB 41 30 32 33 B5 BD 33 BA C5 B4 B0 BF DA 14 FC 5A"
    ));
    let area = AreaParams::sdk_default(64, 16, XUnits::Bytes8);
    assert_eq!(
        onbon::encode_dynamic_area(1, &area, &text("请A023到3号窗口")),
        expected
    );
}

/// hardware.md §3.2: static effect, timeout 0, hold 0, 「A001请到3号窗口」 (CRC AD 47).
#[test]
fn spec_example_static() {
    let expected = hex(&format!(
        "{PRE} 01 00 00 80 00 00 00 00 00 00 FE 02 33 00 A3 06 01 00 00 00 01 2A 00 \
         00 00 00 00 00 08 00 10 00 00 00 00 00 00 00 00 00 02 01 01 00 00 00 0F 00 00 00 \
         41 30 30 31 C7 EB B5 BD 33 BA C5 B4 B0 BF DA AD 47 5A"
    ));
    let area = AreaParams {
        timeout_secs: 0,
        effect: effect::STATIC,
        hold: 0,
        ..AreaParams::sdk_default(64, 16, XUnits::Bytes8)
    };
    assert_eq!(
        onbon::encode_dynamic_area(1, &area, &text("A001请到3号窗口")),
        expected
    );
}

/// 「请Z012到2楼社保处」 holds 5A (Z), A5 (楼 = C2 A5) and A6 (处 = B4 A6); screen 2.
#[test]
fn text_bytes_are_escaped() {
    let expected = hex(&format!(
        "{PRE} 02 00 00 80 00 00 00 00 00 00 FE 02 35 00 A3 06 01 00 00 00 01 2C 00 \
         00 00 00 00 00 08 00 10 00 00 00 00 05 00 00 00 00 02 01 02 00 00 08 11 00 00 00 \
         C7 EB 5B 02 30 31 32 B5 BD 32 C2 A6 02 C9 E7 B1 A3 B4 A6 01 C1 7D 5A"
    ));
    let area = AreaParams::sdk_default(64, 16, XUnits::Bytes8);
    let wire = onbon::encode_dynamic_area(2, &area, &text("请Z012到2楼社保处"));
    assert_eq!(wire, expected);
    let packet = onbon::decode_frame(&wire).unwrap();
    let cmd = onbon::parse_dynamic_area(&packet.data).unwrap();
    assert_eq!(cmd.areas[0].text, "请Z012到2楼社保处");
}

/// 「请A005到3号窗口」: the CRC is 0x5BFF, so its high byte is escaped (FF 5B 01).
#[test]
fn crc_bytes_are_escaped() {
    let expected = hex(&format!(
        "{PRE} 01 00 00 80 00 00 00 00 00 00 FE 02 33 00 A3 06 01 00 00 00 01 2A 00 \
         00 00 00 00 00 08 00 10 00 00 00 00 05 00 00 00 00 02 01 02 00 00 08 0F 00 00 00 \
         C7 EB 41 30 30 35 B5 BD 33 BA C5 B4 B0 BF DA FF 5B 01 5A"
    ));
    let area = AreaParams::sdk_default(64, 16, XUnits::Bytes8);
    assert_eq!(
        onbon::encode_dynamic_area(1, &area, &text("请A005到3号窗口")),
        expected
    );
}

/// Screen address 0x5A: the header's first byte is escaped too.
#[test]
fn header_bytes_are_escaped() {
    let area = AreaParams::sdk_default(64, 16, XUnits::Bytes8);
    let wire = onbon::encode_dynamic_area(0x5A, &area, &text("A1"));
    assert_eq!(&wire[8..13], &hex("5B 02 00 00 80"));
    assert_eq!(onbon::decode_frame(&wire).unwrap().header.dst, 0x5A);
}

/// BX-6K, 96×16, screen 3, static: plain pixels (Java SDK) and pixels | 0x8000 (C# demo).
#[test]
fn bx6k_units() {
    let area = AreaParams {
        timeout_secs: 0,
        effect: effect::STATIC,
        hold: 0,
        ..AreaParams::sdk_default(96, 16, XUnits::Pixels)
    };
    let body = "A3 06 01 00 00 00 01 2B 00 00";
    let tail = "10 00 00 00 00 00 00 00 00 00 02 01 01 00 00 00 10 00 00 00 \
                C7 EB 42 31 30 35 B5 BD 31 32 BA C5 B4 B0 BF DA";
    let plain = hex(&format!(
        "{PRE} 03 00 00 80 00 00 00 00 00 00 FE 02 34 00 {body} 00 00 00 00 60 00 {tail} 99 C0 5A"
    ));
    assert_eq!(
        onbon::encode_dynamic_area(3, &area, &text("请B105到12号窗口")),
        plain
    );
    let bit15 = hex(&format!(
        "{PRE} 03 00 00 80 00 00 00 00 00 00 FE 02 34 00 {body} 00 80 00 00 60 80 {tail} 2F CD 5A"
    ));
    let area = AreaParams {
        units: XUnits::PixelsBit15,
        ..area
    };
    assert_eq!(
        onbon::encode_dynamic_area(3, &area, &text("请B105到12号窗口")),
        bit15
    );
}

#[test]
fn replies() {
    let ack = hex(&format!(
        "{PRE} 00 80 01 00 00 00 00 00 00 00 FE 02 05 00 A0 00 00 00 00 64 DC 5A"
    ));
    let nack = hex(&format!(
        "{PRE} 00 80 02 00 00 00 00 00 00 00 FE 02 05 00 A0 01 03 00 00 65 D0 5A"
    ));
    assert_eq!(onbon::encode_reply(1, true, 0), ack);
    assert_eq!(onbon::encode_reply(2, false, 3), nack);
    let mut d = Deframer::new();
    let bodies = d.push(&[ack.clone(), nack].concat());
    let replies: Vec<_> = bodies
        .iter()
        .map(|b| onbon::decode_reply_body(b).unwrap())
        .collect();
    assert_eq!((replies[0].src, replies[0].kind), (1, ReplyKind::Ack));
    assert_eq!((replies[1].src, replies[1].kind), (2, ReplyKind::Nack(3)));
    // one flipped bit in the CRC
    let mut bad = ack;
    bad[27] ^= 0x10;
    assert!(matches!(
        onbon::decode_frame(&bad),
        Err(FrameError::Crc { .. })
    ));
}

#[test]
fn crc16_arc_check_value() {
    assert_eq!(CRC.checksum(b"123456789"), 0xBB3D);
}

/// Every decoded field matches what was encoded, for texts full of bytes to escape.
#[test]
fn decoder_round_trip() {
    let area = AreaParams {
        id: 2,
        x: 32,
        y: 16,
        width: 64,
        height: 16,
        units: XUnits::Bytes8,
        line_spacing: 1,
        run_mode: 1,
        timeout_secs: 0x5AA5,
        alignment: 1,
        single_line: 1,
        auto_newline: 2,
        effect: 0x03,
        exit_effect: 0,
        speed: 5,
        hold: 0x5B,
    };
    for s in ["去处应", "ZZZ[[[", "请A023到3号窗口", ""] {
        let wire = onbon::encode_dynamic_area(0xA5A6, &area, &text(s));
        let p = onbon::decode_frame(&wire).unwrap();
        assert_eq!(p.header.dst, 0xA5A6);
        let cmd = onbon::parse_dynamic_area(&p.data).unwrap();
        let a = &cmd.areas[0];
        assert_eq!(a.text, s);
        assert_eq!(
            (
                a.id,
                XUnits::Bytes8.decode(a.x_raw),
                a.y,
                XUnits::Bytes8.decode(a.width_raw)
            ),
            (2, 32, 16, 64)
        );
        assert_eq!(
            (a.timeout_secs, a.hold, a.speed, a.effect),
            (0x5AA5, 0x5B, 5, 3)
        );
    }
}

proptest::proptest! {
    /// Random texts from characters whose GB2312 bytes include A5/A6/5A/5B survive
    /// encoder → wire → deframer → decoder, for any address.
    #[test]
    fn random_texts_round_trip(
        chars in proptest::collection::vec(
            proptest::sample::select(vec!['去', '处', '应', '楼', 'Z', '[', 'A', '0', '请', '号', ' ']),
            0..40,
        ),
        address in 1u16..0xFFFE,
    ) {
        let s: String = chars.into_iter().collect();
        let area = AreaParams::sdk_default(64, 16, XUnits::Bytes8);
        let wire = onbon::encode_dynamic_area(address, &area, &text(&s));
        // no preamble or trailer byte inside the escaped packet
        let inner = &wire[8..wire.len() - 1];
        proptest::prop_assert!(!inner.contains(&0xA5) && !inner.contains(&0x5A));
        let mut d = Deframer::new();
        let bodies = d.push(&wire);
        proptest::prop_assert_eq!(bodies.len(), 1);
        let p = onbon::parse_packet(&onbon::unescape(&bodies[0]).unwrap()).unwrap();
        proptest::prop_assert_eq!(p.header.dst, address);
        let cmd = onbon::parse_dynamic_area(&p.data).unwrap();
        proptest::prop_assert_eq!(&cmd.areas[0].text, &s);
    }
}

// Codec details.

#[test]
fn crc_check_value() {
    assert_eq!(CRC.checksum(b"123456789"), 0xBB3D);
}

#[test]
fn escapes_and_unescapes_every_special_byte() {
    let packet = [0x01, 0xA5, 0xA6, 0x5A, 0x5B, 0x02];
    let wire = wrap(&packet);
    assert_eq!(
        &wire[PREAMBLE_LEN..],
        &[
            0x01, 0xA6, 0x02, 0xA6, 0x01, 0x5B, 0x02, 0x5B, 0x01, 0x02, 0x5A
        ]
    );
    assert_eq!(
        unescape(&wire[PREAMBLE_LEN..wire.len() - 1]).unwrap(),
        packet
    );
    assert_eq!(
        unescape(&[0xA6, 0x03]),
        Err(FrameError::BadEscape(0xA6, 0x03))
    );
    assert_eq!(unescape(&[0x01, 0x5B]), Err(FrameError::BadEscape(0x5B, 0)));
    assert_eq!(unescape(&[0x01, 0x5A]), Err(FrameError::Framing));
}

#[test]
fn gb2312_only() {
    assert_eq!(encode_gb2312("请A").unwrap(), vec![0xC7, 0xEB, 0x41]);
    // 镕 is GBK (outside GB2312), € is not GBK at all.
    assert_eq!(encode_gb2312("朱镕基").unwrap_err().ch, '镕');
    assert_eq!(first_non_gb2312("a€"), Some('€'));
    assert_eq!(first_non_gb2312("a\nb"), Some('\n'));
    assert_eq!(decode_gb2312(&[0xC7, 0xEB, 0x41]), "请A");
}

#[test]
fn deframer_resyncs_on_preamble_and_splits_reads() {
    let a = encode_reply(1, true, 0);
    let b = encode_reply(2, false, 7);
    let mut d = Deframer::new();
    // garbage, a frame cut short by a new preamble, then two frames split anywhere
    let mut stream = vec![0x00, 0x13];
    stream.extend_from_slice(&a[..15]);
    stream.extend_from_slice(&a);
    stream.extend_from_slice(&b);
    let mut bodies = Vec::new();
    for chunk in stream.chunks(3) {
        bodies.extend(d.push(chunk));
    }
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        decode_reply_body(&bodies[0]).unwrap(),
        Reply {
            src: 1,
            kind: ReplyKind::Ack
        }
    );
    assert_eq!(
        decode_reply_body(&bodies[1]).unwrap(),
        Reply {
            src: 2,
            kind: ReplyKind::Nack(7)
        }
    );
    assert!(d.skipped >= 2);
}

#[test]
fn corrupted_crc_and_length_are_reported() {
    let mut p = packet(&Header::request(1), &[0xA0, 0x00]);
    let last = p.len() - 1;
    p[last] ^= 0x01;
    assert!(matches!(parse_packet(&p), Err(FrameError::Crc { .. })));
    let mut p = packet(&Header::request(1), &[0xA0, 0x00]);
    p[12] = 9;
    assert!(matches!(
        parse_packet(&p),
        Err(FrameError::Length { declared: 9, .. })
    ));
    assert_eq!(parse_packet(&[0; 5]), Err(FrameError::TooShort(5)));
}

#[test]
fn units() {
    assert_eq!(XUnits::Bytes8.encode(64), 8);
    assert_eq!(XUnits::Pixels.encode(96), 96);
    assert_eq!(XUnits::PixelsBit15.encode(96), 0x8060);
    assert_eq!(XUnits::PixelsBit15.decode(0x8060), 96);
    assert_eq!(XUnits::Bytes8.decode(8), 64);
}
