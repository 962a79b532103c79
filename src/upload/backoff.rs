//! When to try a failed record again: exponential backoff with full jitter above a floor.
//!
//! After the `n`-th failed attempt (n ≥ 1) the ceiling is `min · 2ⁿ`, capped at `max`, and
//! the delay is drawn uniformly from `[min, ceiling]`. The floor keeps a failing platform
//! from being hammered; the jitter spreads the retries of the halls of a province that all
//! lost the platform at the same moment, so they do not come back in one wave.
//!
//! Pure: the random fraction is passed in, so the function is tested without randomness.

use std::time::Duration;

/// Delay before the next attempt after `attempt` failed attempts (`0` is treated as `1`).
/// `fraction` is a random number in `[0, 1]` (clamped; NaN counts as 0). If `max < min`,
/// `min` wins.
pub fn delay(min: Duration, max: Duration, attempt: u32, fraction: f64) -> Duration {
    let max = max.max(min);
    let doublings = attempt.clamp(1, 64);
    // min · 2ⁿ without overflow: stop doubling once past max.
    let mut ceiling = min;
    for _ in 0..doublings {
        ceiling = ceiling.saturating_mul(2);
        if ceiling >= max {
            break;
        }
    }
    let ceiling = ceiling.min(max);
    let fraction = if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    };
    let spread = ceiling.saturating_sub(min);
    // Through f64 seconds, clamped: `mul_f64` could panic near `Duration::MAX`.
    let extra = Duration::try_from_secs_f64(spread.as_secs_f64() * fraction)
        .unwrap_or(spread)
        .min(spread);
    min.saturating_add(extra).min(max)
}

/// [`delay`] with a fresh random fraction.
pub fn delay_random(min: Duration, max: Duration, attempt: u32) -> Duration {
    delay(min, max, attempt, rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn first_retry_lies_between_min_and_twice_min() {
        assert_eq!(delay(S(5), S(1800), 1, 0.0), S(5));
        assert_eq!(delay(S(5), S(1800), 1, 1.0), S(10));
        assert_eq!(delay(S(5), S(1800), 1, 0.5), Duration::from_millis(7500));
    }

    #[test]
    fn ceiling_doubles_with_each_failure() {
        let tops: Vec<Duration> = (1..=6).map(|n| delay(S(5), S(1800), n, 1.0)).collect();
        assert_eq!(tops, [S(10), S(20), S(40), S(80), S(160), S(320)]);
    }

    #[test]
    fn capped_at_max_even_after_many_failures() {
        for attempt in [9, 10, 30, 63, 64, 1000, u32::MAX] {
            assert_eq!(
                delay(S(5), S(1800), attempt, 1.0),
                S(1800),
                "attempt {attempt}"
            );
            assert_eq!(
                delay(S(5), S(1800), attempt, 0.0),
                S(5),
                "attempt {attempt}"
            );
        }
    }

    #[test]
    fn never_below_min_and_never_above_max() {
        for attempt in 0..80 {
            for i in 0..=20 {
                let f = f64::from(i) / 20.0;
                let d = delay(S(3), S(100), attempt, f);
                assert!(
                    d >= S(3) && d <= S(100),
                    "attempt {attempt} fraction {f}: {d:?}"
                );
            }
        }
    }

    #[test]
    fn out_of_range_fractions_are_clamped() {
        assert_eq!(delay(S(5), S(1800), 2, -3.0), S(5));
        assert_eq!(delay(S(5), S(1800), 2, 7.0), S(20));
        assert_eq!(delay(S(5), S(1800), 2, f64::NAN), S(5));
        assert_eq!(delay(S(5), S(1800), 2, f64::INFINITY), S(20));
    }

    #[test]
    fn attempt_zero_counts_as_the_first_failure() {
        assert_eq!(delay(S(5), S(1800), 0, 1.0), delay(S(5), S(1800), 1, 1.0));
    }

    #[test]
    fn max_below_min_gives_min() {
        assert_eq!(delay(S(10), S(1), 4, 0.7), S(10));
    }

    #[test]
    fn huge_durations_do_not_overflow() {
        let d = delay(Duration::MAX, Duration::MAX, 64, 0.5);
        assert_eq!(d, Duration::MAX);
        let d = delay(Duration::from_millis(1), Duration::MAX, 64, 1.0);
        assert!(d >= Duration::from_secs(1 << 40));
        let d = delay(S(1), Duration::MAX, u32::MAX, 1.0);
        assert!(d >= Duration::from_secs(1 << 62));
    }

    #[test]
    fn random_delays_stay_within_bounds_and_vary() {
        let delays: Vec<Duration> = (0..200).map(|_| delay_random(S(5), S(1800), 4)).collect();
        assert!(delays.iter().all(|d| *d >= S(5) && *d <= S(80)));
        let first = delays[0];
        assert!(delays.iter().any(|d| *d != first), "jitter should vary");
    }
}
