//! Plumbing of the device simulators (printer, RS-485 bus, LED screens, TTS module): a PTY
//! pair whose slave the adapter under test opens like a real serial port, and the
//! simulator's thread on the master side, stopped and joined when the simulator drops.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serialport::{SerialPort, TTYPort};

/// Both ends of a fresh PTY.
pub struct PtyPair {
    /// The simulator's end; reads time out after the `read_timeout` given.
    pub master: TTYPort,
    /// The adapter's end, kept open so the master never sees EIO before the adapter opens it.
    pub slave: TTYPort,
    /// The slave's path (`/dev/pts/N`).
    pub path: String,
}

/// Opens a PTY pair; the master's reads time out after `read_timeout` (the simulator's
/// polling granularity).
pub fn open_pair(read_timeout: Duration) -> io::Result<PtyPair> {
    let (mut master, slave) = TTYPort::pair().map_err(io::Error::from)?;
    let path = slave
        .name()
        .ok_or_else(|| io::Error::other("the PTY slave has no path"))?;
    master.set_timeout(read_timeout).map_err(io::Error::from)?;
    Ok(PtyPair {
        master,
        slave,
        path,
    })
}

/// A simulator's thread: runs `body` with a stop flag; dropping this stops and joins it.
#[derive(Debug)]
pub struct SimThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SimThread {
    pub fn spawn(
        name: &str,
        body: impl FnOnce(&AtomicBool) + Send + 'static,
    ) -> io::Result<SimThread> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name(name.into())
            .spawn(move || body(&flag))?;
        Ok(SimThread {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for SimThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    #[test]
    fn bytes_cross_the_pair_and_the_thread_stops_on_drop() {
        let pair = open_pair(Duration::from_millis(5)).unwrap();
        assert!(pair.path.starts_with("/dev/pts/"), "{}", pair.path);
        let (mut master, mut slave) = (pair.master, pair.slave);
        let echoed = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = Arc::clone(&echoed);
        let sim = SimThread::spawn("pty-test", move |stop| {
            let mut buf = [0u8; 16];
            while !stop.load(Ordering::SeqCst) {
                if let Ok(n) = master.read(&mut buf) {
                    seen.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            }
        })
        .unwrap();
        slave.write_all(b"\x1b@").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while echoed.lock().unwrap().len() < 2 && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(*echoed.lock().unwrap(), b"\x1b@");
        drop(sim); // joins: would hang here if the flag were not seen
    }
}
