//! Golden Modbus RTU frames: the examples of hardware.md §5.3 and §11, published vectors,
//! and the keypad's own frames cross-checked with an independent bitwise CRC.

use hallq::protocol::modbus::{
    FrameError, Incoming, Request, Response, crc16, decode_response, encode_exception,
    encode_read_reply, encode_write_reply, find_response, lcd_registers, lcd_text, parse_request,
};

fn hex(text: &str) -> Vec<u8> {
    hex::decode(text.replace(' ', "")).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// CRC-16/MODBUS the long way (init 0xFFFF, reflected poly 0xA001), independent of `crc`.
fn bitwise_crc(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in bytes {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

fn with_bitwise_crc(body: &str) -> Vec<u8> {
    let mut bytes = hex(body);
    let crc = bitwise_crc(&bytes);
    bytes.push((crc & 0xFF) as u8);
    bytes.push((crc >> 8) as u8);
    bytes
}

#[test]
fn hardware_md_poll_frame_and_reply() {
    let poll = Request::ReadHolding {
        address: 5,
        start: 0,
        count: 2,
    };
    assert_eq!(poll.encode(), hex("05 03 00 00 00 02 C5 8F"));
    let reply = hex("05 03 04 00 01 00 05 2E 30");
    assert_eq!(
        decode_response(&poll, &reply),
        Ok(Response::Registers(vec![1, 5]))
    );
    assert_eq!(encode_read_reply(5, &[1, 5]), reply);
}

#[test]
fn published_vectors() {
    let read10 = Request::ReadHolding {
        address: 1,
        start: 0,
        count: 10,
    };
    assert_eq!(read10.encode(), hex("01 03 00 00 00 0A C5 CD"));
    let read4 = Request::ReadHolding {
        address: 1,
        start: 0,
        count: 4,
    };
    assert_eq!(read4.encode(), hex("01 03 00 00 00 04 44 09"));
    assert_eq!(encode_exception(1, 3, 2), hex("01 83 02 C0 F1"));
    assert_eq!(
        decode_response(&read4, &hex("01 83 02 C0 F1")),
        Err(FrameError::Exception(2))
    );
    assert_eq!(crc16(b"123456789"), 0x4B37, "the CRC-16/MODBUS check value");
}

#[test]
fn keypad_frames_match_the_bitwise_crc() {
    let poll = Request::ReadHolding {
        address: 5,
        start: 0,
        count: 3,
    };
    assert_eq!(poll.encode(), with_bitwise_crc("05 03 00 00 00 03"));
    // The frames quoted in hardware/callers/modbus-keypad.md.
    let poll2 = Request::ReadHolding {
        address: 2,
        start: 0,
        count: 3,
    };
    assert_eq!(poll2.encode(), hex("02 03 00 00 00 03 05 F8"));
    let reply2 = hex("02 03 06 00 43 00 01 00 00 21 8A");
    assert_eq!(reply2, with_bitwise_crc("02 03 06 00 43 00 01 00 00"));
    assert_eq!(encode_read_reply(2, &[0x43, 1, 0]), reply2);
    assert_eq!(
        decode_response(&poll2, &reply2),
        Ok(Response::Registers(vec![67, 1, 0]))
    );
    let ack67 = Request::WriteSingle {
        address: 1,
        register: 3,
        value: 67,
    };
    assert_eq!(ack67.encode(), hex("01 06 00 03 00 43 38 3B"));
    let ack = Request::WriteSingle {
        address: 5,
        register: 3,
        value: 1,
    };
    assert_eq!(ack.encode(), hex("05 06 00 03 00 01 B9 8E"));
    assert_eq!(encode_write_reply(&ack), ack.encode(), "function 6 echoes");
    let lcd = Request::WriteMultiple {
        address: 5,
        start: 0x10,
        values: lcd_registers("A023 等5人").to_vec(),
    };
    // "A023 等5人" in GB2312 is 41 30 32 33 20 B5 C8 35 C8 CB, then 6 spaces.
    assert_eq!(
        lcd.encode(),
        hex("05 10 00 10 00 08 10 41 30 32 33 20 B5 C8 35 C8 CB 20 20 20 20 20 20 94 A1")
    );
    assert_eq!(encode_write_reply(&lcd), hex("05 10 00 10 00 08 C1 8E"));
    assert_eq!(
        decode_response(&lcd, &hex("05 10 00 10 00 08 C1 8E")),
        Ok(Response::WroteMultiple {
            start: 0x10,
            count: 8
        })
    );
    for address in [1u8, 17, 100, 247] {
        for count in [1u16, 3, 8] {
            let r = Request::ReadHolding {
                address,
                start: 0x10,
                count,
            };
            let bytes = r.encode();
            assert_eq!(bitwise_crc(&bytes[..6]).to_le_bytes(), [bytes[6], bytes[7]]);
            assert_eq!(
                parse_request(&bytes),
                Some((Incoming::Request(r), bytes.len()))
            );
        }
    }
}

#[test]
fn bad_replies_are_typed() {
    let poll = Request::ReadHolding {
        address: 5,
        start: 0,
        count: 2,
    };
    let mut corrupt = hex("05 03 04 00 01 00 05 2E 30");
    corrupt[8] ^= 0xFF;
    assert!(matches!(
        decode_response(&poll, &corrupt),
        Err(FrameError::CrcMismatch { .. })
    ));
    assert_eq!(
        decode_response(&poll, &encode_read_reply(6, &[1, 5])),
        Err(FrameError::WrongAddress {
            expected: 5,
            found: 6
        })
    );
    assert_eq!(
        decode_response(&poll, &encode_read_reply(5, &[1, 5, 7])),
        Err(FrameError::ByteCount {
            expected: 4,
            found: 6
        })
    );
    assert_eq!(
        decode_response(&poll, &hex("05 03 04")),
        Err(FrameError::Truncated)
    );
    let ack = Request::WriteSingle {
        address: 5,
        register: 3,
        value: 1,
    };
    let other_echo = Request::WriteSingle {
        address: 5,
        register: 3,
        value: 2,
    }
    .encode();
    assert_eq!(
        decode_response(&ack, &other_echo),
        Err(FrameError::EchoMismatch)
    );
    assert_eq!(
        decode_response(&ack, &hex("05 03 04 00 01 00 05 2E 30")),
        Err(FrameError::WrongFunction {
            expected: 6,
            found: 3
        })
    );
}

#[test]
fn the_stream_reader_finds_frames_in_order() {
    let poll = Request::ReadHolding {
        address: 5,
        start: 0,
        count: 2,
    };
    let stale = encode_read_reply(7, &[9, 1]);
    let answer = hex("05 03 04 00 01 00 05 2E 30");
    let mut stream = stale.clone();
    stream.extend_from_slice(&answer);
    assert_eq!(find_response(&poll, &stream[..3]), None);
    assert_eq!(find_response(&poll, &stream[..stale.len() - 1]), None);
    let (first, used) =
        find_response(&poll, &stream).unwrap_or_else(|| panic!("a frame is complete"));
    assert_eq!(used, stale.len());
    assert!(matches!(
        first,
        Err(FrameError::WrongAddress { found: 7, .. })
    ));
    assert_eq!(
        find_response(&poll, &stream[used..]),
        Some((Ok(Response::Registers(vec![1, 5])), answer.len()))
    );
    // A byte that cannot start a reply is skipped alone.
    assert_eq!(
        find_response(&poll, &[0x05, 0x42, 0x00]),
        Some((Err(FrameError::Garbage(0x42)), 1))
    );
}

#[test]
fn lcd_text_is_gb2312_space_padded() {
    let regs = lcd_registers("请A023号到3号窗口");
    // 请 C7EB, A023, 号 BAC5, 到 B5BD, 3, 号, 窗 B4B0 = 15 bytes; 口 would need 17.
    let bytes: Vec<u8> = regs.iter().flat_map(|r| r.to_be_bytes()).collect();
    assert_eq!(
        bytes,
        hex("C7 EB 41 30 32 33 BA C5 B5 BD 33 BA C5 B4 B0 20")
    );
    assert_eq!(lcd_text(&regs), "请A023号到3号窗");
    assert_eq!(lcd_registers(""), [0x2020; 8]);
    // 𠀀 (outside the BMP) and ¥ are not GB2312; 「」 are.
    assert_eq!(lcd_text(&lcd_registers("𠀀¥「无人」")), "??「无人」");
}

#[test]
fn the_keypad_profile_matches_the_code() {
    use hallq::config::bus::BusConfig;
    use hallq::devices::bus::{KeyCode, OFFLINE_AFTER, REG_ACK, REG_LCD, REG_SEQUENCE};
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/hardware/callers/modbus-keypad.toml"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let profile: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let int = |table: &str, key: &str| {
        profile[table][key]
            .as_integer()
            .unwrap_or_else(|| panic!("{table}.{key}"))
    };
    let defaults = BusConfig::new("b", "/dev/null");
    assert_eq!(int("serial", "baud"), i64::from(defaults.baud));
    assert_eq!(int("serial", "timeout_ms"), defaults.timeout_ms as i64);
    assert_eq!(int("serial", "poll_ms"), defaults.poll_ms as i64);
    assert_eq!(int("serial", "reprobe_ms"), defaults.reprobe_ms as i64);
    assert_eq!(int("serial", "offline_after"), i64::from(OFFLINE_AFTER));
    assert_eq!(int("registers", "sequence"), i64::from(REG_SEQUENCE));
    assert_eq!(int("registers", "ack"), i64::from(REG_ACK));
    assert_eq!(int("registers", "lcd_first"), i64::from(REG_LCD));
    assert_eq!(int("registers", "lcd_count"), 8);
    let keys = profile["keys"]
        .as_table()
        .unwrap_or_else(|| panic!("[keys]"));
    assert_eq!(keys.len(), KeyCode::ALL.len());
    for key in KeyCode::ALL {
        let name = serde_json::to_value(key).unwrap_or_else(|e| panic!("{e}"));
        let name = name.as_str().unwrap_or_else(|| panic!("{key:?}"));
        assert_eq!(
            keys[name].as_integer(),
            Some(i64::from(key.code())),
            "{name}"
        );
    }
}
