//! `hallq seed-day`: a realistic simulated business day run through the real engine and
//! store (for demos, report screenshots and tests). A manual clock moves through the
//! opening hours; citizens take numbers, windows sign in, call, serve, transfer, mark
//! no-shows and finish; applicants rate (mostly 非常满意/满意, a few 差评 with reasons),
//! decline or walk away; a couple of 差评 follow-ups are updated. Deterministic for a seed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::config::HallConfig;
use crate::core::id_number::IdNumber;
use crate::core::{
    Command, FollowUpState, FollowUpUpdate, IssueRequest, RatingChannel, RatingLevel, RatingReason,
    Rejected, Reply, ServiceId, StaffId, Target, TicketId, WindowNo,
};
use crate::hall::{self, Clock, Hall, HallError, ManualClock};
use crate::store::Store;

mod plan;

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// Hall configuration.
    #[arg(long, short, env = "HALLQ_CONFIG")]
    pub config: PathBuf,
    /// The hall database to write (created if missing; not while `hallq serve` has it).
    #[arg(long)]
    pub store: PathBuf,
    /// Business day to simulate, YYYY-MM-DD: a working day after every day in the store.
    #[arg(long)]
    pub day: Date,
    /// Random seed: the same seed and configuration give the same day.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// About how many citizens come to take a number.
    #[arg(long, default_value_t = 300)]
    pub tickets: u32,
}

/// What the simulated day did, as the engine accepted it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeedSummary {
    pub day: Option<Date>,
    /// Tickets issued per service id.
    pub issued: BTreeMap<String, u64>,
    /// Citizens the kiosk turned away (closed, quota).
    pub refused: u64,
    pub calls: u64,
    pub finished: u64,
    pub no_shows: u64,
    pub transfers: u64,
    /// Ratings given per level (1..=5).
    pub ratings: BTreeMap<u8, u64>,
    /// Visits the applicant declined to rate.
    pub declined: u64,
    /// Visits the applicant walked away from (timeout or the next finish made them unrated).
    pub walked_away: u64,
    pub followups_opened: u64,
    pub followups_updated: u64,
}

pub fn run(args: SeedArgs) -> ExitCode {
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
    match seed_day(&config, &args.store, args.day, args.seed, args.tickets) {
        Ok(s) => {
            let issued: u64 = s.issued.values().sum();
            let rated: u64 = s.ratings.values().sum();
            println!("hallq seed-day {}: {}", args.day, args.store.display());
            println!("  取号 {issued} {:?}，拒绝 {}", s.issued, s.refused);
            println!(
                "  叫号 {}，办结 {}，过号 {}，转移 {}",
                s.calls, s.finished, s.no_shows, s.transfers
            );
            println!(
                "  评价 {rated} {:?}，不评 {}，未评离开 {}",
                s.ratings, s.declined, s.walked_away
            );
            println!(
                "  差评工单 {}，回访更新 {}",
                s.followups_opened, s.followups_updated
            );
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("hallq: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one simulated `day` into the store at `store` (blocking; not inside a runtime).
pub fn seed_day(
    config: &HallConfig,
    store: &Path,
    day: Date,
    seed: u64,
    tickets: u32,
) -> Result<SeedSummary, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(seed_day_async(config, store, day, seed, tickets))
}

/// [`seed_day`] for callers already inside a tokio runtime.
pub async fn seed_day_async(
    config: &HallConfig,
    store: &Path,
    day: Date,
    seed: u64,
    tickets: u32,
) -> Result<SeedSummary, String> {
    let tz = config.rules().tz;
    let start = local(&tz, day, Time::constant(8, 0, 0, 0))?;
    let db = Store::open(store).map_err(|e| format!("cannot open the hall store: {e}"))?;
    let (clock, hand) = Clock::manual(start);
    let (hall, thread) = hall::start(
        db,
        config.rules(),
        clock,
        config.hall.personal_data_retention_days,
    )
    .map_err(|e| format!("cannot start the hall: {e}"))?;
    let mut sim = Sim::new(hall, hand, config, tz, day, seed);
    let result = sim.run(tickets).await;
    let Sim { hall, summary, .. } = sim;
    drop(hall);
    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    result.map(|()| summary)
}

fn local(tz: &TimeZone, day: Date, time: Time) -> Result<Timestamp, String> {
    day.to_datetime(time)
        .to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|e| format!("{day} {time}: {e}"))
}

/// What the applicant at a window does about the rating.
enum RatingPlan {
    Rate(RatingLevel, Vec<RatingReason>, Option<String>),
    Decline,
}

enum End {
    Finish,
    NoShow,
    Transfer(ServiceId),
}

struct Serving {
    until: Timestamp,
    end: End,
}

struct Desk {
    number: WindowNo,
    serving: Option<Serving>,
    rating: Option<(Timestamp, RatingPlan)>,
}

struct Sim<'a> {
    hall: Hall,
    hand: ManualClock,
    config: &'a HallConfig,
    tz: TimeZone,
    day: Date,
    rng: StdRng,
    desks: Vec<Desk>,
    summary: SeedSummary,
    next_person: u32,
    next_case: u32,
}

impl<'a> Sim<'a> {
    fn new(
        hall: Hall,
        hand: ManualClock,
        config: &'a HallConfig,
        tz: TimeZone,
        day: Date,
        seed: u64,
    ) -> Self {
        Sim {
            hall,
            hand,
            config,
            tz,
            day,
            rng: StdRng::seed_from_u64(seed),
            desks: Vec::new(),
            summary: SeedSummary {
                day: Some(day),
                ..SeedSummary::default()
            },
            next_person: 0,
            next_case: 0,
        }
    }

    fn at(&self, hh: i8, mm: i8) -> Result<Timestamp, String> {
        local(&self.tz, self.day, Time::constant(hh, mm, 0, 0))
    }

    async fn run(&mut self, tickets: u32) -> Result<(), String> {
        self.hand.set(self.at(8, 20)?);
        self.sign_in().await?;
        let started = self
            .hall
            .query(|engine, _| engine.day())
            .await
            .map_err(|e| e.to_string())?;
        if started.map(|d| d.0) != Some(self.day) {
            return Err(format!(
                "the store is already past {} (business day {:?}); seed an empty store or a later day",
                self.day,
                started.map(|d| d.to_string())
            ));
        }
        let mut arrivals = plan::arrivals(self, tickets)?;
        arrivals.reverse(); // pop() from the earliest
        let mut t = self.at(8, 30)?;
        let last_call = self.at(18, 15)?;
        let end = self.at(18, 40)?;
        let step = SignedDuration::from_secs(20);
        while t <= end {
            self.hand.set(t);
            while arrivals.last().is_some_and(|(when, _)| *when <= t) {
                if let Some((_, service)) = arrivals.pop() {
                    self.issue(service, t).await?;
                }
            }
            for i in 0..self.desks.len() {
                self.step_desk(i, t, t <= last_call).await?;
            }
            self.tick().await?;
            t = t.checked_add(step).map_err(|e| e.to_string())?;
        }
        // Evening: every awaiting rating has timed out, waiting tickets expire.
        self.hand.set(self.at(19, 30)?);
        self.tick().await?;
        self.follow_ups().await
    }

    /// Signs one staff member in at each window that has one who may serve it.
    async fn sign_in(&mut self) -> Result<(), String> {
        let mut windows: Vec<_> = self.config.windows.iter().collect();
        windows.sort_by_key(|w| std::cmp::Reverse(w.services.len()));
        let mut free: Vec<_> = self.config.staff.iter().collect();
        for w in windows {
            let covers = |s: &crate::config::StaffConfig, all: bool| {
                let may = |id: &str| s.services.is_empty() || s.services.iter().any(|x| x == id);
                if all {
                    w.services.iter().all(|ws| may(&ws.service))
                } else {
                    w.services.iter().any(|ws| may(&ws.service))
                }
            };
            let pick = free
                .iter()
                .position(|s| covers(s, true))
                .or_else(|| free.iter().position(|s| covers(s, false)));
            let Some(i) = pick else { continue };
            let staff = free.remove(i);
            let window = WindowNo(w.number);
            self.exec(Command::SignIn {
                window,
                staff: StaffId(staff.id.clone()),
            })
            .await
            .map_err(|e| format!("sign-in at window {}: {e}", w.number))?;
            self.desks.push(Desk {
                number: window,
                serving: None,
                rating: None,
            });
        }
        self.desks.sort_by_key(|d| d.number);
        if self.desks.is_empty() {
            return Err("no staff member can sign in at any window".into());
        }
        Ok(())
    }

    async fn exec(&self, command: Command) -> Result<Reply, HallError> {
        self.hall.execute(command, |_, reply| reply).await
    }

    async fn tick(&self) -> Result<(), String> {
        self.exec(Command::Tick)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    async fn issue(&mut self, service: ServiceId, now: Timestamp) -> Result<(), String> {
        let rules = self
            .config
            .services
            .iter()
            .find(|s| s.id == service.0)
            .ok_or_else(|| format!("unknown service {service}"))?;
        let with_id = rules.requires_id || (service.0 != "D" && self.rng.random_bool(0.3));
        let id = if with_id {
            let number = plan::id_number(&mut self.rng, self.next_person);
            self.next_person += 1;
            let parsed = IdNumber::parse(&number).map_err(|e| format!("{e:?}"))?;
            Some(parsed.digest(self.hall.salt()))
        } else {
            None
        };
        let request = IssueRequest {
            service: service.clone(),
            staff_priority: false,
            id,
            appointment_code: None,
        };
        match self.exec(Command::Issue(request)).await {
            Ok(_) => {
                *self.summary.issued.entry(service.0).or_default() += 1;
                Ok(())
            }
            Err(HallError::Rejected(Rejected::Closed { .. } | Rejected::QuotaReached { .. })) => {
                self.summary.refused += 1;
                Ok(())
            }
            Err(e) => Err(format!("issue {service} at {now}: {e}")),
        }
    }

    async fn step_desk(&mut self, i: usize, now: Timestamp, may_call: bool) -> Result<(), String> {
        let window = self.desks[i].number;
        if self.desks[i]
            .rating
            .as_ref()
            .is_some_and(|(at, _)| *at <= now)
        {
            self.rate(i).await?;
        }
        let done = self.desks[i]
            .serving
            .as_ref()
            .is_some_and(|s| s.until <= now);
        if done {
            let Some(serving) = self.desks[i].serving.take() else {
                return Ok(());
            };
            match serving.end {
                End::Finish => {
                    // An applicant still deciding rates before the next visit ends.
                    if self.desks[i].rating.is_some() {
                        self.rate(i).await?;
                    }
                    let case_number = self.rng.random_bool(0.7).then(|| {
                        self.next_case += 1;
                        format!("{}{:05}", self.day.strftime("%Y%m%d"), self.next_case)
                    });
                    self.exec(Command::Finish {
                        window,
                        case_number,
                    })
                    .await
                    .map_err(|e| format!("finish at {window}: {e}"))?;
                    self.summary.finished += 1;
                    self.desks[i].rating = self.plan_rating(now);
                }
                End::NoShow => {
                    self.exec(Command::NoShow { window })
                        .await
                        .map_err(|e| format!("no-show at {window}: {e}"))?;
                    self.summary.no_shows += 1;
                }
                End::Transfer(to) => {
                    self.exec(Command::Transfer {
                        window,
                        to: Target::Service(to),
                    })
                    .await
                    .map_err(|e| format!("transfer at {window}: {e}"))?;
                    self.summary.transfers += 1;
                }
            }
        }
        if self.desks[i].serving.is_none() && may_call && self.calling_hours(now) {
            let called = self
                .hall
                .execute(Command::CallNext { window }, |engine, reply| match reply {
                    Reply::Window(Some(id)) => engine.ticket(id).map(|t| (id, t.service.clone())),
                    _ => None,
                })
                .await;
            match called {
                Ok(Some((ticket, service))) => {
                    self.summary.calls += 1;
                    self.desks[i].serving = Some(self.plan_visit(ticket, &service, now));
                }
                Ok(None) | Err(HallError::Rejected(Rejected::NoTicketWaiting(_))) => {}
                Err(e) => return Err(format!("call at {window}: {e}")),
            }
        }
        Ok(())
    }

    /// Windows call inside the sessions, and after the last one until the queue is empty.
    fn calling_hours(&self, now: Timestamp) -> bool {
        let time = now.to_zoned(self.tz.clone()).time();
        let sessions = &self.config.hall.sessions;
        let after_last = sessions
            .iter()
            .map(|s| s.close.0)
            .max()
            .is_some_and(|c| time >= c);
        after_last
            || sessions
                .iter()
                .any(|s| s.open.0 <= time && time < s.close.0)
    }

    fn plan_visit(&mut self, _ticket: TicketId, service: &ServiceId, now: Timestamp) -> Serving {
        let roll: f64 = self.rng.random();
        let minutes = |m: f64| SignedDuration::from_secs((m * 60.0).round() as i64);
        let (end, spent) = if roll < 0.04 {
            (End::NoShow, minutes(2.0))
        } else if roll < 0.07 {
            match plan::transfer_target(self.config, service) {
                Some(to) => (End::Transfer(to), minutes(3.0)),
                None => (End::Finish, self.handle_time(service)),
            }
        } else {
            (End::Finish, self.handle_time(service))
        };
        Serving {
            until: now.checked_add(spent).unwrap_or(now),
            end,
        }
    }

    /// Expected handling time × a log-normal factor (median 1, most between 0.5 and 2).
    fn handle_time(&mut self, service: &ServiceId) -> SignedDuration {
        let expected = self
            .config
            .services
            .iter()
            .find(|s| s.id == service.0)
            .map_or(5, |s| s.expected_handle_minutes.max(1));
        let factor = plan::log_normal(&mut self.rng, 0.4);
        let secs = (f64::from(expected) * 60.0 * factor).clamp(45.0, 5400.0);
        SignedDuration::from_secs(secs.round() as i64)
    }

    /// Mostly 非常满意 and 满意, some 基本满意, a few 差评 with reasons; some decline, some
    /// walk away (their visit becomes unrated by timeout or by the next finish).
    fn plan_rating(&mut self, now: Timestamp) -> Option<(Timestamp, RatingPlan)> {
        let roll: f64 = self.rng.random();
        let after = |s: i64| now.checked_add(SignedDuration::from_secs(s)).unwrap_or(now);
        if roll < 0.74 {
            let delay = self.rng.random_range(5..35);
            let plan = plan::rating(&mut self.rng, &self.config.ratings.comments);
            Some((after(delay), plan))
        } else if roll < 0.84 {
            Some((after(self.rng.random_range(8..20)), RatingPlan::Decline))
        } else {
            self.summary.walked_away += 1;
            None
        }
    }

    async fn rate(&mut self, i: usize) -> Result<(), String> {
        let Some((_, plan)) = self.desks[i].rating.take() else {
            return Ok(());
        };
        let window = self.desks[i].number;
        match plan {
            RatingPlan::Rate(level, reasons, comment) => {
                let channel = if window.0 == 1 {
                    RatingChannel::Evaluator
                } else {
                    RatingChannel::Keypad
                };
                self.exec(Command::Rate {
                    window,
                    level,
                    reasons,
                    comment,
                    channel,
                })
                .await
                .map_err(|e| format!("rating at {window}: {e}"))?;
                *self.summary.ratings.entry(level.get()).or_default() += 1;
                if level.is_bad() {
                    self.summary.followups_opened += 1;
                }
            }
            RatingPlan::Decline => {
                self.exec(Command::DeclineRating { window })
                    .await
                    .map_err(|e| format!("declining at {window}: {e}"))?;
                self.summary.declined += 1;
            }
        }
        Ok(())
    }

    /// The evening's follow-up work on the work orders still untouched (today's, or an
    /// earlier day's nobody worked on): the first called back, the second also rectified.
    async fn follow_ups(&mut self) -> Result<(), String> {
        let open: Vec<_> = self
            .hall
            .query(|engine, _| {
                engine
                    .followups()
                    .filter(|f| f.state == FollowUpState::Open)
                    .map(|f| (f.id, f.staff.clone()))
                    .collect()
            })
            .await
            .map_err(|e| e.to_string())?;
        let steps: [&[(FollowUpState, &str)]; 2] = [
            &[(FollowUpState::CalledBack, "已电话回访，申请人表示理解")],
            &[
                (
                    FollowUpState::CalledBack,
                    "已电话回访，约定补充材料后加急办理",
                ),
                (
                    FollowUpState::Rectified,
                    "已加急办结，窗口负责人已约谈经办人",
                ),
            ],
        ];
        for ((id, staff), steps) in open.into_iter().zip(steps) {
            for (state, note) in steps {
                self.hand.advance(SignedDuration::from_mins(20));
                self.exec(Command::UpdateFollowUp(FollowUpUpdate {
                    id,
                    state: *state,
                    note: Some((*note).to_string()),
                    by: staff.as_ref().map(|s| s.0.clone()),
                    follow_up_level: None,
                }))
                .await
                .map_err(|e| format!("follow-up {id}: {e}"))?;
                self.summary.followups_updated += 1;
            }
        }
        Ok(())
    }
}
