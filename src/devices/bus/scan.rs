//! `hallq bus scan`: which Modbus addresses answer on a bus (after swapping a device).
//!
//! Each address gets one read of register `0x0000`. Any well-formed reply, normal or
//! exception, means a device is there. A reply with a bad CRC, or garbled bytes, usually
//! means two devices share the address and talk over each other; a reply from another
//! address means a device answers to the wrong address. Answering addresses are named by
//! the hall's address plan ([`DeviceRole::of`]): 1–100 caller keypads, 101–247 evaluators.

use std::time::Duration;

use serde::Serialize;
use serialport::SerialPort;

use super::evaluator::EVALUATOR_BASE;
use super::link::{Master, TransactError};
use crate::protocol::modbus::{FrameError, MAX_ADDRESS, Request};

/// What a Modbus address is by the hall's address plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    /// Address N (1–100): the caller keypad of window N.
    Keypad { window: u16 },
    /// Address 100 + N (101–247): the 5-key evaluator of window N.
    Evaluator { window: u16 },
}

impl DeviceRole {
    pub fn of(address: u8) -> DeviceRole {
        if address > EVALUATOR_BASE {
            DeviceRole::Evaluator {
                window: u16::from(address - EVALUATOR_BASE),
            }
        } else {
            DeviceRole::Keypad {
                window: u16::from(address),
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOptions {
    pub baud: u32,
    pub from: u8,
    pub to: u8,
    pub timeout: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            baud: 9600,
            from: 1,
            to: MAX_ADDRESS,
            timeout: Duration::from_millis(100),
        }
    }
}

/// What a scan found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    /// Addresses that answered correctly (a normal or an exception reply).
    pub answered: Vec<u8>,
    /// Addresses whose reply had a bad CRC or was garbled: probably an address clash.
    pub crc_errors: Vec<u8>,
    /// (asked, answered as): a device replied with another address.
    pub wrong_address: Vec<(u8, u8)>,
}

/// Probes `from..=to` one by one on `port`. `Err` only when the port itself fails.
pub fn scan(port: Box<dyn SerialPort>, options: &ScanOptions) -> std::io::Result<ScanReport> {
    let mut master = Master::new(port, options.baud, options.timeout);
    let mut report = ScanReport::default();
    let from = options.from.max(1);
    let to = options.to.min(MAX_ADDRESS);
    for address in from..=to {
        let request = Request::ReadHolding {
            address,
            start: 0,
            count: 1,
        };
        match master.transact(&request) {
            Ok(_) | Err(TransactError::Frame(FrameError::Exception(_))) => {
                report.answered.push(address);
            }
            Err(TransactError::Timeout(_)) => {}
            Err(TransactError::Frame(FrameError::WrongAddress { found, .. })) => {
                report.wrong_address.push((address, found));
            }
            Err(TransactError::Frame(_)) => report.crc_errors.push(address),
            Err(TransactError::Io(e)) => return Err(e),
        }
    }
    Ok(report)
}

impl ScanReport {
    /// The technician's summary (Chinese first, English in brackets).
    pub fn describe(&self) -> String {
        let list = |v: &[u8]| {
            if v.is_empty() {
                "无 (none)".to_owned()
            } else {
                v.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
            }
        };
        let mut out = format!("应答的地址 (answering): {}\n", list(&self.answered));
        let (mut keypads, mut evaluators) = (Vec::new(), Vec::new());
        for &address in &self.answered {
            match DeviceRole::of(address) {
                DeviceRole::Keypad { window } => {
                    keypads.push(format!("{address} → {window}号窗口"))
                }
                DeviceRole::Evaluator { window } => {
                    evaluators.push(format!("{address} → {window}号窗口"))
                }
            }
        }
        if !keypads.is_empty() {
            out.push_str(&format!(
                "  呼叫器 (caller keypads): {}\n",
                keypads.join(", ")
            ));
        }
        if !evaluators.is_empty() {
            out.push_str(&format!(
                "  评价器 (evaluators): {}\n",
                evaluators.join(", ")
            ));
        }
        if !self.crc_errors.is_empty() {
            out.push_str(&format!(
                "校验错误的地址，可能地址冲突 (CRC errors, probable address clash): {}\n",
                list(&self.crc_errors)
            ));
        }
        for (asked, found) in &self.wrong_address {
            out.push_str(&format!(
                "地址 {asked} 由地址 {found} 应答，请检查设备地址设置 (address {asked} answered as {found})\n"
            ));
        }
        out
    }
}
