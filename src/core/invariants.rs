//! A full consistency check of the state against its indexes (tests and diagnostics).

use std::collections::BTreeSet;

use super::catalog::Catalog;
use super::state::{Index, State, class_index};
use super::types::TicketState;

pub(crate) fn check(hall: &Catalog, st: &State) -> Result<(), String> {
    let mut queued = 0usize;
    let mut deadlines = BTreeSet::new();
    for t in st.tickets.values() {
        let current: Vec<_> = st
            .windows
            .values()
            .filter(|w| w.current == Some(t.id))
            .collect();
        let holding: Vec<_> = st
            .windows
            .values()
            .filter(|w| w.held.contains(&t.id))
            .collect();
        let entry = (t.order, t.id);
        let in_queues = st
            .index
            .queues
            .values()
            .flat_map(|q| q.iter())
            .filter(|q| q.contains(&entry))
            .count()
            + st.index
                .directed
                .values()
                .filter(|q| q.contains(&entry))
                .count();
        let ok = match t.state {
            TicketState::Waiting => {
                queued += 1;
                let right_queue = match t.directed_to {
                    Some(w) => st
                        .index
                        .directed
                        .get(&w)
                        .is_some_and(|q| q.contains(&entry)),
                    None => st
                        .index
                        .queues
                        .get(&t.service)
                        .is_some_and(|q| q[class_index(t.class)].contains(&entry)),
                };
                right_queue && in_queues == 1 && current.is_empty() && holding.is_empty()
            }
            TicketState::Called => {
                in_queues == 0
                    && holding.is_empty()
                    && current.len() == 1
                    && current.first().map(|w| w.number) == t.window
            }
            TicketState::Held => {
                in_queues == 0
                    && current.is_empty()
                    && holding.len() == 1
                    && holding.first().map(|w| w.number) == t.window
            }
            _ => in_queues == 0 && current.is_empty() && holding.is_empty(),
        };
        if !ok {
            return Err(format!(
                "ticket {} ({:?}) in {in_queues} queues, current at {} windows, held at {}",
                t.number,
                t.state,
                current.len(),
                holding.len()
            ));
        }
        let mut scratch = Index::default();
        scratch.insert(hall, t);
        deadlines.extend(scratch.deadlines);
        if t.state.is_open()
            && let Some(hash) = &t.id_hash
            && !st
                .index
                .open_ids
                .get(&(t.day, t.service.clone(), hash.clone()))
                .is_some_and(|ids| ids.contains(&t.id))
        {
            return Err(format!(
                "open ticket {} missing from the ID index",
                t.number
            ));
        }
    }
    let entries: usize = st
        .index
        .queues
        .values()
        .flat_map(|q| q.iter())
        .map(|q| q.len())
        .sum::<usize>()
        + st.index.directed.values().map(|q| q.len()).sum::<usize>();
    if entries != queued || st.index.waiting_total != queued {
        return Err(format!(
            "{entries} queue entries and count {} for {queued} waiting tickets",
            st.index.waiting_total
        ));
    }
    let per_service: usize = st.index.waiting.values().sum();
    if per_service != queued {
        return Err(format!(
            "per-service counts add up to {per_service}, not {queued}"
        ));
    }
    if deadlines != st.index.deadlines {
        return Err("service-level deadlines out of step".to_string());
    }
    for w in st.windows.values() {
        if let Some(id) = w.current
            && st
                .tickets
                .get(&id)
                .is_none_or(|t| t.state != TicketState::Called)
        {
            return Err(format!("window {} current ticket is not called", w.number));
        }
        for id in &w.held {
            if st
                .tickets
                .get(id)
                .is_none_or(|t| t.state != TicketState::Held)
            {
                return Err(format!(
                    "window {} holds a ticket that is not held",
                    w.number
                ));
            }
        }
    }
    Ok(())
}
