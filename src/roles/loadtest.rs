//! `hallq loadtest`: issue and call over the API, report throughput and latency.
//!
//! Hall IT uses it to check a box before opening; we use it to measure. Each client issues
//! its share of tickets and calls one ticket at a window after each issue.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::cli::LoadtestArgs;

struct ClientResult {
    issue: Vec<Duration>,
    call: Vec<Duration>,
    errors: BTreeMap<String, usize>,
}

/// Latency percentiles of one operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

/// Nearest-rank percentiles; `None` for no samples.
pub fn percentiles(samples: &mut [Duration]) -> Option<Percentiles> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    let rank = |p: f64| {
        let idx = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[idx]
    };
    Some(Percentiles {
        count: samples.len(),
        p50: rank(0.50),
        p99: rank(0.99),
        max: samples[samples.len() - 1],
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn get_json(
    client: &reqwest::Client,
    url: String,
    token: &str,
) -> Result<serde_json::Value, String> {
    let response = client
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    response.json().await.map_err(|e| format!("{url}: {e}"))
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: serde_json::Value,
) -> Result<(), String> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "timeout".to_string()
            } else {
                "connection".to_string()
            }
        })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let code = response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_else(|| status.as_u16().to_string());
    Err(code)
}

async fn client_loop(
    client: reqwest::Client,
    base: String,
    token: String,
    services: Vec<String>,
    windows: Vec<u64>,
    count: usize,
    offset: usize,
) -> ClientResult {
    let mut result = ClientResult {
        issue: Vec::with_capacity(count),
        call: Vec::with_capacity(count),
        errors: BTreeMap::new(),
    };
    let issue_url = format!("{base}/api/v1/tickets");
    for i in 0..count {
        let service = &services[(offset + i) % services.len()];
        let started = Instant::now();
        match post(&client, &issue_url, &token, json!({ "service": service })).await {
            Ok(()) => result.issue.push(started.elapsed()),
            Err(code) => *result.errors.entry(format!("issue:{code}")).or_default() += 1,
        }
        let window = windows[(offset + i) % windows.len()];
        let call_url = format!("{base}/api/v1/windows/{window}/call-next");
        let started = Instant::now();
        match post(&client, &call_url, &token, json!({})).await {
            Ok(()) => result.call.push(started.elapsed()),
            Err(code) => *result.errors.entry(format!("call:{code}")).or_default() += 1,
        }
    }
    result
}

async fn run_async(args: LoadtestArgs) -> Result<String, String> {
    if args.clients == 0 || args.tickets == 0 {
        return Err("--clients and --tickets must be at least 1".into());
    }
    let base = args.server.trim_end_matches('/').to_string();
    let client = crate::net::http()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(args.clients)
        .build()
        .map_err(|e| e.to_string())?;
    let services_json = get_json(&client, format!("{base}/api/v1/services"), &args.token).await?;
    let services: Vec<String> = services_json
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s.get("state").and_then(|v| v.as_str()) == Some("open"))
        .filter_map(|s| s.get("id").and_then(|v| v.as_str()).map(str::to_string))
        .collect();
    if services.is_empty() {
        return Err(
            "no service is open for issuing now (check the hall's hours and quotas)".into(),
        );
    }
    let windows_json = get_json(&client, format!("{base}/api/v1/windows"), &args.token).await?;
    let windows: Vec<u64> = windows_json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w.get("window").and_then(|v| v.as_u64()))
        .collect();
    if windows.is_empty() {
        return Err("the hall has no windows".into());
    }
    let per_client = args.tickets.div_ceil(args.clients);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let count = per_client.min(args.tickets.saturating_sub(c * per_client));
        tasks.push(tokio::spawn(client_loop(
            client.clone(),
            base.clone(),
            args.token.clone(),
            services.clone(),
            windows.clone(),
            count,
            c,
        )));
    }
    let mut issue = Vec::new();
    let mut call = Vec::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        let r = task.await.map_err(|e| e.to_string())?;
        issue.extend(r.issue);
        call.extend(r.call);
        for (k, v) in r.errors {
            *errors.entry(k).or_default() += v;
        }
    }
    let elapsed = started.elapsed();
    let secs = elapsed.as_secs_f64().max(1e-9);
    let mut out = format!(
        "{} clients, {} issues and {} calls in {:.2} s\nthroughput: {:.0} requests/s, {:.0} durable issues/s\n",
        args.clients,
        issue.len(),
        call.len(),
        secs,
        (issue.len() + call.len()) as f64 / secs,
        issue.len() as f64 / secs,
    );
    for (name, samples) in [("issue", &mut issue), ("call", &mut call)] {
        if let Some(p) = percentiles(samples) {
            out.push_str(&format!(
                "{name:<6} p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} ok)\n",
                ms(p.p50),
                ms(p.p99),
                ms(p.max),
                p.count
            ));
        }
    }
    if errors.is_empty() {
        out.push_str("errors: none\n");
    } else {
        let list: Vec<String> = errors.iter().map(|(k, v)| format!("{k} ×{v}")).collect();
        out.push_str(&format!("errors: {}\n", list.join(", ")));
    }
    Ok(out)
}

pub fn run(args: LoadtestArgs) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hallq loadtest: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_async(args)) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("hallq loadtest: {msg}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        samples.reverse();
        let p = percentiles(&mut samples).unwrap();
        assert_eq!(p.p50, Duration::from_millis(50));
        assert_eq!(p.p99, Duration::from_millis(99));
        assert_eq!(p.max, Duration::from_millis(100));
        assert!(percentiles(&mut []).is_none());
    }
}
