//! Copies a [`View`] into the Slint adapters (UI thread only).

use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::client::TransferTarget;
use crate::terminal::state::{Level, Overlay, SignInField};
use crate::terminal::view::{TargetRow, View, ViewPage};
use crate::ui::window::{
    DialogAdapter, DialogKind, HeldData, ServeAdapter, SignInAdapter, SignInField as UiField,
    StatusKind, TargetData, TerminalAdapter, TerminalPage, TerminalWindow, WaitingData,
};

fn s(text: &str) -> SharedString {
    SharedString::from(text)
}

fn int<T: TryInto<i32>>(n: T) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(items)))
}

fn targets(rows: &[TargetRow]) -> ModelRc<TargetData> {
    model(
        rows.iter()
            .map(|r| match &r.target {
                TransferTarget::Service(id) => TargetData {
                    label: s(&r.label),
                    id: s(id),
                    window: 0,
                },
                TransferTarget::Window(n) => TargetData {
                    label: s(&r.label),
                    id: SharedString::new(),
                    window: i32::from(*n),
                },
            })
            .collect(),
    )
}

pub(super) fn render(window: &TerminalWindow, view: &View) {
    let t = window.global::<TerminalAdapter>();
    t.set_page(match view.page {
        ViewPage::Loading => TerminalPage::Loading,
        ViewPage::SignIn => TerminalPage::SignIn,
        ViewPage::Main => TerminalPage::Main,
    });
    t.set_title(s(&view.title));
    t.set_staff(s(&view.staff));
    let f = window.global::<ServeAdapter>();
    f.set_figures_known(view.figures.is_some());
    if let Some(figures) = &view.figures {
        f.set_my_rated(int(figures.rated));
        f.set_my_satisfaction(s(&figures.satisfaction));
        f.set_my_bad(int(figures.bad));
    }
    t.set_offline(view.offline);
    match &view.status {
        Some(status) => {
            t.set_status_kind(match status.level {
                Level::Info => StatusKind::Info,
                Level::Warning => StatusKind::Warning,
                Level::Error => StatusKind::Error,
            });
            t.set_status(s(&status.text));
        }
        None => {
            t.set_status_kind(StatusKind::None);
            t.set_status(SharedString::new());
        }
    }

    let serve = window.global::<ServeAdapter>();
    let ticket = view.ticket.clone().unwrap_or_default();
    serve.set_has_ticket(view.ticket.is_some());
    serve.set_number(s(&ticket.number));
    serve.set_service_name(s(&ticket.service_name));
    serve.set_priority(ticket.priority);
    serve.set_appointment(ticket.appointment);
    serve.set_waited(s(&ticket.waited));
    serve.set_serving(s(&ticket.serving));
    serve.set_transfers(model(ticket.transfers.iter().map(|x| s(x)).collect()));
    serve.set_recalls_left(view.recalls_left.map_or(-1, i32::from));
    serve.set_paused(view.paused);
    serve.set_busy(view.busy);
    serve.set_waiting(model(
        view.waiting
            .iter()
            .map(|w| WaitingData {
                name: s(&w.service_name),
                count: int(w.waiting),
            })
            .collect(),
    ));
    serve.set_waiting_total(int(view.waiting_total));
    let held: Vec<HeldData> = view
        .held
        .iter()
        .map(|h| HeldData {
            number: s(&h.number),
            service_name: s(&h.service_name),
        })
        .collect();
    serve.set_held(model(held.clone()));

    let sign_in = window.global::<SignInAdapter>();
    sign_in.set_staff(s(&view.staff_entry));
    sign_in.set_pin_masked(s(&view.pin_masked));
    sign_in.set_field(match view.field {
        SignInField::Staff => UiField::Staff,
        SignInField::Pin => UiField::Pin,
    });
    sign_in.set_busy(view.busy);

    let dialog = window.global::<DialogAdapter>();
    dialog.set_kind(match view.overlay {
        Overlay::None => DialogKind::None,
        Overlay::ResumeHeld => DialogKind::ResumeHeld,
        Overlay::Transfer => DialogKind::Transfer,
        Overlay::CallSpecific => DialogKind::CallSpecific,
        Overlay::Finish => DialogKind::Finish,
    });
    dialog.set_number(s(&ticket.number));
    dialog.set_entry(s(&view.entry));
    dialog.set_held(model(held));
    dialog.set_services(targets(&view.service_targets));
    dialog.set_windows(targets(&view.window_targets));
    dialog.set_prefixes(model(view.prefixes.iter().map(|p| s(p)).collect()));
}
