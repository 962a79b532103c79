//! Crash safety of the real `hallq serve` binary: SIGKILL at random moments while clients
//! issue and call, restart, and prove that nothing acknowledged was lost and no number was
//! given twice.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KILLS: usize = 55;
const ADMIN: &str = "admin-token-1";
const KIOSK: &str = "kiosk-token-1";

struct Server {
    child: Child,
    base: String,
}

fn start(config: &str, data: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args([
            "serve",
            "--config",
            config,
            "--listen",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn hallq serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("hallq serving on ") {
                let _ = tx.send(url.trim().to_string());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("server did not start");
    Server { child, base }
}

/// Avoid the one minute a day (23:59 in Shanghai) the 24-hour test hall is closed.
fn avoid_closing_minute() {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let now = jiff::Timestamp::now().to_zoned(tz);
    if now.hour() == 23 && now.minute() >= 58 {
        std::thread::sleep(Duration::from_secs(130));
    }
}

/// xorshift64*: a small deterministic generator, seeded per run and printed on failure.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default)]
struct Acks {
    issued: Vec<(u64, String)>,
    called: Vec<(u64, u64)>,
}

async fn hammer(
    base: String,
    acks: Arc<Mutex<Acks>>,
    seed: u64,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    let http = hallq::net::http()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut rng = Rng(seed | 1);
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let service = ["A", "B", "C"][rng.below(3) as usize];
        let r = http
            .post(format!("{base}/api/v1/tickets"))
            .bearer_auth(KIOSK)
            .json(&serde_json::json!({ "service": service }))
            .send()
            .await;
        let Ok(r) = r else { break };
        if r.status() == 201 {
            let Ok(body) = r.json::<serde_json::Value>().await else {
                break;
            };
            let id = body["id"].as_u64().unwrap();
            acks.lock()
                .unwrap()
                .issued
                .push((id, body["number"].as_str().unwrap().to_string()));
        }
        let window = 1 + rng.below(4);
        let r = http
            .post(format!("{base}/api/v1/windows/{window}/call-next"))
            .bearer_auth(ADMIN)
            .json(&serde_json::json!({}))
            .send()
            .await;
        let Ok(r) = r else { break };
        if r.status() == 200 {
            let Ok(body) = r.json::<serde_json::Value>().await else {
                break;
            };
            if let Some(id) = body["ticket"]["id"].as_u64() {
                acks.lock().unwrap().called.push((id, window));
            }
        }
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    avoid_closing_minute();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hall-24h.toml");
    let dir = tempfile::tempdir().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed | 1);
    let acks = Arc::new(Mutex::new(Acks::default()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    for round in 0..KILLS {
        let mut server = start(config, dir.path());
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients: Vec<_> = (0..3)
            .map(|c| {
                runtime.spawn(hammer(
                    server.base.clone(),
                    acks.clone(),
                    rng.next() ^ c,
                    stop.clone(),
                ))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(20 + rng.below(200)));
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for c in clients {
            runtime.block_on(c).unwrap();
        }
        eprintln!(
            "round {round}: {} issued acknowledged so far",
            acks.lock().unwrap().issued.len()
        );
    }
    eprintln!("{KILLS} kills in {:.1} s", started.elapsed().as_secs_f64());

    let server = start(config, dir.path());
    let rows: serde_json::Value = runtime.block_on(async {
        hallq::net::http()
            .build()
            .unwrap()
            .get(format!("{}/api/v1/tickets?limit=10000", server.base))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let rows = rows["tickets"].as_array().unwrap().clone();
    let acks = acks.lock().unwrap();
    assert!(
        acks.issued.len() > KILLS,
        "the clients barely ran: {} issues",
        acks.issued.len()
    );
    assert!(!acks.called.is_empty(), "no call was acknowledged");

    let by_id: HashMap<u64, &serde_json::Value> = rows
        .iter()
        .map(|r| (r["id"].as_u64().unwrap(), r))
        .collect();
    let mut numbers = HashSet::new();
    for r in &rows {
        let key = (
            r["day"].as_str().unwrap().to_string(),
            r["number"].as_str().unwrap().to_string(),
        );
        assert!(numbers.insert(key.clone()), "number issued twice: {key:?}");
    }
    for (id, number) in &acks.issued {
        let row = by_id
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged ticket {number} (id {id}) lost"));
        assert_eq!(row["number"].as_str(), Some(number.as_str()));
    }
    for (id, window) in &acks.called {
        let row = by_id
            .get(id)
            .unwrap_or_else(|| panic!("called ticket {id} lost"));
        assert!(
            matches!(row["state"].as_str(), Some("called" | "finished")),
            "acknowledged call of ticket {id} not recorded: {row}"
        );
        assert_eq!(row["window"].as_u64(), Some(*window), "ticket {id}");
    }
    eprintln!(
        "{} tickets, {} acknowledged issues, {} acknowledged calls: all present",
        rows.len(),
        acks.issued.len(),
        acks.called.len()
    );
}
