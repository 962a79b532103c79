//! UI callbacks → state-machine inputs. Each callback is an intent; Rust decides.

use slint::ComponentHandle;

use super::Ctx;
use crate::core::RatingReason;
use crate::evaluator::state::Input;
use crate::ui::evaluator::{EvaluatorAdapter, EvaluatorWindow};

pub(super) fn bind(window: &EvaluatorWindow, ctx: &Ctx) {
    let on = |input: Input| {
        let ctx = ctx.clone();
        move || ctx.dispatch(input.clone())
    };
    let adapter = window.global::<EvaluatorAdapter>();
    {
        let ctx = ctx.clone();
        adapter.on_choose(move |level| {
            if let Ok(level) = u8::try_from(level) {
                ctx.dispatch(Input::Choose(level));
            }
        });
    }
    {
        let ctx = ctx.clone();
        adapter.on_toggle_reason(move |i| {
            match usize::try_from(i)
                .ok()
                .and_then(|i| RatingReason::ALL.get(i))
            {
                Some(reason) => ctx.dispatch(Input::ToggleReason(*reason)),
                None => tracing::warn!("evaluator: unknown reason {i} from the UI"),
            }
        });
    }
    {
        let ctx = ctx.clone();
        adapter.on_toggle_comment(move |text| ctx.dispatch(Input::ToggleComment(text.to_string())));
    }
    adapter.on_back(on(Input::Back));
    adapter.on_submit(on(Input::Submit));
    adapter.on_toggle_elderly(on(Input::ToggleElderly));
}
