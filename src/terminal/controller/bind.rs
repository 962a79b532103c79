//! UI callbacks → state-machine inputs. Each callback is an intent; Rust decides.

use slint::ComponentHandle;

use super::Ctx;
use crate::client::TransferTarget;
use crate::terminal::action::TerminalAction;
use crate::terminal::state::{Input, Overlay, SignInField};
use crate::ui::window::{
    DialogAdapter, ServeAdapter, SignInAdapter, SignInField as UiField, TerminalAdapter,
    TerminalWindow,
};

fn single_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_graphic() => Some(c),
        _ => None,
    }
}

pub(super) fn bind(window: &TerminalWindow, ctx: &Ctx) {
    let on = |input: Input| {
        let ctx = ctx.clone();
        move || ctx.dispatch(input.clone())
    };
    let on_key = || {
        let ctx = ctx.clone();
        move |k: slint::SharedString| {
            if let Some(c) = single_char(&k) {
                ctx.dispatch(Input::Key(c));
            }
        }
    };

    let terminal = window.global::<TerminalAdapter>();
    {
        let ctx = ctx.clone();
        terminal.on_function_key(move |n| {
            if let Some(action) = u8::try_from(n)
                .ok()
                .and_then(TerminalAction::from_function_key)
            {
                ctx.dispatch(Input::Action(action));
            }
        });
    }
    terminal.on_typed(on_key());
    terminal.on_backspace(on(Input::Backspace));
    terminal.on_escape(on(Input::CloseOverlay));
    {
        let ctx = ctx.clone();
        terminal.on_enter(move || {
            let input = if ctx.lock().overlay() == Overlay::None {
                Input::SubmitSignIn
            } else {
                Input::SubmitEntry
            };
            ctx.dispatch(input);
        });
    }
    terminal.on_sign_out(on(Input::Action(TerminalAction::SignOut)));

    let serve = window.global::<ServeAdapter>();
    {
        let ctx = ctx.clone();
        serve.on_act(move |name| match TerminalAction::from_name(&name) {
            Some(action) => ctx.dispatch(Input::Action(action)),
            None => tracing::warn!("window terminal: unknown action {name:?} from the UI"),
        });
    }
    {
        let ctx = ctx.clone();
        serve.on_pick_held(move |number| ctx.dispatch(Input::PickHeld(number.to_string())));
    }

    let sign_in = window.global::<SignInAdapter>();
    {
        let ctx = ctx.clone();
        sign_in.on_focus(move |field| {
            ctx.dispatch(Input::Focus(match field {
                UiField::Staff => SignInField::Staff,
                UiField::Pin => SignInField::Pin,
            }))
        });
    }
    sign_in.on_key(on_key());
    sign_in.on_backspace(on(Input::Backspace));
    sign_in.on_clear(on(Input::Clear));
    sign_in.on_submit(on(Input::SubmitSignIn));

    let dialog = window.global::<DialogAdapter>();
    {
        let ctx = ctx.clone();
        dialog.on_pick_held(move |number| ctx.dispatch(Input::PickHeld(number.to_string())));
    }
    {
        let ctx = ctx.clone();
        dialog.on_pick_service(move |id| {
            ctx.dispatch(Input::PickTransfer(TransferTarget::Service(id.to_string())))
        });
    }
    {
        let ctx = ctx.clone();
        dialog.on_pick_window(move |n| {
            if let Ok(n) = u16::try_from(n) {
                ctx.dispatch(Input::PickTransfer(TransferTarget::Window(n)));
            }
        });
    }
    dialog.on_key(on_key());
    dialog.on_backspace(on(Input::Backspace));
    dialog.on_clear(on(Input::Clear));
    dialog.on_submit(on(Input::SubmitEntry));
    dialog.on_cancel(on(Input::CloseOverlay));
}
