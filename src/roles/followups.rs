//! `hallq followups list|update`: the follow-up work orders of 差评, through the server's
//! admin API (the store belongs to `hallq serve` while it runs).

use std::process::ExitCode;

use crate::client::followups::{FollowUpChange, FollowUpInfo};
use crate::client::{ClientError, DEFAULT_TIMEOUT, HallClient};

/// Where the server is and who asks.
#[derive(Debug, clap::Args)]
pub struct AdminConnection {
    /// The hall server.
    #[arg(long, env = "HALLQ_SERVER", default_value = "http://127.0.0.1:8610")]
    pub server: String,
    /// An admin device token.
    #[arg(long, env = "HALLQ_TOKEN")]
    pub token: String,
}

#[derive(Debug, clap::Subcommand)]
pub enum FollowupsCommand {
    /// List follow-up work orders (open ones by default).
    List {
        #[command(flatten)]
        conn: AdminConnection,
        /// Only this state: open | called_back | rectified | follow_up_rated | closed.
        #[arg(long)]
        state: Option<String>,
        /// Only orders past a deadline.
        #[arg(long)]
        overdue: bool,
        /// Include closed orders.
        #[arg(long)]
        all: bool,
    },
    /// Move a follow-up on (called_back → rectified → follow_up_rated → closed) or add a note.
    Update {
        #[command(flatten)]
        conn: AdminConnection,
        /// The follow-up's id (from `list`).
        id: u64,
        /// The new state (give the current one to add only a note).
        #[arg(long)]
        state: String,
        #[arg(long)]
        note: Option<String>,
        /// Who did it (staff id or name); defaults to the token's device name.
        #[arg(long)]
        by: Option<String>,
        /// The applicant's follow-up rating, 1–5 (with --state follow_up_rated).
        #[arg(long)]
        level: Option<u8>,
    },
}

pub fn run(command: FollowupsCommand) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_async(command)) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                ClientError::Unreachable(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

async fn run_async(command: FollowupsCommand) -> Result<String, ClientError> {
    match command {
        FollowupsCommand::List {
            conn,
            state,
            overdue,
            all,
        } => {
            let client = HallClient::new(&conn.server, &conn.token, DEFAULT_TIMEOUT)?;
            let list = client.followups(state.as_deref(), overdue, all).await?;
            Ok(table(&list))
        }
        FollowupsCommand::Update {
            conn,
            id,
            state,
            note,
            by,
            level,
        } => {
            let client = HallClient::new(&conn.server, &conn.token, DEFAULT_TIMEOUT)?;
            let change = FollowUpChange {
                state,
                note,
                by,
                follow_up_level: level,
            };
            let order = client.update_followup(id, &change).await?;
            Ok(table(std::slice::from_ref(&order)))
        }
    }
}

/// A plain-text table, one order per line, for a terminal or a log.
pub fn table(list: &[FollowUpInfo]) -> String {
    let mut out = String::from(
        "id\tticket\tday\twindow\tstaff\tlevel\tstate\tcallback_due\trectify_due\toverdue\n",
    );
    for f in list {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            f.id,
            f.number,
            f.day,
            f.window,
            f.staff.as_deref().unwrap_or("-"),
            f.level,
            f.state,
            short_time(&f.callback_due),
            short_time(&f.rectify_due),
            f.overdue.as_deref().unwrap_or("-"),
        ));
        if let Some(last) = f.notes.last().and_then(|n| n.note.as_deref()) {
            out.push_str(&format!("\tlast note: {last}\n"));
        }
    }
    if list.is_empty() {
        out.push_str("(none)\n");
    }
    out
}

/// `2026-11-23T02:00:00Z` → `2026-11-23 02:00Z`.
fn short_time(ts: &str) -> String {
    ts.get(..16)
        .map(|t| format!("{}Z", t.replace('T', " ")))
        .unwrap_or_else(|| ts.to_string())
}
