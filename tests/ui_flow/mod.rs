//! What every Slint UI flow needs, whatever the window: a runtime for the real server and
//! controller, sleeping and waiting on the Slint event loop, running a flow there with its
//! panic reported, and finding elements by accessible label. Included by the kiosk, window
//! and evaluator support modules (`#[path]`), which add their own screens' helpers.

#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::ComponentHandle;

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Sleeps on the Slint event loop.
pub async fn sleep(d: Duration) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    slint::Timer::single_shot(d, move || {
        let _ = tx.send(());
    });
    let _ = rx.await;
}

/// Waits (on the event loop) until `cond` holds; fails after `secs` seconds.
pub async fn wait_for(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    for _ in 0..secs * 50 {
        if cond() {
            return;
        }
        sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Runs `flow` on the Slint event loop (set up by the caller) and returns when it ends;
/// a panic in the flow fails the test after the loop stops.
pub fn run_flow<F: Future<Output = ()> + 'static>(flow: F) {
    let failed: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let done = failed.clone();
    slint::spawn_local(async move {
        let result =
            futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(flow)).await;
        if let Err(panic) = result {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            *done.borrow_mut() = Some(text);
        }
        slint::quit_event_loop().unwrap();
    })
    .unwrap();
    slint::run_event_loop_until_quit().unwrap();
    if let Some(text) = failed.borrow_mut().take() {
        panic!("{text}");
    }
}

pub fn labelled(window: &impl ComponentHandle, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(window, label).collect()
}

/// The element with this label and role, if shown.
pub fn with_role(
    window: &impl ComponentHandle,
    label: &str,
    role: AccessibleRole,
) -> Option<ElementHandle> {
    labelled(window, label)
        .into_iter()
        .find(|e| e.accessible_role() == Some(role))
}

/// The button (or tile) with this accessible label, if shown.
pub fn button(window: &impl ComponentHandle, label: &str) -> Option<ElementHandle> {
    with_role(window, label, AccessibleRole::Button)
}

pub fn has_text(window: &impl ComponentHandle, text: &str) -> bool {
    !labelled(window, text).is_empty()
}

/// The label of the on-screen pad key for `c` (keys are labelled 数字N / 字母X).
pub fn key_label(c: char) -> String {
    if c.is_ascii_digit() {
        format!("数字{c}")
    } else {
        format!("字母{c}")
    }
}
