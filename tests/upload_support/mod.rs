//! A mock provincial 好差评 platform speaking `generic-json` (axum on 127.0.0.1), with
//! faults switchable while it runs, plus helpers that drive a real hall so its store
//! fills the outbox.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hallq::config::{HallConfig, UploadConfig};
use hallq::core::{
    Change, Command, Event, IssueRequest, RatingChannel, RatingLevel, RatingReason, Reply,
    ServiceId, WindowNo,
};
use hallq::hall::{self, Clock, Hall};
use hallq::store::records::{RatingRecord, UploadRecord};
use hallq::store::{Store, StoredEvent};
use hallq::upload::Timing;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

pub const TOKEN: &str = "platform-token-1";
pub const HALL_CODE: &str = "440300-ZWFW-01";
pub const CONFIG: &str = include_str!("../fixtures/hall-24h.toml");

/// What the platform does with the next requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Stores (per the dedupe setting) and accepts every key.
    None,
    /// Drops every connection, new or kept alive, without an answer; stores nothing.
    Close,
    /// Stores everything at once, then answers only after this long (beyond the client's
    /// timeout).
    Delay(Duration),
    /// 500 without storing.
    Error500,
    /// 200 `{"accepted":[]}` without storing.
    EmptyAccepted,
    /// 200 `{}` without storing.
    MissingAccepted,
    /// Stores and accepts only the first n records of each request.
    AcceptFirst(usize),
}

#[derive(Debug)]
struct PlatformState {
    fault: Fault,
    /// true: a key already stored is not stored again (a correct platform); false: every
    /// copy is stored (a platform without de-duplication).
    dedupe: bool,
    /// Copies of each key in the platform's database.
    stored: BTreeMap<String, u32>,
    /// The last stored body of each key.
    records: BTreeMap<String, Value>,
    /// Every copy of each key that reached the handler.
    received: BTreeMap<String, u32>,
    requests: u32,
    hall_codes: Vec<String>,
    unauthorized: u32,
}

#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<PlatformState>>,
    close: Arc<AtomicBool>,
    /// Connections cut off by [`Fault::Close`].
    cut: Arc<AtomicU32>,
    /// Failed TLS handshakes (HTTPS platform only).
    tls_failures: Arc<AtomicU32>,
}

fn spawn_server<L>(
    listener: L,
    app: Router,
    stopped: impl std::future::Future<Output = ()> + Send + 'static,
) -> tokio::task::JoinHandle<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
            .unwrap();
    })
}

/// The test platform's certificate and key (`tests/fixtures/tls/`).
fn tls_acceptor() -> TlsAcceptor {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    hallq::net::install_tls_provider();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let certs = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

/// Accepts TCP connections and completes the TLS handshake before axum sees them.
struct TlsListener {
    inner: TcpListener,
    acceptor: TlsAcceptor,
    failures: Arc<AtomicU32>,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, SocketAddr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else {
                continue;
            };
            match self.acceptor.accept(stream).await {
                Ok(tls) => return (tls, addr),
                Err(_) => {
                    self.failures.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

pub struct Platform {
    pub addr: SocketAddr,
    shared: Shared,
    server: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
    /// HTTPS with the certificate of `tests/fixtures/tls/` (see its README).
    tls: Option<TlsAcceptor>,
}

impl Platform {
    /// Starts with dedupe on and no fault.
    pub async fn start() -> Platform {
        let shared = Shared {
            state: Arc::new(Mutex::new(PlatformState {
                fault: Fault::None,
                dedupe: true,
                stored: BTreeMap::new(),
                records: BTreeMap::new(),
                received: BTreeMap::new(),
                requests: 0,
                hall_codes: Vec::new(),
                unauthorized: 0,
            })),
            close: Arc::new(AtomicBool::new(false)),
            cut: Arc::new(AtomicU32::new(0)),
            tls_failures: Arc::new(AtomicU32::new(0)),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut platform = Platform {
            addr,
            shared,
            server: None,
            tls: None,
        };
        platform.serve(listener);
        platform
    }

    /// [`Platform::start`] over HTTPS: its certificate (for 127.0.0.1 and localhost) chains
    /// to the test CA `tests/fixtures/tls/ca.pem`, which no system trusts.
    pub async fn start_tls() -> Platform {
        let mut platform = Platform::start().await;
        platform.stop().await;
        platform.tls = Some(tls_acceptor());
        platform.restart().await;
        platform
    }

    /// TLS handshakes the platform refused or that the client broke off.
    pub fn tls_failures(&self) -> u32 {
        self.shared.tls_failures.load(Ordering::SeqCst)
    }

    fn serve(&mut self, listener: TcpListener) {
        let app = Router::new()
            .route("/api/ratings", post(ingest))
            .with_state(self.shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let stopped = async move {
            let _ = rx.await;
        };
        let task = match self.tls.clone() {
            Some(acceptor) => spawn_server(
                TlsListener {
                    inner: listener,
                    acceptor,
                    failures: self.shared.tls_failures.clone(),
                },
                app,
                stopped,
            ),
            None => spawn_server(
                FaultyListener {
                    inner: listener,
                    close: self.shared.close.clone(),
                    cut: self.shared.cut.clone(),
                },
                app,
                stopped,
            ),
        };
        self.server = Some((tx, task));
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}/api/ratings", self.addr)
    }

    pub fn set_fault(&self, fault: Fault) {
        self.shared
            .close
            .store(fault == Fault::Close, Ordering::SeqCst);
        self.lock().fault = fault;
    }

    pub fn set_dedupe(&self, dedupe: bool) {
        self.lock().dedupe = dedupe;
    }

    /// Platform down: connections are refused until [`Platform::restart`]. Its database
    /// is kept.
    pub async fn stop(&mut self) {
        if let Some((tx, task)) = self.server.take() {
            let _ = tx.send(());
            // Connections still sleeping in a delayed answer are cut off.
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Back on the same port, with the same database.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }

    pub fn stored(&self) -> BTreeMap<String, u32> {
        self.lock().stored.clone()
    }

    pub fn received(&self) -> BTreeMap<String, u32> {
        self.lock().received.clone()
    }

    pub fn record(&self, key: &str) -> Option<Value> {
        self.lock().records.get(key).cloned()
    }

    pub fn requests(&self) -> u32 {
        self.lock().requests
    }

    /// Requests answered plus connections cut off: every time the uploader tried.
    pub fn hits(&self) -> u32 {
        self.requests() + self.shared.cut.load(Ordering::SeqCst)
    }

    pub fn hall_codes(&self) -> Vec<String> {
        self.lock().hall_codes.clone()
    }

    pub fn unauthorized(&self) -> u32 {
        self.lock().unauthorized
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PlatformState> {
        self.shared.state.lock().unwrap()
    }
}

async fn ingest(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return (StatusCode::BAD_REQUEST, "not json").into_response(),
    };
    let records: Vec<(String, Value)> = body["records"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| (r["key"].as_str().unwrap_or_default().to_string(), r.clone()))
                .collect()
        })
        .unwrap_or_default();
    let (fault, accepted) = {
        let mut st = shared.state.lock().unwrap();
        st.requests += 1;
        if auth.as_deref() != Some(&format!("Bearer {TOKEN}")) {
            st.unauthorized += 1;
            return (StatusCode::UNAUTHORIZED, "no token").into_response();
        }
        st.hall_codes
            .push(body["hall_code"].as_str().unwrap_or_default().to_string());
        let fault = st.fault.clone();
        let take = match &fault {
            Fault::None | Fault::Delay(_) => records.len(),
            Fault::AcceptFirst(n) => (*n).min(records.len()),
            Fault::Close | Fault::Error500 | Fault::EmptyAccepted | Fault::MissingAccepted => 0,
        };
        let mut accepted = Vec::new();
        for (key, record) in &records[..take] {
            *st.received.entry(key.clone()).or_insert(0) += 1;
            let dedupe = st.dedupe;
            let copies = st.stored.entry(key.clone()).or_insert(0);
            if !(dedupe && *copies > 0) {
                *copies += 1;
            }
            st.records.insert(key.clone(), record.clone());
            accepted.push(key.clone());
        }
        (fault, accepted)
    };
    match fault {
        Fault::Error500 | Fault::Close => {
            (StatusCode::INTERNAL_SERVER_ERROR, "platform failure").into_response()
        }
        Fault::EmptyAccepted => axum::Json(json!({"accepted": []})).into_response(),
        Fault::MissingAccepted => axum::Json(json!({})).into_response(),
        Fault::Delay(d) => {
            tokio::time::sleep(d).await;
            axum::Json(json!({ "accepted": accepted })).into_response()
        }
        Fault::None | Fault::AcceptFirst(_) => {
            axum::Json(json!({ "accepted": accepted })).into_response()
        }
    }
}

/// Accepts connections whose reads and writes fail while `close` is set (also those kept
/// alive from before it was set).
struct FaultyListener {
    inner: TcpListener,
    close: Arc<AtomicBool>,
    cut: Arc<AtomicU32>,
}

impl axum::serve::Listener for FaultyListener {
    type Io = FaultyIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (FaultyIo, SocketAddr) {
        loop {
            if let Ok((stream, addr)) = self.inner.accept().await {
                return (
                    FaultyIo {
                        inner: stream,
                        close: self.close.clone(),
                        cut: self.cut.clone(),
                        was_cut: false,
                    },
                    addr,
                );
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

struct FaultyIo {
    inner: TcpStream,
    close: Arc<AtomicBool>,
    cut: Arc<AtomicU32>,
    was_cut: bool,
}

impl FaultyIo {
    fn cutting(&mut self) -> bool {
        let cut = self.close.load(Ordering::SeqCst);
        if cut && !self.was_cut {
            self.was_cut = true;
            self.cut.fetch_add(1, Ordering::SeqCst);
        }
        cut
    }
}

fn reset() -> io::Error {
    io::Error::from(io::ErrorKind::ConnectionReset)
}

impl AsyncRead for FaultyIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.cutting() {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultyIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.cutting() {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------------------------------
// The hall side.

pub fn upload_config(url: &str, batch: usize) -> UploadConfig {
    UploadConfig {
        url: url.to_string(),
        format: "generic-json".into(),
        hall_code: HALL_CODE.into(),
        token: Some(TOKEN.into()),
        timeout_s: 1,
        batch,
        min_backoff_s: 1,
        max_backoff_s: 1,
        keep_delivered_days: 180,
        ca_file: None,
    }
}

/// Short timings so fault sequences take well under a second each.
pub fn fast() -> Timing {
    Timing {
        poll: Duration::from_millis(40),
        min_backoff: Duration::from_millis(30),
        max_backoff: Duration::from_millis(120),
        request_timeout: Duration::from_millis(400),
        keep_delivered: Duration::from_secs(180 * 86400),
        prune_every: Duration::from_secs(3600),
    }
}

/// A hall with a real store in `dir`.
pub struct HallRun {
    pub hall: Hall,
    thread: std::thread::JoinHandle<()>,
    pub db: PathBuf,
}

impl HallRun {
    pub fn start(dir: &Path) -> HallRun {
        let db = dir.join("hall.db");
        let config = HallConfig::parse(CONFIG).unwrap();
        // The hall's clock is now (the outbox ages are real), kept off 23:59-24:00 when
        // the test hall is closed.
        let now = jiff::Timestamp::now();
        let local = now.in_tz("Asia/Shanghai").unwrap();
        let start = if local.hour() == 23 && local.minute() >= 57 {
            now - jiff::SignedDuration::from_mins(5)
        } else {
            now
        };
        let (clock, _hand) = Clock::manual(start);
        let (hall, thread) =
            hall::start(Store::open(&db).unwrap(), config.rules(), clock, 180).unwrap();
        HallRun { hall, thread, db }
    }

    /// Stops the hall thread (its store closes).
    pub fn stop(self) {
        drop(self.hall);
        self.thread.join().unwrap();
    }

    /// Issue, call, finish and rate one visit at `window`.
    pub async fn visit_and_rate(&self, window: u16, level: u8) {
        let hall = &self.hall;
        let w = WindowNo(window);
        let request = IssueRequest {
            service: ServiceId::new("A"),
            staff_priority: false,
            id: None,
            appointment_code: None,
        };
        let issued = hall
            .execute(Command::Issue(request), |_, reply| {
                matches!(reply, Reply::Issued(_))
            })
            .await
            .unwrap();
        assert!(issued);
        hall.execute(Command::CallNext { window: w }, |_, _| ())
            .await
            .unwrap();
        hall.execute(
            Command::Finish {
                window: w,
                case_number: None,
            },
            |_, _| (),
        )
        .await
        .unwrap();
        let level = RatingLevel::new(level).unwrap();
        let reasons = if level.is_bad() {
            vec![RatingReason::Attitude]
        } else {
            Vec::new()
        };
        hall.execute(
            Command::Rate {
                window: w,
                level,
                reasons,
                comment: None,
                channel: RatingChannel::Evaluator,
            },
            |_, _| (),
        )
        .await
        .unwrap();
    }
}

pub fn monday_10am() -> jiff::Timestamp {
    "2026-11-23T10:00:00+08:00[Asia/Shanghai]"
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

/// Rating rows in the outbox (the hall's projection writes them with each rating).
pub fn rating_rows(db: &Path) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox WHERE kind = 'rating'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    usize::try_from(n).unwrap()
}

/// The key prefix of the database at `db`, as the store derives it.
pub fn key_tag(db: &Path) -> String {
    Store::open_read_only(db).unwrap().key_tag().to_string()
}

/// Inserts one outbox row as the projection does.
pub fn insert(conn: &rusqlite::Connection, seq: i64, key: &str, record: &UploadRecord, at_ms: i64) {
    conn.execute(
        "INSERT INTO outbox (seq, kind, key, body, created_ms, next_attempt_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        rusqlite::params![
            seq,
            record.kind(),
            key,
            serde_json::to_string(record).unwrap(),
            at_ms
        ],
    )
    .unwrap();
}

/// Every outbox key, oldest first.
pub fn outbox_keys(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.prepare("SELECT key FROM outbox ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Keys of undelivered outbox rows.
pub fn undelivered(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.prepare("SELECT key FROM outbox WHERE delivered_ms IS NULL ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Polls `f` every 20 ms until it holds, for at most `limit`.
pub async fn until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Follow-up rows in the outbox.
pub fn follow_ups(db: &std::path::Path) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox WHERE kind = 'follow_up'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    usize::try_from(n).unwrap()
}

/// [`add_records_at`] from Monday 2026-11-23 10:00.
pub fn add_records(db: &std::path::Path, from: usize, n: usize) {
    add_records_at(db, monday_10am(), from, n);
}

pub fn delivered_ms(db: &std::path::Path, key: &str) -> Option<i64> {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT delivered_ms FROM outbox WHERE key = ?1",
            [key],
            |r| r.get(0),
        )
        .unwrap()
}

/// Adds `n` rating rows with keys `k-<i>`, created one second apart from `t0` + `from` s.
pub fn add_records_at(db: &std::path::Path, t0: jiff::Timestamp, from: usize, n: usize) {
    let conn = rusqlite::Connection::open(db).unwrap();
    for i in from..from + n {
        let at = t0 + jiff::SignedDuration::from_secs(i64::try_from(i).unwrap());
        let record = UploadRecord::Rating(RatingRecord {
            number: format!("A{:03}", i + 1),
            day: "2026-11-23".parse().unwrap(),
            service: "A".into(),
            service_name: "综合受理".into(),
            window: 1,
            staff: None,
            case_number: None,
            channel: RatingChannel::Evaluator,
            at,
            level: 5,
            reasons: Vec::new(),
            comment: None,
        });
        let seq = i64::try_from(1000 + i).unwrap();
        insert(&conn, seq, &format!("k-{i}"), &record, at.as_millisecond());
    }
}

/// An event as the hall publishes it.
pub fn stored(seq: u64, change: Change) -> StoredEvent {
    StoredEvent {
        seq,
        event: Event {
            at: monday_10am(),
            change,
        },
    }
}
