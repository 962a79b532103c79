//! Unit tests of the evaluator's state machine: explicit instants, no clock reads, no I/O.

use std::time::{Duration, Instant};

use super::state::{
    Connection, Effect, Evaluator, EvaluatorSettings, Input, NOTE_UNSENT, Phase, ServerChange,
};
use super::view::{Page, stars};
use crate::client::rating::{PendingRating, Rated, RatingBody, WindowRating};
use crate::client::{ApiErrorBody, ClientError, StaffInfo};
use crate::core::RatingReason;

fn rating(pending: Option<(u64, &str, u32)>) -> WindowRating {
    WindowRating {
        window: 3,
        window_name: "社保窗口".into(),
        staff: Some(StaffInfo {
            id: "1001".into(),
            name: "张三".into(),
        }),
        pending: pending.map(|(ticket, number, seconds_left)| PendingRating {
            ticket,
            number: number.into(),
            service_name: "综合受理".into(),
            until: "2026-11-23T02:03:04Z".into(),
            seconds_left,
        }),
        timeout_s: 60,
        comments: vec![
            "等候时间太长".into(),
            "态度不好".into(),
            "业务不熟练".into(),
        ],
    }
}

fn evaluator(t0: Instant) -> Evaluator {
    let mut e = Evaluator::new(EvaluatorSettings::new(3));
    assert_eq!(e.handle(t0, Input::Connected), vec![Effect::Refresh]);
    e.handle(t0, Input::Rating(rating(None)));
    e
}

/// An evaluator asking about ticket 12 (A023) with 57 s left at `t0`.
fn asking(t0: Instant) -> Evaluator {
    let mut e = evaluator(t0);
    e.handle(t0, Input::Rating(rating(Some((12, "A023", 57)))));
    e
}

fn api_error(status: u16, code: &str, message: &str) -> ClientError {
    ClientError::Api {
        status,
        body: ApiErrorBody {
            error: code.into(),
            message: message.into(),
            detail: String::new(),
            existing: None,
        },
    }
}

fn rated(level: u8) -> Result<Rated, ClientError> {
    Ok(Rated {
        number: "A023".into(),
        level,
        follow_up: None,
    })
}

fn secs(t0: Instant, s: u64) -> Instant {
    t0 + Duration::from_secs(s)
}

#[test]
fn idle_shows_the_window_and_its_staff_only() {
    let t0 = Instant::now();
    let fresh = Evaluator::new(EvaluatorSettings::new(3));
    assert_eq!(fresh.view(t0).page, Page::Loading);
    let e = evaluator(t0);
    let v = e.view(t0);
    assert_eq!(v.page, Page::Idle);
    assert_eq!(v.window_title, "3号窗口");
    assert_eq!(v.window_name, "社保窗口");
    assert_eq!(
        (v.staff_name.as_str(), v.staff_id.as_str()),
        ("张三", "1001")
    );
    assert!(v.number.is_empty() && !v.offline && !v.busy);
}

#[test]
fn a_finished_ticket_is_asked_with_no_level_chosen_and_a_countdown() {
    let t0 = Instant::now();
    let e = asking(t0);
    let v = e.view(t0 + Duration::from_millis(500));
    assert_eq!(v.page, Page::Question);
    assert_eq!(v.number, "A023");
    assert_eq!(v.seconds_left, 57, "56.5 s left shows as 57");
    let labels: Vec<&str> = v.levels.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    );
    let levels: Vec<u8> = v.levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, [5, 4, 3, 2, 1]);
    assert!(
        v.levels.iter().all(|l| !l.chosen),
        "a level is pre-selected"
    );
    assert!(v.reasons.iter().all(|r| !r.checked));
    assert_eq!(e.view(secs(t0, 50)).seconds_left, 7);
    assert_eq!(stars(2), "★★☆☆☆");
    assert_eq!(stars(5), "★★★★★");
}

#[test]
fn a_good_level_is_sent_at_once_then_thanks_then_idle() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    let effects = e.handle(secs(t0, 3), Input::Choose(5));
    assert_eq!(
        effects,
        vec![Effect::Submit {
            ticket: 12,
            body: RatingBody {
                level: 5,
                reasons: vec![],
                comment: None,
            },
        }]
    );
    let v = e.view(secs(t0, 3));
    assert!(v.busy);
    assert_eq!(v.page, Page::Question);
    assert!(v.levels.iter().filter(|l| l.chosen).all(|l| l.level == 5));
    // A second press while the first is on its way sends nothing.
    assert!(e.handle(secs(t0, 3), Input::Choose(4)).is_empty());
    // Our own rating on the event stream does not cut the wait for the answer.
    e.handle(
        secs(t0, 3),
        Input::Server(ServerChange::Rated { ticket: 12 }),
    );
    assert!(e.view(secs(t0, 3)).busy);
    e.handle(
        secs(t0, 4),
        Input::Answer {
            ticket: 12,
            result: rated(5),
        },
    );
    assert_eq!(e.view(secs(t0, 4)).page, Page::Thanks);
    e.handle(secs(t0, 7), Input::Tick);
    assert_eq!(e.view(secs(t0, 7)).page, Page::Thanks);
    e.handle(secs(t0, 8), Input::Tick);
    assert_eq!(e.view(secs(t0, 8)).page, Page::Idle);
    // A late re-read that still lists the visit does not ask again.
    e.handle(secs(t0, 9), Input::Rating(rating(Some((12, "A023", 50)))));
    assert_eq!(e.view(secs(t0, 9)).page, Page::Idle);
}

#[test]
fn a_bad_level_asks_for_reasons_and_comments_before_sending() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    // Reasons cannot be toggled before a bad level is chosen.
    e.handle(t0, Input::ToggleReason(RatingReason::Attitude));
    assert!(e.asking().unwrap().reasons.is_empty());
    assert!(e.handle(t0, Input::Choose(2)).is_empty());
    let v = e.view(t0);
    assert_eq!(v.page, Page::Reasons);
    assert_eq!((v.chosen_label.as_str(), v.chosen_stars), ("不满意", 2));
    let reasons: Vec<&str> = v.reasons.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(reasons, ["服务效率", "服务水平", "服务态度"]);
    assert_eq!(v.comments.len(), 3);

    e.handle(t0, Input::ToggleReason(RatingReason::Attitude));
    e.handle(t0, Input::ToggleReason(RatingReason::Efficiency));
    e.handle(t0, Input::ToggleReason(RatingReason::Efficiency));
    e.handle(t0, Input::ToggleComment("态度不好".into()));
    e.handle(t0, Input::ToggleComment("等候时间太长".into()));
    // Only preset phrases: no free text reaches the server.
    e.handle(t0, Input::ToggleComment("随便写的".into()));
    let v = e.view(t0);
    assert!(v.reasons[2].checked && !v.reasons[0].checked);
    assert!(v.comments[0].checked && v.comments[1].checked && !v.comments[2].checked);

    let effects = e.handle(secs(t0, 10), Input::Submit);
    assert_eq!(
        effects,
        vec![Effect::Submit {
            ticket: 12,
            body: RatingBody {
                level: 2,
                reasons: vec![RatingReason::Attitude],
                // In the configured order, whatever order they were picked in.
                comment: Some("等候时间太长；态度不好".into()),
            },
        }]
    );
    // Nothing changes while the rating is on its way.
    e.handle(secs(t0, 10), Input::ToggleReason(RatingReason::Competence));
    e.handle(secs(t0, 10), Input::Back);
    assert_eq!(e.view(secs(t0, 10)).page, Page::Reasons);
    assert!(!e.view(secs(t0, 10)).reasons[1].checked);
    e.handle(
        secs(t0, 11),
        Input::Answer {
            ticket: 12,
            result: rated(2),
        },
    );
    assert_eq!(e.view(secs(t0, 11)).page, Page::Thanks);
}

#[test]
fn back_returns_to_the_five_levels_with_nothing_kept() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    e.handle(t0, Input::Choose(1));
    e.handle(t0, Input::ToggleReason(RatingReason::Competence));
    e.handle(t0, Input::Back);
    let v = e.view(t0);
    assert_eq!(v.page, Page::Question);
    assert!(v.levels.iter().all(|l| !l.chosen));
    e.handle(t0, Input::Choose(1));
    assert!(e.view(t0).reasons.iter().all(|r| !r.checked));
    // Submit with nothing chosen: level only.
    let effects = e.handle(t0, Input::Submit);
    assert_eq!(
        effects,
        vec![Effect::Submit {
            ticket: 12,
            body: RatingBody {
                level: 1,
                reasons: vec![],
                comment: None,
            },
        }]
    );
}

#[test]
fn the_countdown_ends_the_question_and_declines_once() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    e.handle(secs(t0, 5), Input::Choose(2));
    assert!(e.handle(secs(t0, 56), Input::Tick).is_empty());
    assert_eq!(
        e.view(secs(t0, 56)).page,
        Page::Reasons,
        "countdown continues"
    );
    assert_eq!(e.view(secs(t0, 56)).seconds_left, 1);
    assert_eq!(
        e.handle(secs(t0, 57), Input::Tick),
        vec![Effect::Decline { ticket: 12 }]
    );
    assert_eq!(e.view(secs(t0, 57)).page, Page::Idle);
    assert!(e.handle(secs(t0, 58), Input::Tick).is_empty());
    // The server's timer has not fired yet: the re-read still lists it, with 0 s left.
    e.handle(secs(t0, 58), Input::Rating(rating(Some((12, "A023", 0)))));
    assert_eq!(e.view(secs(t0, 58)).page, Page::Idle);
    // Choosing on the idle screen does nothing.
    assert!(e.handle(secs(t0, 58), Input::Choose(5)).is_empty());

    let mut quiet = Evaluator::new(EvaluatorSettings {
        decline_on_timeout: false,
        ..EvaluatorSettings::new(3)
    });
    quiet.handle(t0, Input::Rating(rating(Some((13, "A024", 10)))));
    assert!(quiet.handle(secs(t0, 10), Input::Tick).is_empty());
    assert_eq!(quiet.view(secs(t0, 10)).page, Page::Idle);
}

#[test]
fn a_shorter_server_count_wins_but_never_counts_up() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    e.handle(secs(t0, 10), Input::Rating(rating(Some((12, "A023", 40)))));
    assert_eq!(e.view(secs(t0, 10)).seconds_left, 40);
    e.handle(secs(t0, 11), Input::Rating(rating(Some((12, "A023", 55)))));
    assert_eq!(e.view(secs(t0, 11)).seconds_left, 39);
}

#[test]
fn a_refusal_shows_the_servers_words_then_idle() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    e.handle(t0, Input::Choose(4));
    let effects = e.handle(
        secs(t0, 1),
        Input::Answer {
            ticket: 12,
            result: Err(api_error(409, "already_rated", "该服务已评价")),
        },
    );
    assert_eq!(effects, vec![Effect::Refresh]);
    let v = e.view(secs(t0, 1));
    assert_eq!(v.page, Page::Notice);
    assert_eq!(v.message, "该服务已评价");
    e.handle(secs(t0, 5), Input::Tick);
    assert_eq!(e.view(secs(t0, 5)).page, Page::Idle);
    e.handle(secs(t0, 6), Input::Rating(rating(Some((12, "A023", 40)))));
    assert_eq!(
        e.view(secs(t0, 6)).page,
        Page::Idle,
        "refused visit asked again"
    );

    let mut e = asking(t0);
    e.handle(t0, Input::Choose(3));
    e.handle(
        t0,
        Input::Answer {
            ticket: 12,
            result: Err(ClientError::Status {
                status: 409,
                detail: String::new(),
            }),
        },
    );
    assert_eq!(e.view(t0).message, "评价未能提交");
}

#[test]
fn an_unreachable_server_keeps_the_choice_for_another_try() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    e.handle(t0, Input::Choose(1));
    e.handle(t0, Input::ToggleReason(RatingReason::Efficiency));
    e.handle(t0, Input::Submit);
    e.handle(
        secs(t0, 5),
        Input::Answer {
            ticket: 12,
            result: Err(ClientError::Unreachable("connection refused".into())),
        },
    );
    let v = e.view(secs(t0, 5));
    assert_eq!(v.page, Page::Reasons);
    assert!(v.offline && !v.busy);
    assert_eq!(v.note, NOTE_UNSENT);
    assert!(v.reasons[0].checked, "the choice is kept");
    assert_eq!(e.connection(), Connection::Offline);
    let effects = e.handle(secs(t0, 8), Input::Submit);
    assert!(matches!(&effects[..], [Effect::Submit { ticket: 12, body }] if body.level == 1));
    assert!(e.view(secs(t0, 8)).note.is_empty());
}

#[test]
fn rated_or_unrated_elsewhere_ends_the_question() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    e.handle(t0, Input::Server(ServerChange::Rated { ticket: 99 }));
    assert_eq!(e.view(t0).page, Page::Question, "another ticket's rating");
    e.handle(t0, Input::Server(ServerChange::Unrated { ticket: 12 }));
    assert_eq!(e.view(t0).page, Page::Idle);

    let mut e = asking(t0);
    e.handle(t0, Input::Choose(2));
    e.handle(t0, Input::Server(ServerChange::Rated { ticket: 12 }));
    assert_eq!(e.view(t0).page, Page::Idle);
    // A late answer about it changes nothing.
    e.handle(
        t0,
        Input::Answer {
            ticket: 12,
            result: rated(2),
        },
    );
    assert_eq!(e.view(t0).page, Page::Idle);

    let mut e = asking(t0);
    e.handle(secs(t0, 2), Input::Rating(rating(None)));
    assert_eq!(
        e.view(secs(t0, 2)).page,
        Page::Idle,
        "server stopped waiting"
    );
    assert_eq!(
        e.handle(t0, Input::Server(ServerChange::WindowChanged)),
        vec![Effect::Refresh]
    );
}

#[test]
fn a_new_finish_replaces_the_visit_being_asked() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    e.handle(t0, Input::Choose(2));
    e.handle(secs(t0, 5), Input::Rating(rating(Some((14, "A025", 60)))));
    let v = e.view(secs(t0, 5));
    assert_eq!(
        (v.page, v.number.as_str(), v.seconds_left),
        (Page::Question, "A025", 60)
    );
    e.handle(secs(t0, 6), Input::Rating(rating(Some((12, "A023", 30)))));
    assert_eq!(
        e.view(secs(t0, 6)).number,
        "A025",
        "the old visit came back"
    );

    // While a rating is on its way, its answer decides.
    let mut e = asking(t0);
    e.handle(t0, Input::Choose(5));
    e.handle(t0, Input::Rating(rating(Some((14, "A025", 60)))));
    assert_eq!(e.view(t0).number, "A023");
    e.handle(
        t0,
        Input::Answer {
            ticket: 12,
            result: rated(5),
        },
    );
    assert_eq!(e.view(t0).page, Page::Thanks);
    // During the thanks, the next visit is asked at once.
    e.handle(secs(t0, 1), Input::Rating(rating(Some((14, "A025", 59)))));
    assert_eq!(e.view(secs(t0, 1)).page, Page::Question);
}

#[test]
fn elderly_mode_is_the_raters_choice_for_one_visit() {
    let t0 = Instant::now();
    let mut e = asking(t0);
    assert!(!e.view(t0).elderly);
    e.handle(t0, Input::ToggleElderly);
    assert!(e.view(t0).elderly);
    e.handle(secs(t0, 57), Input::Tick);
    assert!(
        !e.view(secs(t0, 57)).elderly,
        "back to the default after the visit"
    );

    let mut e = Evaluator::new(EvaluatorSettings {
        elderly_default: true,
        ..EvaluatorSettings::new(3)
    });
    assert!(e.view(t0).elderly);
    e.handle(t0, Input::ToggleElderly);
    e.handle(t0, Input::Rating(rating(Some((12, "A023", 57)))));
    assert!(e.view(t0).elderly, "a new visit starts in the default mode");
}

#[test]
fn other_windows_and_bad_inputs_are_ignored() {
    let t0 = Instant::now();
    let mut e = evaluator(t0);
    let mut other = rating(Some((12, "A023", 57)));
    other.window = 4;
    e.handle(t0, Input::Rating(other));
    assert_eq!(e.view(t0).page, Page::Idle);
    let mut e = asking(t0);
    assert!(e.handle(t0, Input::Choose(0)).is_empty());
    assert!(e.handle(t0, Input::Choose(6)).is_empty());
    assert!(
        e.handle(t0, Input::Submit).is_empty(),
        "submit on the levels page"
    );
    assert!(matches!(e.phase(), Phase::Asking(a) if a.sent.is_none() && a.bad.is_none()));
    e.handle(t0, Input::Disconnected);
    assert!(e.view(t0).offline);
    e.handle(t0, Input::Rating(rating(Some((12, "A023", 57)))));
    assert!(!e.view(t0).offline);
}
