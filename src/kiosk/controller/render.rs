//! Copies a [`View`] into the Slint adapters (UI thread only).

use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::kiosk::state::NoticeLevel;
use crate::kiosk::view::{GroupView, TroubleKind as ViewTrouble, View, ViewPage};
use crate::ui::kiosk::{
    AppointmentAdapter, HomeAdapter, IdEntryAdapter, KioskAdapter, KioskPage, KioskWindow,
    NoticeKind, ReprintAdapter, ResultAdapter, ServiceGroupData, ServiceTileData, StaffPinAdapter,
    Theme, TroubleAdapter, TroubleKind,
};

fn s(text: &str) -> SharedString {
    SharedString::from(text)
}

fn int<T: TryInto<i32>>(n: T) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

fn groups_model(groups: &[GroupView]) -> ModelRc<ServiceGroupData> {
    let items: Vec<ServiceGroupData> = groups
        .iter()
        .map(|g| ServiceGroupData {
            name: s(&g.name),
            services: ModelRc::from(Rc::new(VecModel::from(
                g.services
                    .iter()
                    .map(|t| ServiceTileData {
                        id: s(&t.id),
                        name: s(&t.name),
                        prefix: s(&t.prefix),
                        available: t.available,
                        waiting: int(t.waiting),
                        wait_minutes: int(t.wait_minutes),
                        reason: s(&t.reason),
                    })
                    .collect::<Vec<_>>(),
            ))),
        })
        .collect();
    ModelRc::from(Rc::new(VecModel::from(items)))
}

/// Applies `view`; `previous` lets unchanged models stay (so lists keep their scroll).
pub(super) fn render(window: &KioskWindow, view: &View, previous: Option<&View>) {
    window.global::<Theme>().set_elderly(view.elderly);

    let kiosk = window.global::<KioskAdapter>();
    kiosk.set_page(match view.page {
        ViewPage::Home => KioskPage::Home,
        ViewPage::IdEntry => KioskPage::IdEntry,
        ViewPage::Appointment => KioskPage::Appointment,
        ViewPage::Result => KioskPage::Result,
        ViewPage::Reprint => KioskPage::Reprint,
        ViewPage::Trouble => KioskPage::Trouble,
        ViewPage::StaffPin => KioskPage::StaffPin,
    });
    match &view.notice {
        Some(n) => {
            kiosk.set_notice_kind(match n.level {
                NoticeLevel::Info => NoticeKind::Info,
                NoticeLevel::Warning => NoticeKind::Warning,
                NoticeLevel::Error => NoticeKind::Error,
            });
            kiosk.set_notice(s(&n.text));
        }
        None => {
            kiosk.set_notice_kind(NoticeKind::None);
            kiosk.set_notice(SharedString::new());
        }
    }

    let home = window.global::<HomeAdapter>();
    if previous.is_none_or(|p| p.groups != view.groups) {
        home.set_groups(groups_model(&view.groups));
    }
    home.set_green_channel_armed(view.green_armed);
    home.set_staff_priority_armed(view.staff_armed);
    home.set_show_staff_button(view.staff_button);

    let id = window.global::<IdEntryAdapter>();
    id.set_service_name(s(&view.id_entry.service_name));
    id.set_masked(s(&view.id_entry.masked));
    id.set_count(int(view.id_entry.count));
    id.set_complete(view.id_entry.complete);
    id.set_error(s(&view.id_entry.error));
    id.set_hint(s(&view.id_entry.hint));

    let appointment = window.global::<AppointmentAdapter>();
    appointment.set_code(s(&view.code));
    appointment.set_error(s(&view.code_error));
    appointment.set_offer_walk_in(view.offer_walk_in);
    appointment.set_walk_in_service_name(s("请重新选择业务"));

    let pin = window.global::<StaffPinAdapter>();
    pin.set_masked(s(&view.pin_dots));
    pin.set_error(s(&view.pin_error));

    let r = &view.result;
    let result = window.global::<ResultAdapter>();
    result.set_number(s(&r.number));
    result.set_service_name(s(&r.service_name));
    result.set_waiting_ahead(int(r.waiting_ahead));
    result.set_wait_minutes(int(r.wait_minutes));
    result.set_windows(s(&r.windows));
    result.set_printed(r.printed);
    result.set_reprint(r.reprint);
    result.set_priority(r.priority);
    result.set_appointment(r.appointment);
    result.set_problem(s(&r.problem));
    result.set_seconds_left(int(r.seconds_left));

    let reprint = window.global::<ReprintAdapter>();
    reprint.set_number(s(&view.reprint.0));
    reprint.set_service_name(s(&view.reprint.1));
    reprint.set_message(s("您今天已取过该业务的号（一人一号）"));

    let (kind, title, message) = &view.trouble;
    let trouble = window.global::<TroubleAdapter>();
    trouble.set_kind(match kind {
        ViewTrouble::Maintenance => TroubleKind::Maintenance,
        ViewTrouble::Printer => TroubleKind::Printer,
        ViewTrouble::Busy => TroubleKind::Busy,
    });
    trouble.set_title(s(title));
    trouble.set_message(s(message));
}
