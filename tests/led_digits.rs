//! Numeric displays (数码管, hallq's Modbus register layout) through the LED bus thread:
//! real Modbus RTU frames on a PTY pair against a small slave that keeps the registers.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hallq::config::displays::{DisplayTemplates, DisplaysConfig, ScreenConfig, ScreenProtocol};
use hallq::devices::led::{LedHandle, LedTiming, WindowShow};
use hallq::protocol::modbus::{self, Incoming, Request};
use serialport::{SerialPort, TTYPort};

/// Register writes received per slave address, in order.
type Writes = Arc<Mutex<Vec<(u8, Vec<u16>)>>>;

fn slave(
    mut master: TTYPort,
    address: u8,
    writes: Writes,
    exception: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) {
    master.set_timeout(Duration::from_millis(2)).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 256];
    while !stop.load(Ordering::Relaxed) {
        if let Ok(n) = master.read(&mut chunk) {
            buf.extend_from_slice(&chunk[..n]);
        }
        while let Some((incoming, used)) = modbus::parse_request(&buf) {
            buf.drain(..used);
            if let Incoming::Request(req @ Request::WriteMultiple { .. }) = incoming {
                if req.address() != address {
                    continue;
                }
                if exception.load(Ordering::Relaxed) {
                    let _ = master.write_all(&modbus::encode_exception(address, 0x10, 0x04));
                    continue;
                }
                if let Request::WriteMultiple { values, .. } = &req {
                    writes.lock().unwrap().push((address, values.clone()));
                }
                let _ = master.write_all(&modbus::encode_write_reply(&req));
            }
        }
    }
}

fn wait(writes: &Writes, n: usize) -> Vec<(u8, Vec<u16>)> {
    let deadline = Instant::now() + Duration::from_secs(3);
    while writes.lock().unwrap().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    writes.lock().unwrap().clone()
}

#[test]
fn number_flashes_then_steady_then_blank() {
    let (master, slave_port) = TTYPort::pair().unwrap();
    let writes: Writes = Arc::default();
    let exception = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let sim = {
        let (w, e, s) = (
            Arc::clone(&writes),
            Arc::clone(&exception),
            Arc::clone(&stop),
        );
        std::thread::spawn(move || slave(master, 2, w, e, s))
    };
    let port = PathBuf::from("/dev/hallq/digits-test");
    let config = DisplaysConfig {
        templates: DisplayTemplates::default(),
        flash_seconds: 1,
        screens: vec![ScreenConfig {
            window: 5,
            protocol: ScreenProtocol::Digits,
            port: port.clone(),
            baud: 9600,
            address: 2,
            profile: None,
        }],
    };
    let led = LedHandle::spawn_on(
        &config,
        HashMap::new(),
        vec![(port, Box::new(slave_port) as Box<dyn SerialPort>)],
        LedTiming::default(),
    )
    .unwrap();
    led.show(
        5,
        WindowShow::Call {
            number: "A023".into(),
        },
    );
    let w = wait(&writes, 2);
    assert_eq!(w[0], (2, vec![0x41, 0x30, 0x32, 0x33, 5, 1]), "flash 1 s");
    assert_eq!(w[1], (2, vec![0x41, 0x30, 0x32, 0x33, 5, 0]), "then steady");
    led.show(5, WindowShow::Paused);
    let w = wait(&writes, 3);
    assert_eq!(w[2], (2, vec![0x20, 0x20, 0x20, 0x20, 5, 0]), "blank");
    // The slave records a write before it replies: wait for the worker to see the ACK.
    let deadline = Instant::now() + Duration::from_secs(1);
    while led.health()[0].frames_sent < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let h = &led.health()[0];
    assert_eq!((h.frames_sent, h.online, h.nacks), (3, true, 0));

    // An exception reply is a NACK: retried twice, then counted.
    exception.store(true, Ordering::Relaxed);
    led.show(5, WindowShow::Idle);
    let deadline = Instant::now() + Duration::from_secs(2);
    while led.health()[0].nacks < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let h = &led.health()[0];
    assert_eq!(h.nacks, 3);
    assert!(h.last_error.as_deref().unwrap().contains("error code 4"));
    stop.store(true, Ordering::Relaxed);
    sim.join().unwrap();
}
