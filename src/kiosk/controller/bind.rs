//! UI callbacks → state-machine inputs. Each callback is an intent; Rust decides.

use slint::ComponentHandle;

use super::Ctx;
use crate::kiosk::printer::TicketPrinter;
use crate::kiosk::state::Input;
use crate::ui::kiosk::{
    AppointmentAdapter, HomeAdapter, IdEntryAdapter, KioskAdapter, KioskWindow, ReprintAdapter,
    ResultAdapter, StaffPinAdapter,
};

fn key(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

pub(super) fn bind<P: TicketPrinter>(window: &KioskWindow, ctx: &Ctx<P>) {
    let on = |input: Input| {
        let ctx = ctx.clone();
        move || ctx.dispatch(input.clone())
    };
    let on_key = || {
        let ctx = ctx.clone();
        move |k: slint::SharedString| {
            if let Some(c) = key(&k) {
                ctx.dispatch(Input::Key(c));
            }
        }
    };

    let kiosk = window.global::<KioskAdapter>();
    kiosk.on_toggle_elderly(on(Input::ToggleElderly));
    kiosk.on_go_home(on(Input::GoHome));

    let home = window.global::<HomeAdapter>();
    {
        let ctx = ctx.clone();
        home.on_take_ticket(move |id| ctx.dispatch(Input::TapService(id.to_string())));
    }
    home.on_open_appointment(on(Input::OpenAppointment));
    home.on_open_green_channel(on(Input::OpenGreenChannel));
    home.on_open_staff(on(Input::OpenStaff));

    let id = window.global::<IdEntryAdapter>();
    id.on_key(on_key());
    id.on_backspace(on(Input::Backspace));
    id.on_clear(on(Input::Clear));
    id.on_submit(on(Input::Submit));
    id.on_cancel(on(Input::GoHome));

    let appointment = window.global::<AppointmentAdapter>();
    appointment.on_key(on_key());
    appointment.on_backspace(on(Input::Backspace));
    appointment.on_clear(on(Input::Clear));
    appointment.on_submit(on(Input::Submit));
    appointment.on_cancel(on(Input::GoHome));
    appointment.on_walk_in(on(Input::WalkIn));

    let pin = window.global::<StaffPinAdapter>();
    pin.on_key(on_key());
    pin.on_backspace(on(Input::Backspace));
    pin.on_clear(on(Input::Clear));
    pin.on_submit(on(Input::Submit));
    pin.on_cancel(on(Input::GoHome));

    window
        .global::<ResultAdapter>()
        .on_done(on(Input::ResultDone));

    let reprint = window.global::<ReprintAdapter>();
    reprint.on_reprint(on(Input::ReprintAccept));
    reprint.on_decline(on(Input::ReprintDecline));
}
