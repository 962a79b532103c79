//! Who a window calls next. The whole calling policy is [`next_for_window`].

use jiff::Timestamp;

use super::rules::{QueueRules, WindowRules};
use super::state::{Index, QueueEntry, ServiceQueues, class_index};
use super::types::{ServiceId, TicketClass, TicketId};

/// A window's consecutive-call counters (see `WindowState`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Streaks {
    pub priority: u32,
    pub appointment: u32,
}

/// Picks the ticket `window` calls next at engine time `now`, or `None` when nothing is
/// callable there.
///
/// 1. Tickets transferred to this very window come first, oldest order key first.
/// 2. Then a class is chosen among the services the window serves (and the signed-in
///    staff member may handle):
///    - **Priority** (green channel) when one waits and the window has made fewer than
///      `priority_streak` priority calls in a row, or when no regular ticket waits;
///    - else **Appointment** when one waits and fewer than `appointment_ratio` appointment
///      calls were made since the last walk-in, or when no walk-in waits;
///    - else **WalkIn**.
/// 3. Within that class, each service's head ticket scores its waiting time multiplied by
///    the window's weight for the service; the highest score wins, ties going to the
///    smaller order key. With equal weights this is first come, first served by original
///    issue time (a transfer keeps it).
pub(crate) fn next_for_window(
    now: Timestamp,
    window: &WindowRules,
    streaks: Streaks,
    may_handle: impl Fn(&ServiceId) -> bool,
    index: &Index,
    rules: &QueueRules,
) -> Option<TicketId> {
    if let Some((_, id)) = index.directed.get(&window.number).and_then(|q| q.first()) {
        return Some(*id);
    }
    let served: Vec<(&ServiceQueues, u32)> = window
        .services
        .iter()
        .filter(|(service, _)| may_handle(service))
        .filter_map(|(service, weight)| index.queues.get(service).map(|q| (q, *weight)))
        .collect();
    let waits = |class: TicketClass| {
        served
            .iter()
            .any(|(q, _)| !q[class_index(class)].is_empty())
    };
    let (priority, appointment, walk_in) = (
        waits(TicketClass::Priority),
        waits(TicketClass::Appointment),
        waits(TicketClass::WalkIn),
    );
    let class =
        if priority && (streaks.priority < rules.priority_streak || !(appointment || walk_in)) {
            TicketClass::Priority
        } else if appointment && (streaks.appointment < rules.appointment_ratio || !walk_in) {
            TicketClass::Appointment
        } else if walk_in {
            TicketClass::WalkIn
        } else {
            return None;
        };
    let now_ms = i128::from(now.as_millisecond());
    served
        .iter()
        .filter_map(|(q, weight)| {
            let head: &QueueEntry = q[class_index(class)].first()?;
            let waited = (now_ms - i128::from(head.0.ms)).max(0);
            Some((waited * i128::from(*weight), *head))
        })
        .max_by(|(score_a, head_a), (score_b, head_b)| {
            score_a.cmp(score_b).then_with(|| head_b.cmp(head_a))
        })
        .map(|(_, (_, id))| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::types::{OrderKey, WindowNo};

    const NOW_MS: i64 = 1_000_000;

    fn window(services: &[(&str, u32)]) -> WindowRules {
        WindowRules {
            number: WindowNo(1),
            name: "1".into(),
            services: services
                .iter()
                .map(|(s, w)| (ServiceId::new(*s), *w))
                .collect(),
        }
    }

    /// (service, class, waited ms, id)
    fn index(tickets: &[(&str, TicketClass, i64, u64)]) -> Index {
        let mut index = Index::default();
        for &(service, class, waited, id) in tickets {
            let key = OrderKey {
                ms: NOW_MS - waited,
                sub: id << 20,
            };
            index.queues.entry(ServiceId::new(service)).or_default()[class_index(class)]
                .insert((key, TicketId(id)));
        }
        index
    }

    fn pick(w: &WindowRules, streaks: Streaks, index: &Index) -> Option<u64> {
        let now = Timestamp::from_millisecond(NOW_MS).unwrap();
        next_for_window(now, w, streaks, |_| true, index, &QueueRules::default()).map(|t| t.0)
    }

    use TicketClass::*;

    #[test]
    fn first_come_first_served_across_equal_weights() {
        let w = window(&[("A", 1), ("B", 1)]);
        let ix = index(&[(("A"), WalkIn, 100, 2), ("B", WalkIn, 200, 1)]);
        assert_eq!(pick(&w, Streaks::default(), &ix), Some(1));
    }

    #[test]
    fn weight_multiplies_waiting_time() {
        let w = window(&[("A", 3), ("B", 1)]);
        let ix = index(&[("A", WalkIn, 100, 2), ("B", WalkIn, 200, 1)]);
        assert_eq!(pick(&w, Streaks::default(), &ix), Some(2));
    }

    #[test]
    fn ties_go_to_the_smaller_order_key() {
        let w = window(&[("A", 1), ("B", 1)]);
        let ix = index(&[("A", WalkIn, 100, 7), ("B", WalkIn, 100, 3)]);
        assert_eq!(pick(&w, Streaks::default(), &ix), Some(3));
    }

    #[test]
    fn priority_first_until_the_streak_then_one_regular() {
        let w = window(&[("A", 1)]);
        let ix = index(&[("A", Priority, 10, 1), ("A", WalkIn, 500, 2)]);
        assert_eq!(
            pick(
                &w,
                Streaks {
                    priority: 2,
                    appointment: 0
                },
                &ix
            ),
            Some(1)
        );
        assert_eq!(
            pick(
                &w,
                Streaks {
                    priority: 3,
                    appointment: 0
                },
                &ix
            ),
            Some(2)
        );
        let only_priority = index(&[("A", Priority, 10, 1)]);
        assert_eq!(
            pick(
                &w,
                Streaks {
                    priority: 9,
                    appointment: 0
                },
                &only_priority
            ),
            Some(1)
        );
    }

    #[test]
    fn appointments_before_walk_ins_by_ratio() {
        let w = window(&[("A", 1)]);
        let ix = index(&[("A", Appointment, 10, 1), ("A", WalkIn, 500, 2)]);
        assert_eq!(
            pick(
                &w,
                Streaks {
                    priority: 0,
                    appointment: 2
                },
                &ix
            ),
            Some(1)
        );
        assert_eq!(
            pick(
                &w,
                Streaks {
                    priority: 0,
                    appointment: 3
                },
                &ix
            ),
            Some(2)
        );
        let only_appointments = index(&[("A", Appointment, 10, 1)]);
        assert_eq!(
            pick(
                &w,
                Streaks {
                    priority: 0,
                    appointment: 3
                },
                &only_appointments
            ),
            Some(1)
        );
    }

    #[test]
    fn directed_tickets_come_first_and_unserved_services_are_ignored() {
        let w = window(&[("A", 1)]);
        let mut ix = index(&[("A", Priority, 900, 1), ("B", WalkIn, 5000, 3)]);
        assert_eq!(pick(&w, Streaks::default(), &ix), Some(1));
        ix.directed
            .entry(WindowNo(1))
            .or_default()
            .insert((OrderKey { ms: NOW_MS, sub: 0 }, TicketId(2)));
        assert_eq!(pick(&w, Streaks::default(), &ix), Some(2));
        assert_eq!(
            pick(
                &window(&[("C", 1)]),
                Streaks::default(),
                &index(&[("A", WalkIn, 1, 1)])
            ),
            None
        );
    }

    #[test]
    fn staff_filter_skips_services() {
        let w = window(&[("A", 1), ("B", 1)]);
        let ix = index(&[("A", WalkIn, 900, 1), ("B", WalkIn, 100, 2)]);
        let now = Timestamp::from_millisecond(NOW_MS).unwrap();
        let picked = next_for_window(
            now,
            &w,
            Streaks::default(),
            |s| s.as_str() == "B",
            &ix,
            &QueueRules::default(),
        );
        assert_eq!(picked, Some(TicketId(2)));
    }
}

/// The order key that puts a requeued ticket `places` places behind the head of `queue`
/// (that many tickets are called before it), or at the end when fewer wait. An empty
/// queue gives a fresh key at `now`.
pub(crate) fn requeue_key(
    queue: Option<&std::collections::BTreeSet<QueueEntry>>,
    places: u32,
    now: Timestamp,
    id: TicketId,
) -> super::types::OrderKey {
    use super::types::OrderKey;
    const GAP: u64 = 1 << 19;
    let fresh = OrderKey {
        ms: now.as_millisecond(),
        sub: id.0 << 20,
    };
    let Some(queue) = queue else {
        return fresh;
    };
    let places = usize::try_from(places).unwrap_or(usize::MAX);
    let mut iter = queue.iter().skip(places.saturating_sub(1));
    let before = if places == 0 {
        None
    } else {
        iter.next().map(|e| e.0)
    };
    let before = match before {
        Some(b) => b,
        None if places == 0 => {
            // In front of the head.
            return match queue.first() {
                Some((head, _)) => OrderKey {
                    ms: head.ms,
                    sub: head.sub.saturating_sub(1),
                },
                None => fresh,
            };
        }
        None => match queue.last() {
            Some((last, _)) => {
                return OrderKey {
                    ms: last.ms,
                    sub: last.sub.saturating_add(GAP),
                };
            }
            None => return fresh,
        },
    };
    match iter.next().map(|e| e.0) {
        Some(after) if after.ms == before.ms => OrderKey {
            ms: before.ms,
            sub: before.sub + (after.sub - before.sub) / 2,
        },
        _ => OrderKey {
            ms: before.ms,
            sub: before.sub.saturating_add(GAP),
        },
    }
}

#[cfg(test)]
mod requeue_tests {
    use super::*;
    use crate::core::types::OrderKey;
    use std::collections::BTreeSet;

    #[test]
    fn goes_k_places_behind_the_head_or_to_the_end() {
        let queue: BTreeSet<QueueEntry> = (1..=5u64)
            .map(|i| {
                (
                    OrderKey {
                        ms: 1000 * i as i64,
                        sub: i << 20,
                    },
                    TicketId(i),
                )
            })
            .collect();
        let now = Timestamp::from_millisecond(10_000).unwrap();
        let key = requeue_key(Some(&queue), 3, now, TicketId(9));
        let ahead = queue.iter().filter(|(k, _)| *k < key).count();
        assert_eq!(ahead, 3);
        let key = requeue_key(Some(&queue), 8, now, TicketId(9));
        assert!(queue.iter().all(|(k, _)| *k < key));
        let key = requeue_key(None, 3, now, TicketId(9));
        assert_eq!(
            key,
            OrderKey {
                ms: 10_000,
                sub: 9 << 20
            }
        );
    }

    #[test]
    fn fits_between_equal_milliseconds() {
        let queue: BTreeSet<QueueEntry> = (1..=3u64)
            .map(|i| {
                (
                    OrderKey {
                        ms: 5,
                        sub: i << 20,
                    },
                    TicketId(i),
                )
            })
            .collect();
        let now = Timestamp::from_millisecond(10).unwrap();
        let key = requeue_key(Some(&queue), 1, now, TicketId(9));
        assert_eq!(queue.iter().filter(|(k, _)| *k < key).count(), 1);
    }
}
