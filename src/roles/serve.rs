//! `hallq serve`: the hall server.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::cli::ServeArgs;
use crate::config::HallConfig;
use crate::hall::{self, Clock, Hall};
use crate::server::LocalDevices;
use crate::store::Store;
use crate::upload::{UploadHandle, Uploader};

/// Default port of the LAN API.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8610";

/// A running hall: the hall thread plus what the server needs.
pub struct Running {
    pub hall: Hall,
    pub thread: JoinHandle<()>,
    pub config: Arc<HallConfig>,
    /// Devices this server drives (RS-485 buses, LED screens, voice), for device health.
    pub local: Vec<Arc<dyn LocalDevices>>,
}

/// Opens the store under `data` and starts the hall thread. Errors are for humans.
pub fn open_hall(config: HallConfig, data: &Path, clock: Clock) -> Result<Running, String> {
    std::fs::create_dir_all(data)
        .map_err(|e| format!("cannot create data directory {}: {e}", data.display()))?;
    let path = data.join("hall.db");
    let store = Store::open(&path).map_err(|e| format!("cannot open the hall store: {e}"))?;
    let retention = config.hall.personal_data_retention_days;
    let (hall, thread) = hall::start(store, config.rules(), clock, retention)
        .map_err(|e| format!("cannot start the hall: {e}"))?;
    Ok(Running {
        hall,
        thread,
        config: Arc::new(config),
        local: Vec::new(),
    })
}

/// Starts the upload of ratings and follow-ups to the provincial platform (`[upload]`; without
/// it the backlog is only reported), nudged by every committed rating event, and lists it in
/// the device health. Call inside `runtime`.
pub fn start_upload(running: &mut Running, runtime: &tokio::runtime::Handle) -> UploadHandle {
    let upload = {
        let _rt = runtime.enter();
        Uploader::spawn(
            running.hall.store_path(),
            running.config.upload.clone(),
            std::future::pending(),
        )
    };
    runtime.spawn(upload.clone().nudge_on_events(running.hall.subscribe()));
    running.local.push(Arc::new(upload.clone()));
    upload
}

/// Stops the uploader and waits (a bounded time) for the request in flight to be noted.
pub async fn stop_upload(upload: UploadHandle, config: &HallConfig) {
    upload.stop();
    let wait = config.upload.as_ref().map_or(10, |u| u.timeout_s) + 1;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(wait), upload.join()).await;
}

/// Binds, prints the address, serves until `shutdown`, then waits for the last commit.
pub async fn serve_until(
    running: Running,
    listen: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    tracing::info!(%addr, hall = %running.config.hall.name, "serving");
    on_ready(addr);
    let Running {
        hall,
        thread,
        config,
        local,
    } = running;
    let result = crate::server::serve(listener, hall, config, Arc::new(local), shutdown).await;
    // Every Hall handle is gone once the server returns; the thread ends after its batch.
    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    result.map_err(|e| format!("server failed: {e}"))
}

pub fn run(args: ServeArgs) -> ExitCode {
    super::init_logging();
    let config = match HallConfig::load(&args.config) {
        Ok(c) => c,
        Err(problems) => {
            eprintln!(
                "{}: invalid configuration:\n{problems}",
                args.config.display()
            );
            return ExitCode::from(2);
        }
    };
    let listen = match args.listen.or(config.server.listen) {
        Some(a) => a,
        None => match DEFAULT_LISTEN.parse() {
            Ok(a) => a,
            Err(_) => return ExitCode::FAILURE,
        },
    };
    let mut running = match open_hall(config, &args.data, Clock::System) {
        Ok(r) => r,
        Err(msg) => {
            tracing::error!("{msg}");
            eprintln!("hallq: {msg}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hallq: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let devices = super::hall_devices::start(&running.config, &running.hall, runtime.handle());
    running.local.extend(devices.local.iter().cloned());
    let stopper = devices.stopper();
    let upload = start_upload(&mut running, runtime.handle());
    let upload_stop = upload.clone();
    let config = running.config.clone();
    super::notify::arm_fault_wedge(&running.hall, runtime.handle()); // test-only switch
    let notifier = super::notify::ServeNotifier::new(&running.hall, runtime.handle());
    let notify_stop = notifier.stopper();
    let hall_name = running.config.hall.name.clone();
    let result = runtime.block_on(serve_until(
        running,
        listen,
        async move {
            super::shutdown_signal().await;
            upload_stop.stop();
            notify_stop.stop();
            // Joining the bus threads may wait for a polling round: off the async workers.
            let _ = tokio::task::spawn_blocking(move || stopper.stop()).await;
        },
        move |addr| {
            println!("hallq serving on http://{addr}");
            notifier.ready(addr, &hall_name);
        },
    ));
    runtime.block_on(stop_upload(upload, &config));
    drop(devices);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            tracing::error!("{msg}");
            eprintln!("hallq: {msg}");
            ExitCode::FAILURE
        }
    }
}
