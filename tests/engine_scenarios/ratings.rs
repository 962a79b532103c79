//! 好差评 in the engine: one rating per visit, no rating without a finished visit, timeout →
//! unrated, a 差评 opens a follow-up with the configured deadlines, follow-ups only move
//! forward, overdue flags move with (injected) time, and replay gives the same state.

use hallq::core::*;
use jiff::{SignedDuration, Timestamp};

use super::support::*;

fn rate(level: u8) -> Command {
    rate_with(level, vec![], None)
}

fn rate_with(level: u8, reasons: Vec<RatingReason>, comment: Option<&str>) -> Command {
    Command::Rate {
        window: w(1),
        level: RatingLevel::new(level).unwrap(),
        reasons,
        comment: comment.map(str::to_string),
        channel: RatingChannel::Evaluator,
    }
}

/// A ticket issued, called and finished at window 1 at 9:00; returns its number.
fn finished_visit(s: &mut Script) -> String {
    s.issue(at(9, 0), "A");
    let n = s.call_next(at(9, 0), 1);
    s.window_cmd(
        at(9, 0),
        Command::Finish {
            window: w(1),
            case_number: Some("BJ-2026-0001".into()),
        },
    );
    n
}

fn secs(t: Timestamp, s: i64) -> Timestamp {
    t + SignedDuration::from_secs(s)
}

#[test]
fn a_finished_visit_is_rated_once_and_a_second_rating_is_refused() {
    let mut s = Script::new(rules());
    let n = finished_visit(&mut s);
    let t = s.e.find_ticket(&num(&n)).unwrap();
    assert!(matches!(t.rating, RatingMark::Awaiting { .. }));

    s.run(secs(at(9, 0), 5), rate(5)).unwrap();
    let rated = s.changes();
    let [Change::TicketRated { rating }] = rated.as_slice() else {
        panic!("expected one TicketRated, got {rated:?}");
    };
    assert_eq!(rating.level.get(), 5);
    assert_eq!(rating.number.as_str(), n);
    assert_eq!(rating.case_number.as_deref(), Some("BJ-2026-0001"));
    assert_eq!(rating.service_name, "业务A");
    assert_eq!(
        s.e.find_ticket(&num(&n)).unwrap().rating,
        RatingMark::Rated {
            level: RatingLevel::new(5).unwrap()
        }
    );

    let again = s.fail(secs(at(9, 0), 6), rate(1));
    assert_eq!(again, Rejected::AlreadyRated { number: num(&n) });
    assert_eq!(again.code(), "already_rated");
    assert!(
        s.e.followups().next().is_none(),
        "a refused 差评 opens nothing"
    );
}

#[test]
fn nothing_can_be_rated_before_a_window_finishes_a_visit() {
    let mut s = Script::new(rules());
    assert_eq!(s.fail(at(9, 0), rate(4)), Rejected::NothingToRate(w(1)));
    s.issue(at(9, 0), "A");
    s.call_next(at(9, 0), 1);
    // Called but not finished: still nothing to rate.
    assert_eq!(s.fail(at(9, 1), rate(4)), Rejected::NothingToRate(w(1)));
    assert_eq!(
        s.fail(
            at(9, 1),
            Command::Rate {
                window: w(9),
                level: RatingLevel::new(4).unwrap(),
                reasons: vec![],
                comment: None,
                channel: RatingChannel::Evaluator,
            }
        ),
        Rejected::UnknownWindow(w(9))
    );
}

#[test]
fn the_visit_is_unrated_when_the_timeout_passes_and_cannot_be_rated_after() {
    let mut s = Script::new(rules());
    let n = finished_visit(&mut s);
    // Default timeout 60 s: due exactly then.
    assert_eq!(s.e.next_deadline(), Some(secs(at(9, 0), 60)));
    s.run(secs(at(9, 0), 59), Command::Tick).unwrap();
    assert!(s.changes().is_empty());
    s.run(secs(at(9, 0), 60), Command::Tick).unwrap();
    assert!(matches!(
        s.changes().as_slice(),
        [Change::TicketUnrated { number, window, .. }] if number.as_str() == n && *window == w(1)
    ));
    assert_eq!(
        s.e.find_ticket(&num(&n)).unwrap().rating,
        RatingMark::Unrated
    );
    assert_eq!(
        s.fail(secs(at(9, 0), 61), rate(5)),
        Rejected::NothingToRate(w(1))
    );
}

#[test]
fn the_configured_timeout_is_used() {
    let mut r = rules();
    r.ratings.timeout = SignedDuration::from_secs(15);
    let mut s = Script::new(r);
    finished_visit(&mut s);
    assert_eq!(s.e.next_deadline(), Some(secs(at(9, 0), 15)));
    // A rating command arriving after the deadline finds the visit already unrated.
    let refused = s.fail(secs(at(9, 0), 16), rate(4));
    assert_eq!(refused, Rejected::NothingToRate(w(1)));
    assert!(matches!(
        s.changes().as_slice(),
        [Change::TicketUnrated { .. }]
    ));
}

#[test]
fn finishing_the_next_visit_leaves_the_previous_one_unrated() {
    let mut s = Script::new(rules());
    let first = finished_visit(&mut s);
    s.issue(at(9, 0), "A");
    let second = s.call_next(at(9, 0), 1);
    s.window_cmd(
        secs(at(9, 0), 20),
        Command::Finish {
            window: w(1),
            case_number: None,
        },
    );
    let changes = s.changes();
    assert!(
        matches!(changes[0], Change::TicketUnrated { number, .. } if number.as_str() == first),
        "{changes:?}"
    );
    assert!(matches!(changes[1], Change::TicketFinished { .. }));
    s.run(secs(at(9, 0), 21), rate(4)).unwrap();
    assert!(matches!(
        s.changes().as_slice(),
        [Change::TicketRated { rating }] if rating.number.as_str() == second
    ));
}

#[test]
fn declining_records_unrated_once() {
    let mut s = Script::new(rules());
    let n = finished_visit(&mut s);
    s.run(secs(at(9, 0), 30), Command::DeclineRating { window: w(1) })
        .unwrap();
    assert_eq!(
        s.e.find_ticket(&num(&n)).unwrap().rating,
        RatingMark::Unrated
    );
    assert_eq!(
        s.fail(at(9, 1), Command::DeclineRating { window: w(1) }),
        Rejected::NothingToRate(w(1))
    );
}

#[test]
fn a_bad_rating_opens_a_follow_up_with_the_configured_deadlines() {
    let mut r = rules();
    r.ratings.callback_within = SignedDuration::from_hours(24);
    r.ratings.rectify_within = SignedDuration::from_hours(24 * 7);
    let mut s = Script::new(r);
    finished_visit(&mut s);
    let when = secs(at(9, 0), 10);
    s.run(
        when,
        rate_with(
            2,
            vec![
                RatingReason::Attitude,
                RatingReason::Efficiency,
                RatingReason::Attitude,
            ],
            Some("  等候时间太长  "),
        ),
    )
    .unwrap();
    let changes = s.changes();
    let [
        Change::TicketRated { rating },
        Change::FollowUpOpened { followup },
    ] = changes.as_slice()
    else {
        panic!("{changes:?}");
    };
    assert_eq!(
        rating.reasons,
        vec![RatingReason::Efficiency, RatingReason::Attitude],
        "sorted, no duplicates"
    );
    assert_eq!(rating.comment.as_deref(), Some("等候时间太长"));
    assert_eq!(followup.id, FollowUpId(1));
    assert_eq!(followup.state, FollowUpState::Open);
    assert_eq!(followup.callback_due, when + SignedDuration::from_hours(24));
    assert_eq!(
        followup.rectify_due,
        when + SignedDuration::from_hours(24 * 7)
    );
    assert_eq!(followup.level.get(), 2);
}

#[test]
fn good_ratings_open_no_follow_up() {
    for level in [3, 4, 5] {
        let mut s = Script::new(rules());
        finished_visit(&mut s);
        s.run(secs(at(9, 0), 30), rate(level)).unwrap();
        assert!(s.e.followups().next().is_none(), "level {level}");
    }
}

#[test]
fn follow_ups_move_forward_only_and_overdue_follows_the_clock() {
    let mut s = Script::new(rules());
    finished_visit(&mut s);
    s.run(secs(at(9, 0), 30), rate(1)).unwrap();
    let id = FollowUpId(1);
    let order = s.e.followup(id).unwrap().clone();
    let rated_at = secs(at(9, 0), 30);
    assert_eq!(order.overdue(at(9, 2)), None);
    assert_eq!(
        order.overdue(rated_at + SignedDuration::from_hours(25)),
        Some(Overdue::Callback)
    );
    let update = |state, level: Option<u8>| {
        Command::UpdateFollowUp(FollowUpUpdate {
            id,
            state,
            note: Some("已电话回访".into()),
            by: Some("s1".into()),
            follow_up_level: level.and_then(RatingLevel::new),
        })
    };
    s.run(at(10, 0), update(FollowUpState::CalledBack, None))
        .unwrap();
    let order = s.e.followup(id).unwrap().clone();
    assert_eq!(order.called_back_at, Some(at(10, 0)));
    assert_eq!(
        order.overdue(rated_at + SignedDuration::from_hours(25)),
        None,
        "called back in time"
    );
    assert_eq!(
        order.overdue(rated_at + SignedDuration::from_hours(24 * 15 + 1)),
        Some(Overdue::Rectification)
    );
    assert_eq!(
        s.fail(at(10, 5), update(FollowUpState::Open, None)),
        Rejected::FollowUpStep {
            from: FollowUpState::CalledBack,
            to: FollowUpState::Open
        }
    );
    assert_eq!(
        s.fail(at(10, 5), update(FollowUpState::FollowUpRated, Some(4))),
        Rejected::FollowUpStep {
            from: FollowUpState::CalledBack,
            to: FollowUpState::FollowUpRated
        },
        "rectification is never skipped"
    );
    s.run(at(10, 6), update(FollowUpState::Rectified, None))
        .unwrap();
    assert_eq!(
        s.fail(at(10, 6), update(FollowUpState::FollowUpRated, None)),
        Rejected::FollowUpLevelRequired
    );
    s.run(at(10, 7), update(FollowUpState::FollowUpRated, Some(4)))
        .unwrap();
    assert_eq!(
        s.e.followup(id).unwrap().follow_up_level,
        RatingLevel::new(4)
    );
    s.run(at(10, 8), update(FollowUpState::Closed, None))
        .unwrap();
    assert!(s.e.followup(id).is_none(), "closed orders leave the engine");
    assert_eq!(
        s.fail(at(10, 9), update(FollowUpState::Closed, None)),
        Rejected::UnknownFollowUp(id)
    );
}

#[test]
fn replaying_the_log_or_restoring_a_snapshot_gives_the_same_rating_state() {
    let mut s = Script::new(rules());
    finished_visit(&mut s);
    s.run(secs(at(9, 0), 30), rate(2)).unwrap();
    finished_visit(&mut s);
    let snapshot = s.e.snapshot();

    let mut replayed = Engine::new(rules());
    for e in &s.log {
        replayed.apply(e);
    }
    let restored = Engine::restore(
        rules(),
        serde_json::from_value(serde_json::to_value(&snapshot).unwrap()).unwrap(),
    );
    for other in [&replayed, &restored] {
        assert_eq!(other.followups().count(), 1);
        assert_eq!(other.followup(FollowUpId(1)), s.e.followup(FollowUpId(1)));
        let last = other.window(w(1)).unwrap().last_finished.unwrap();
        assert!(matches!(
            other.ticket(last).unwrap().rating,
            RatingMark::Awaiting { .. }
        ));
        assert_eq!(other.next_deadline(), s.e.next_deadline());
    }
    // The next 差评 after a restore gets a fresh follow-up id.
    let mut e = restored;
    e.handle(secs(at(9, 0), 40), rate(1)).unwrap();
    assert!(e.followup(FollowUpId(2)).is_some());
}
