//! The random choices of a simulated day: who comes when for what, ID numbers, how long a
//! visit takes, how the applicant rates.

use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use rand::rngs::StdRng;

use super::{RatingPlan, Sim, local};
use crate::config::HallConfig;
use crate::core::{RatingLevel, RatingReason, ServiceId};

/// Arrival times and services, earliest first. Services get citizens in proportion to the
/// window capacity they have (each window's time split by its weights) over their expected
/// handling time, so every queue is about as busy; mornings are busier than afternoons.
pub(super) fn arrivals(
    sim: &mut Sim<'_>,
    tickets: u32,
) -> Result<Vec<(Timestamp, ServiceId)>, String> {
    let config = sim.config;
    let mut weights: Vec<(ServiceId, f64)> = Vec::new();
    for s in &config.services {
        let mut share = 0.0;
        for w in &config.windows {
            let total: u32 = w.services.iter().map(|x| x.weight.max(1)).sum();
            if let Some(x) = w.services.iter().find(|x| x.service == s.id) {
                share += f64::from(x.weight.max(1)) / f64::from(total.max(1));
            }
        }
        if share > 0.0 {
            weights.push((
                ServiceId::new(&s.id),
                share / f64::from(s.expected_handle_minutes.max(1)),
            ));
        }
    }
    let stop = SignedDuration::from_mins(i64::from(config.hall.stop_issuing_minutes_before_close));
    let mut spans: Vec<(Timestamp, i64, f64)> = Vec::new();
    for (i, session) in config.hall.sessions.iter().enumerate() {
        let open = local(&sim.tz, sim.day, session.open.0)?;
        let close = local(&sim.tz, sim.day, session.close.0)?;
        let last = close.checked_sub(stop).map_err(|e| e.to_string())?;
        let secs = open.duration_until(last).as_secs();
        if secs > 60 {
            let busier = if i == 0 { 1.4 } else { 1.0 };
            spans.push((open, secs, secs as f64 * busier));
        }
    }
    if weights.is_empty() || spans.is_empty() {
        return Err("the configuration has no service a window serves, or no session".into());
    }
    let mut out = Vec::with_capacity(usize::try_from(tickets).unwrap_or(0));
    for _ in 0..tickets {
        let (open, secs, _) = *pick(&mut sim.rng, &spans, |s| s.2);
        let at = open
            .checked_add(SignedDuration::from_secs(sim.rng.random_range(0..secs)))
            .map_err(|e| e.to_string())?;
        let service = pick(&mut sim.rng, &weights, |w| w.1).0.clone();
        out.push((at, service));
    }
    out.sort_by_key(|(at, _)| *at);
    Ok(out)
}

/// One item of `items`, with probability proportional to `weight`.
fn pick<'a, T>(rng: &mut StdRng, items: &'a [T], weight: impl Fn(&T) -> f64) -> &'a T {
    let total: f64 = items.iter().map(&weight).sum();
    let mut roll = rng.random::<f64>() * total;
    for item in items {
        roll -= weight(item);
        if roll < 0.0 {
            return item;
        }
    }
    &items[items.len() - 1]
}

/// A valid 18-character resident ID number (GB 11643 check character), unique per `seq`.
/// Synthetic: region 110105, a birth date between 1950 and 2005.
pub(super) fn id_number(rng: &mut StdRng, seq: u32) -> String {
    let year = rng.random_range(1950..2005);
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    let body = format!("110105{year:04}{month:02}{day:02}{:03}", seq % 1000);
    // Different people born on the same day need different sequence numbers; the date
    // varies with seq / 1000 as well so numbers never repeat.
    let body = if seq >= 1000 {
        format!(
            "1101{:02}{year:04}{month:02}{day:02}{:03}",
            6 + (seq / 1000) % 90,
            seq % 1000
        )
    } else {
        body
    };
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = char::from(CHECK[usize::try_from(sum % 11).unwrap_or(0)]);
    format!("{body}{check}")
}

/// Where a visit is sent when it turns out to need another service: 咨询 leads to the
/// first other service, anything else to the next service in the configuration.
pub(super) fn transfer_target(config: &HallConfig, from: &ServiceId) -> Option<ServiceId> {
    let ids: Vec<&str> = config.services.iter().map(|s| s.id.as_str()).collect();
    let i = ids.iter().position(|id| *id == from.0)?;
    let next = ids.get((i + 1) % ids.len())?;
    (*next != from.0).then(|| ServiceId::new(*next))
}

/// exp(N(0, sigma²)) by Box–Muller: median 1.
pub(super) fn log_normal(rng: &mut StdRng, sigma: f64) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (sigma * z).exp()
}

/// 60 % 非常满意, 25 % 满意, 9 % 基本满意, 3.5 % 不满意, 2.5 % 非常不满意; a 差评 names
/// one or two reasons and sometimes a preset comment.
pub(super) fn rating(rng: &mut StdRng, comments: &[String]) -> RatingPlan {
    let roll: f64 = rng.random();
    let level = match roll {
        r if r < 0.60 => 5,
        r if r < 0.85 => 4,
        r if r < 0.94 => 3,
        r if r < 0.975 => 2,
        _ => 1,
    };
    let level = RatingLevel::new(level).unwrap_or(RatingLevel::BASIC);
    if !level.is_bad() {
        return RatingPlan::Rate(level, Vec::new(), None);
    }
    let mut reasons = vec![RatingReason::ALL[rng.random_range(0..RatingReason::ALL.len())]];
    if rng.random_bool(0.3) {
        reasons.push(RatingReason::ALL[rng.random_range(0..RatingReason::ALL.len())]);
    }
    let comment = (!comments.is_empty() && rng.random_bool(0.6))
        .then(|| comments[rng.random_range(0..comments.len())].clone());
    RatingPlan::Rate(level, reasons, comment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn id_numbers_are_valid_and_distinct() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut seen = std::collections::HashSet::new();
        for seq in 0..3000 {
            let n = id_number(&mut rng, seq);
            assert!(crate::core::id_number::IdNumber::parse(&n).is_ok(), "{n}");
            assert!(seen.insert(n));
        }
    }

    #[test]
    fn ratings_are_mostly_good() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut counts = [0u32; 5];
        for _ in 0..2000 {
            let RatingPlan::Rate(level, reasons, _) = rating(&mut rng, &["态度不好".into()])
            else {
                panic!("rating() always rates")
            };
            counts[usize::from(level.get() - 1)] += 1;
            assert_eq!(level.is_bad(), !reasons.is_empty());
        }
        assert!(counts[4] > 1000 && counts[3] > 350, "{counts:?}");
        assert!(
            counts[0] + counts[1] > 50 && counts[0] + counts[1] < 250,
            "{counts:?}"
        );
    }
}
