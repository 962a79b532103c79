//! Copies a [`View`] into the Slint adapter (UI thread only).

use std::rc::Rc;

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use crate::evaluator::view::{ChoiceView, Page, View, label_lines, stars};
use crate::ui::evaluator::{
    ChoiceData, EvalPage, EvaluatorAdapter, EvaluatorWindow, LevelData, Theme,
};

fn s(text: &str) -> SharedString {
    SharedString::from(text)
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(items)))
}

fn choices(list: &[ChoiceView]) -> Vec<ChoiceData> {
    list.iter()
        .map(|c| ChoiceData {
            label: s(&c.label),
            checked: c.checked,
        })
        .collect()
}

/// Updates the rows of `current` in place when the length is unchanged, so the buttons of a
/// list are not re-created under the rater's finger every second; otherwise a new model.
fn sync<T: Clone + PartialEq + 'static>(
    current: ModelRc<T>,
    fresh: bool,
    items: Vec<T>,
    set: impl FnOnce(ModelRc<T>),
) {
    if fresh || current.row_count() != items.len() {
        set(model(items));
        return;
    }
    for (i, item) in items.into_iter().enumerate() {
        if current.row_data(i).as_ref() != Some(&item) {
            current.set_row_data(i, item);
        }
    }
}

/// Copies `view`; `fresh` replaces the list models (first render, previews).
pub(super) fn render(window: &EvaluatorWindow, view: &View, fresh: bool) {
    window.global::<Theme>().set_elderly(view.elderly);
    let a = window.global::<EvaluatorAdapter>();
    a.set_page(match view.page {
        Page::Loading => EvalPage::Loading,
        Page::Idle => EvalPage::Idle,
        Page::Question => EvalPage::Question,
        Page::Reasons => EvalPage::Reasons,
        Page::Thanks => EvalPage::Thanks,
        Page::Notice => EvalPage::Notice,
    });
    a.set_window_title(s(&view.window_title));
    a.set_window_name(s(&view.window_name));
    a.set_staff_name(s(&view.staff_name));
    a.set_staff_id(s(&view.staff_id));
    a.set_offline(view.offline);
    a.set_number(s(&view.number));
    a.set_seconds_left(i32::try_from(view.seconds_left).unwrap_or(i32::MAX));
    let levels = view
        .levels
        .iter()
        .map(|l| LevelData {
            level: i32::from(l.level),
            label: s(&l.label),
            label_lines: s(label_lines(l.level)),
            stars: s(&stars(l.level)),
            chosen: l.chosen,
        })
        .collect();
    sync(a.get_levels(), fresh, levels, |m| a.set_levels(m));
    a.set_chosen_label(s(&view.chosen_label));
    a.set_chosen_stars(s(&stars(view.chosen_stars)));
    sync(a.get_reasons(), fresh, choices(&view.reasons), |m| {
        a.set_reasons(m)
    });
    sync(a.get_comments(), fresh, choices(&view.comments), |m| {
        a.set_comments(m)
    });
    a.set_busy(view.busy);
    a.set_note(s(&view.note));
    a.set_message(s(&view.message));
}
