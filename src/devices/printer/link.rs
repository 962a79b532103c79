//! Transports: move bytes with timeouts, nothing more. Each is owned by the worker thread.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, FlowControl, SerialPort, TTYPort};

use crate::config::{FlowControlName, PrinterBackend, PrinterConfig};

/// A byte pipe to the printer.
pub(crate) trait Link: Send {
    /// Writes every byte or fails within the link's write timeout.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// One byte, or `None` when nothing arrived within `timeout`.
    fn read_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>>;
    /// Discards pending input (stale status bytes).
    fn drain_input(&mut self) -> io::Result<()>;
    /// Whether status replies can be read at all.
    fn reads_status(&self) -> bool;
}

/// Opens (and reopens, after an error) the configured link.
#[derive(Clone, Debug)]
pub(crate) enum Connector {
    Serial {
        path: PathBuf,
        baud: u32,
        flow: FlowControl,
        write_timeout: Duration,
    },
    Usblp {
        path: PathBuf,
        write_timeout: Duration,
        status: bool,
    },
    Tcp {
        host: String,
        port: u16,
        timeout: Duration,
        write_timeout: Duration,
    },
    File {
        path: PathBuf,
    },
}

impl Connector {
    /// `sim_path`: the simulator's PTY for the `sim` backend.
    pub(crate) fn from_config(
        c: &PrinterConfig,
        status: bool,
        write_timeout: Duration,
        sim_path: Option<PathBuf>,
    ) -> Option<Connector> {
        let flow = match c.flow_control {
            FlowControlName::None => FlowControl::None,
            FlowControlName::Hardware => FlowControl::Hardware,
            FlowControlName::Software => FlowControl::Software,
        };
        Some(match c.backend {
            PrinterBackend::Serial => Connector::Serial {
                path: c.path.clone()?,
                baud: c.baud,
                flow,
                write_timeout,
            },
            PrinterBackend::Sim => Connector::Serial {
                path: sim_path?,
                baud: c.baud,
                flow: FlowControl::None,
                write_timeout,
            },
            PrinterBackend::Usblp => Connector::Usblp {
                path: c.path.clone()?,
                write_timeout,
                status,
            },
            PrinterBackend::Tcp => Connector::Tcp {
                host: c.host.clone()?,
                port: c.port,
                timeout: Duration::from_millis(c.status_timeout_ms.max(1000)),
                write_timeout,
            },
            PrinterBackend::File => Connector::File {
                path: c.path.clone()?,
            },
        })
    }

    pub(crate) fn open(&self) -> io::Result<Box<dyn Link>> {
        match self {
            Connector::Serial {
                path,
                baud,
                flow,
                write_timeout,
            } => {
                let port = serialport::new(path.to_string_lossy(), *baud)
                    .flow_control(*flow)
                    .timeout(*write_timeout)
                    .open_native()
                    .map_err(io::Error::from)?;
                Ok(Box::new(SerialLink {
                    port,
                    write_timeout: *write_timeout,
                }))
            }
            Connector::Usblp {
                path,
                write_timeout,
                status,
            } => Ok(Box::new(UsblpLink::open(path, *write_timeout, *status)?)),
            Connector::Tcp {
                host,
                port,
                timeout,
                write_timeout,
            } => {
                let addr = (host.as_str(), *port)
                    .to_socket_addrs()?
                    .next()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"))?;
                let stream = TcpStream::connect_timeout(&addr, *timeout)?;
                stream.set_nodelay(true)?;
                stream.set_write_timeout(Some(*write_timeout))?;
                Ok(Box::new(TcpLink { stream }))
            }
            Connector::File { path } => {
                let file = OpenOptions::new().create(true).append(true).open(path)?;
                Ok(Box::new(FileLink { file }))
            }
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

struct SerialLink {
    port: TTYPort,
    write_timeout: Duration,
}

impl Link for SerialLink {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.set_timeout(self.write_timeout)?;
        Write::write_all(&mut self.port, bytes)?;
        Write::flush(&mut self.port)
    }

    fn read_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        self.port.set_timeout(timeout)?;
        let mut b = [0u8; 1];
        match self.port.read(&mut b) {
            Ok(1) => Ok(Some(b[0])),
            Ok(_) => Ok(None),
            Err(e) if is_timeout(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn drain_input(&mut self) -> io::Result<()> {
        self.port.clear(ClearBuffer::Input).map_err(io::Error::from)
    }

    fn reads_status(&self) -> bool {
        true
    }
}

struct TcpLink {
    stream: TcpStream,
}

impl Link for TcpLink {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    fn read_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        let mut b = [0u8; 1];
        match self.stream.read(&mut b) {
            Ok(1) => Ok(Some(b[0])),
            Ok(_) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the printer closed the connection",
            )),
            Err(e) if is_timeout(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn drain_input(&mut self) -> io::Result<()> {
        self.stream.set_nonblocking(true)?;
        let mut buf = [0u8; 256];
        let result = loop {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    break Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the printer closed the connection",
                    ));
                }
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.stream.set_nonblocking(false)?;
        result
    }

    fn reads_status(&self) -> bool {
        true
    }
}

struct FileLink {
    file: File,
}

impl Link for FileLink {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.file.flush()
    }

    fn read_byte(&mut self, _timeout: Duration) -> io::Result<Option<u8>> {
        Ok(None)
    }

    fn drain_input(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn reads_status(&self) -> bool {
        false
    }
}

/// `/dev/usb/lpN`, opened non-blocking so that neither a write to a printer that stopped
/// reading (out of paper) nor a read from one that never answers can hang the worker.
struct UsblpLink {
    file: File,
    write_timeout: Duration,
    status: bool,
}

impl UsblpLink {
    fn open(path: &Path, write_timeout: Duration, status: bool) -> io::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        Ok(UsblpLink {
            file,
            write_timeout,
            status,
        })
    }
}

const POLL_STEP: Duration = Duration::from_millis(5);

impl Link for UsblpLink {
    fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let deadline = Instant::now() + self.write_timeout;
        while !bytes.is_empty() {
            match self.file.write(bytes) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "write returned 0")),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if is_timeout(&e) => {
                    if Instant::now() >= deadline {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the printer stopped accepting data",
                        ));
                    }
                    thread::sleep(POLL_STEP);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn read_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        let deadline = Instant::now() + timeout;
        let mut b = [0u8; 1];
        loop {
            match self.file.read(&mut b) {
                Ok(1) => return Ok(Some(b[0])),
                Ok(_) => {}
                Err(e) if is_timeout(&e) => {}
                Err(e) => return Err(e),
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            thread::sleep(POLL_STEP);
        }
    }

    fn drain_input(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 256];
        for _ in 0..64 {
            match self.file.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if is_timeout(&e) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn reads_status(&self) -> bool {
        self.status
    }
}
