//! `hallq printer test|status` and `hallq ticket-preview`: the printer path for technicians.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{PrinterCommand, PrinterStatusArgs, PrinterTestArgs, TicketPreviewArgs};
use crate::config::{HallConfig, PrinterBackend, PrinterConfig};
use crate::devices::printer::preview::{PreviewFont, render_bytes};
use crate::devices::printer::profile::resolve;
use crate::devices::printer::{PrintOutcome, PrinterHandle, PrinterStatus, TicketPrint};
use crate::protocol::escpos_decode::decode_all;
use crate::protocol::ticket::{PaperWidth, encode_ticket, test_ticket};

pub fn run(command: PrinterCommand) -> ExitCode {
    super::init_logging();
    let result = match command {
        PrinterCommand::Test(args) => test(&args),
        PrinterCommand::Status(args) => status(&args),
    };
    finish(result)
}

/// `hallq ticket-preview`
pub fn preview(args: TicketPreviewArgs) -> ExitCode {
    super::init_logging();
    finish(write_preview(&args))
}

fn finish(result: Result<bool, String>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("hallq: {e}");
            ExitCode::from(2)
        }
    }
}

fn load(path: &Path) -> Result<HallConfig, String> {
    HallConfig::load(path).map_err(|e| format!("{}:\n{e}", path.display()))
}

fn printer_config(config: &HallConfig) -> Result<PrinterConfig, String> {
    config
        .printer
        .clone()
        .ok_or_else(|| "the configuration has no [printer] table".to_owned())
}

/// What a status means, for the technician (Chinese first).
pub fn describe(status: PrinterStatus) -> &'static str {
    match status {
        PrinterStatus::Ready => "正常 (ready)",
        PrinterStatus::NearEnd => "纸将尽，请尽快换纸 (paper near end)",
        PrinterStatus::PaperOut => "缺纸 (paper out)",
        PrinterStatus::CoverOpen => "纸仓盖打开 (cover open)",
        PrinterStatus::CutterError => "切刀故障 (cutter error)",
        PrinterStatus::Offline => "离线或无应答 (offline / no reply)",
        PrinterStatus::Unknown => "未知 (not read yet)",
    }
}

fn now_text(config: &HallConfig) -> (String, String) {
    let now = jiff::Zoned::now();
    let local = jiff::tz::TimeZone::get(&config.hall.timezone)
        .map(|tz| now.with_time_zone(tz))
        .unwrap_or(now);
    (
        local.strftime("%Y-%m-%d %H:%M").to_string(),
        local.strftime("%Y-%m-%d").to_string(),
    )
}

fn test(args: &PrinterTestArgs) -> Result<bool, String> {
    let config = load(&args.config)?;
    let mut printer = printer_config(&config)?;
    if let Some(b) = &args.backend {
        printer.backend = match b.as_str() {
            "serial" => PrinterBackend::Serial,
            "usblp" => PrinterBackend::Usblp,
            "tcp" => PrinterBackend::Tcp,
            "file" => PrinterBackend::File,
            _ => PrinterBackend::Sim,
        };
    }
    if let Some(p) = &args.path {
        printer.path = Some(p.clone());
    }
    let handle = PrinterHandle::spawn(&printer).map_err(|e| e.to_string())?;
    let (issued_at, _) = now_text(&config);
    let ticket = test_ticket(&config.hall.name, &issued_at);
    let outcome = handle.print_blocking(ticket);
    let ok = outcome == PrintOutcome::Printed;
    match outcome {
        PrintOutcome::Printed => println!("测试票已打印 (printed) on {}", printer.backend.as_str()),
        PrintOutcome::NotPrinted { status } => {
            println!("未打印 (not printed): {}", describe(status));
        }
        PrintOutcome::Uncertain { status } => {
            println!("打印结果不确定 (uncertain): {}", describe(status));
        }
    }
    if let Some(sim) = handle.simulator() {
        for t in sim.tickets() {
            print!("{}", t.text());
        }
    }
    Ok(ok)
}

fn status(args: &PrinterStatusArgs) -> Result<bool, String> {
    let config = load(&args.config)?;
    let printer = printer_config(&config)?;
    let handle = PrinterHandle::spawn(&printer).map_err(|e| e.to_string())?;
    let s = handle.refresh_status_blocking();
    println!("{}: {}", printer.backend.as_str(), describe(s));
    Ok(s.can_print())
}

/// The ticket the preview shows for `service`.
pub fn sample_ticket(
    config: &HallConfig,
    service_id: &str,
    args: &TicketPreviewArgs,
) -> Result<TicketPrint, String> {
    let service = config
        .service(service_id)
        .ok_or_else(|| format!("unknown service \"{service_id}\""))?;
    let width = usize::from(config.hall.number_width);
    let number = format!("{}{:0width$}", service.prefix, 1);
    let (issued_at, date) = now_text(config);
    let windows: Vec<u16> = config
        .windows
        .iter()
        .filter(|w| w.services.iter().any(|s| s.service == service.id))
        .map(|w| w.number)
        .collect();
    let qr = config
        .printer
        .as_ref()
        .and_then(|p| p.qr_content(&number, &date, &service.id, &config.hall.name));
    Ok(TicketPrint {
        hall_name: config.hall.name.clone(),
        service_name: service.name.clone(),
        number,
        waiting_ahead: 5,
        estimated_wait_minutes: 5 * service.expected_handle_minutes,
        windows,
        issued_at,
        id_last4: service.requires_id.then(|| "123X".to_owned()),
        reprint: args.reprint,
        priority: args.priority,
        appointment: args.appointment,
        qr,
    })
}

fn write_preview(args: &TicketPreviewArgs) -> Result<bool, String> {
    let config = load(&args.config)?;
    let mut printer = config
        .printer
        .clone()
        .unwrap_or_else(|| PrinterConfig::new(PrinterBackend::File));
    if let Some(w) = args.width_mm {
        PaperWidth::from_mm(w).ok_or_else(|| format!("{w} mm: use 58 or 80"))?;
        printer.width_mm = Some(w);
    }
    let settings = resolve(&printer).map_err(|e| e.to_string())?;
    let mut ticket = sample_ticket(&config, &args.service, args)?;
    if !settings.qr {
        ticket.qr = None;
    }
    let bytes = encode_ticket(&ticket, &settings.layout).map_err(|e| e.to_string())?;
    if let Some(path) = &args.bytes_out {
        std::fs::write(path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let font = PreviewFont::find().map_err(|e| e.to_string())?;
    let img = render_bytes(&bytes, settings.layout.width, &font).map_err(|e| e.to_string())?;
    img.save(&args.out)
        .map_err(|e| format!("{}: {e}", args.out.display()))?;
    let text = decode_all(&bytes)
        .ok()
        .and_then(|r| r.into_iter().next())
        .map(|r| r.text())
        .unwrap_or_default();
    print!("{text}");
    println!(
        "{}: {}×{} px, {} mm paper, font {}",
        args.out.display(),
        img.width(),
        img.height(),
        settings.layout.width.mm(),
        font.path.display()
    );
    Ok(true)
}
