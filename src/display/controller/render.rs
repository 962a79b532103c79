//! Copies a [`DisplayView`] into the Slint adapter (UI thread only).

use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::display::view::{DisplayView, Mark};
use crate::ui::display::{
    CallMark, CardData, DisplayAdapter, HallDisplay, RecentData, WaitingData,
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

fn mark(m: Mark) -> CallMark {
    match m {
        Mark::None => CallMark::None,
        Mark::New => CallMark::New,
        Mark::Recall => CallMark::Recall,
    }
}

/// 「2026年11月23日 星期一」
pub(super) fn date_text(now: &jiff::Zoned) -> String {
    let weekday = match now.weekday() {
        jiff::civil::Weekday::Monday => "一",
        jiff::civil::Weekday::Tuesday => "二",
        jiff::civil::Weekday::Wednesday => "三",
        jiff::civil::Weekday::Thursday => "四",
        jiff::civil::Weekday::Friday => "五",
        jiff::civil::Weekday::Saturday => "六",
        jiff::civil::Weekday::Sunday => "日",
    };
    format!(
        "{}年{}月{}日 星期{weekday}",
        now.year(),
        now.month(),
        now.day()
    )
}

pub(super) fn render(window: &HallDisplay, view: &DisplayView) {
    let a = window.global::<DisplayAdapter>();
    a.set_offline(view.offline);
    a.set_connecting(view.connecting);
    a.set_cards(model(
        view.cards
            .iter()
            .map(|c| CardData {
                window: i32::from(c.window),
                label: s(&c.label),
                name: s(&c.name),
                number: s(&c.number),
                service_name: s(&c.service_name),
                idle_text: s(&c.idle_text),
                mark: mark(c.mark),
            })
            .collect(),
    ));
    a.set_recent(model(
        view.recent
            .iter()
            .map(|r| RecentData {
                number: s(&r.number),
                window_label: s(&r.window_label),
                mark: mark(r.mark),
            })
            .collect(),
    ));
    a.set_waiting(model(
        view.waiting
            .iter()
            .map(|w| WaitingData {
                name: s(&w.name),
                count: int(w.count),
                note: s(&w.note),
            })
            .collect(),
    ));
    a.set_waiting_total(int(view.waiting_total));
    a.set_caption(s(&view.caption));
}
