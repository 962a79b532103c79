//! hallq: one binary, one subcommand per role. See `hallq --help`.

use std::process::ExitCode;

use clap::Parser;
use hallq::cli::{Cli, Role};
use hallq::roles;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Role::Serve(args) => roles::serve::run(args),
        Role::CheckConfig { file } => roles::check_config(&file),
        Role::Demo(args) => roles::demo::run(args),
        Role::Loadtest(args) => roles::loadtest::run(args),
        Role::Kiosk(args) => roles::kiosk::run(args),
        Role::HashPin(args) => roles::kiosk::hash_pin(args),
        Role::Printer { command } => roles::printer::run(command),
        Role::TicketPreview(args) => roles::printer::preview(args),
        Role::Window(args) => roles::window::run(args),
        Role::Display(args) => roles::display::run(args),
        Role::Bus { command } => roles::bus::run(command),
        Role::Led { command } => roles::led::run(command),
        Role::Voice { command } => roles::voice::run(command),
        Role::Rate(args) => roles::rate::run(args),
        Role::Followups { command } => roles::followups::run(command),
        Role::Report { command } => roles::report::run(command),
        Role::Status(args) => roles::status::run(args),
        Role::SeedDay(args) => roles::seed::run(args),
    }
}
