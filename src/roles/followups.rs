//! `hallq followups list|update`: the follow-up work orders of 差评, through the server.

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum FollowupsCommand {}

pub fn run(command: FollowupsCommand) -> ExitCode {
    match command {}
}
