//! Real-time status (`DLE EOT n`, `10 04 n`): requests and the decoding of their one-byte
//! replies. Every reply has the fixed bit pattern `0xx1xx10`, which tells it apart from
//! anything else a printer sends (hardware notes §2.3).

use crate::devices::printer::PrinterStatus;

/// The four `DLE EOT` requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusRequest {
    /// n = 1: printer status (offline bit).
    Printer = 1,
    /// n = 2: why offline (cover, paper-end stop, error).
    OfflineCause = 2,
    /// n = 3: which error (auto-cutter, unrecoverable, …).
    ErrorCause = 3,
    /// n = 4: roll paper sensors (near end, end).
    RollPaper = 4,
}

impl StatusRequest {
    pub const ALL: [StatusRequest; 4] = [
        StatusRequest::Printer,
        StatusRequest::OfflineCause,
        StatusRequest::ErrorCause,
        StatusRequest::RollPaper,
    ];

    /// The request bytes, `10 04 n`.
    pub fn bytes(self) -> [u8; 3] {
        [0x10, 0x04, self as u8]
    }

    pub fn from_n(n: u8) -> Option<StatusRequest> {
        Self::ALL.into_iter().find(|r| *r as u8 == n)
    }
}

/// A reply byte that does not have the `0xx1xx10` pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("status reply 0x{0:02X} does not match the DLE EOT pattern 0xx1xx10")]
pub struct BadStatusByte(pub u8);

/// Whether `b` can be a `DLE EOT` reply.
pub fn is_status_byte(b: u8) -> bool {
    b & 0x81 == 0 && b & 0x12 == 0x12
}

/// One decoded reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusReply {
    Printer {
        drawer_high: bool,
        offline: bool,
        waiting_recovery: bool,
        feed_button: bool,
    },
    OfflineCause {
        cover_open: bool,
        feeding: bool,
        paper_end_stop: bool,
        error: bool,
    },
    ErrorCause {
        recoverable: bool,
        cutter: bool,
        unrecoverable: bool,
        auto_recoverable: bool,
    },
    RollPaper {
        near_end: bool,
        end: bool,
    },
}

/// Decodes the reply to `request` at the start of `input`: `Ok(None)` when no byte has
/// arrived yet, `Ok(Some((reply, 1)))` with the bytes consumed, `Err` for a byte without
/// the reply pattern (garbage or a stale byte of something else).
pub fn decode(
    request: StatusRequest,
    input: &[u8],
) -> Result<Option<(StatusReply, usize)>, BadStatusByte> {
    let Some(&b) = input.first() else {
        return Ok(None);
    };
    if !is_status_byte(b) {
        return Err(BadStatusByte(b));
    }
    let bit = |n: u8| b & (1 << n) != 0;
    let reply = match request {
        StatusRequest::Printer => StatusReply::Printer {
            drawer_high: bit(2),
            offline: bit(3),
            waiting_recovery: bit(5),
            feed_button: bit(6),
        },
        StatusRequest::OfflineCause => StatusReply::OfflineCause {
            cover_open: bit(2),
            feeding: bit(3),
            paper_end_stop: bit(5),
            error: bit(6),
        },
        StatusRequest::ErrorCause => StatusReply::ErrorCause {
            recoverable: bit(2),
            cutter: bit(3),
            unrecoverable: bit(5),
            auto_recoverable: bit(6),
        },
        StatusRequest::RollPaper => StatusReply::RollPaper {
            near_end: b & 0x0C == 0x0C,
            end: b & 0x60 == 0x60,
        },
    };
    Ok(Some((reply, 1)))
}

/// The replies gathered in one health check (`None`: that request was not answered).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusReport {
    pub printer: Option<StatusReply>,
    pub offline_cause: Option<StatusReply>,
    pub error_cause: Option<StatusReply>,
    pub roll_paper: Option<StatusReply>,
}

impl StatusReport {
    pub fn set(&mut self, reply: StatusReply) {
        match reply {
            StatusReply::Printer { .. } => self.printer = Some(reply),
            StatusReply::OfflineCause { .. } => self.offline_cause = Some(reply),
            StatusReply::ErrorCause { .. } => self.error_cause = Some(reply),
            StatusReply::RollPaper { .. } => self.roll_paper = Some(reply),
        }
    }

    /// One status for the kiosk, worst first: no reply → offline; cover open; paper end
    /// (from n=2 or n=4); cutter error; other error or offline bit → offline; near end;
    /// ready.
    pub fn classify(&self) -> PrinterStatus {
        let Some(StatusReply::Printer { offline, .. }) = self.printer else {
            return PrinterStatus::Offline;
        };
        let (cover, paper_stop, error) = match self.offline_cause {
            Some(StatusReply::OfflineCause {
                cover_open,
                paper_end_stop,
                error,
                ..
            }) => (cover_open, paper_end_stop, error),
            _ => (false, false, false),
        };
        let (near_end, end) = match self.roll_paper {
            Some(StatusReply::RollPaper { near_end, end }) => (near_end, end),
            _ => (false, false),
        };
        let (cutter, fatal) = match self.error_cause {
            Some(StatusReply::ErrorCause {
                cutter,
                unrecoverable,
                ..
            }) => (cutter, unrecoverable),
            _ => (false, false),
        };
        if cover {
            PrinterStatus::CoverOpen
        } else if paper_stop || end {
            PrinterStatus::PaperOut
        } else if cutter {
            PrinterStatus::CutterError
        } else if offline || error || fatal {
            PrinterStatus::Offline
        } else if near_end {
            PrinterStatus::NearEnd
        } else {
            PrinterStatus::Ready
        }
    }
}

/// The byte a printer in this state answers to `request` (used by the simulator).
pub fn reply_byte(request: StatusRequest, state: &SimpleState) -> u8 {
    let b = |on: bool, bit: u8| if on { 1u8 << bit } else { 0 };
    let offline = state.cover_open || state.paper_end || state.cutter_error;
    0x12 | match request {
        StatusRequest::Printer => b(offline, 3),
        StatusRequest::OfflineCause => {
            b(state.cover_open, 2) | b(state.paper_end, 5) | b(state.cutter_error, 6)
        }
        StatusRequest::ErrorCause => b(state.cutter_error, 3),
        StatusRequest::RollPaper => {
            (if state.near_end || state.paper_end {
                0x0C
            } else {
                0
            }) | (if state.paper_end { 0x60 } else { 0 })
        }
    }
}

/// The mechanical state a status reply describes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimpleState {
    pub cover_open: bool,
    pub near_end: bool,
    pub paper_end: bool,
    pub cutter_error: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(state: SimpleState) -> StatusReport {
        let mut r = StatusReport::default();
        for req in StatusRequest::ALL {
            let byte = reply_byte(req, &state);
            let (reply, used) = decode(req, &[byte]).unwrap().unwrap();
            assert_eq!(used, 1);
            r.set(reply);
        }
        r
    }

    #[test]
    fn requests_are_dle_eot_n() {
        assert_eq!(StatusRequest::Printer.bytes(), [0x10, 0x04, 0x01]);
        assert_eq!(StatusRequest::RollPaper.bytes(), [0x10, 0x04, 0x04]);
        assert_eq!(StatusRequest::from_n(3), Some(StatusRequest::ErrorCause));
        assert_eq!(StatusRequest::from_n(5), None);
    }

    #[test]
    fn typical_values_from_the_manuals() {
        let printer = |b| decode(StatusRequest::Printer, &[b]).unwrap().unwrap().0;
        let paper = |b| decode(StatusRequest::RollPaper, &[b]).unwrap().unwrap().0;
        assert!(matches!(
            printer(0x12),
            StatusReply::Printer { offline: false, .. }
        ));
        assert!(matches!(
            printer(0x1A),
            StatusReply::Printer { offline: true, .. }
        ));
        assert!(matches!(
            printer(0x16),
            StatusReply::Printer {
                drawer_high: true,
                offline: false,
                ..
            }
        ));
        assert_eq!(
            paper(0x1E),
            StatusReply::RollPaper {
                near_end: true,
                end: false
            }
        );
        assert_eq!(
            paper(0x72),
            StatusReply::RollPaper {
                near_end: false,
                end: true
            }
        );
        assert_eq!(
            paper(0x7E),
            StatusReply::RollPaper {
                near_end: true,
                end: true
            }
        );
        let cause = decode(StatusRequest::OfflineCause, &[0x16])
            .unwrap()
            .unwrap()
            .0;
        assert!(matches!(
            cause,
            StatusReply::OfflineCause {
                cover_open: true,
                ..
            }
        ));
    }

    #[test]
    fn incomplete_and_garbage() {
        assert_eq!(decode(StatusRequest::Printer, &[]), Ok(None));
        assert_eq!(
            decode(StatusRequest::Printer, &[0xFF]),
            Err(BadStatusByte(0xFF))
        );
        assert_eq!(
            decode(StatusRequest::Printer, &[0x00]),
            Err(BadStatusByte(0x00))
        );
        // An ASB first byte (0xx1xx00) is not a DLE EOT reply.
        assert!(!is_status_byte(0x10));
        assert!(is_status_byte(0x12));
    }

    #[test]
    fn classification() {
        use PrinterStatus::*;
        let s = |f: fn(&mut SimpleState)| {
            let mut st = SimpleState::default();
            f(&mut st);
            report(st).classify()
        };
        assert_eq!(s(|_| {}), Ready);
        assert_eq!(s(|x| x.near_end = true), NearEnd);
        assert_eq!(s(|x| x.paper_end = true), PaperOut);
        assert_eq!(s(|x| x.cover_open = true), CoverOpen);
        assert_eq!(s(|x| x.cutter_error = true), CutterError);
        assert_eq!(StatusReport::default().classify(), Offline);
        // Offline bit without a known cause.
        let mut r = report(SimpleState::default());
        r.printer = Some(StatusReply::Printer {
            drawer_high: false,
            offline: true,
            waiting_recovery: false,
            feed_button: false,
        });
        assert_eq!(r.classify(), Offline);
    }
}
