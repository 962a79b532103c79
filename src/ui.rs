//! The Slint UI, compiled from `ui/` by `build.rs`: one module per role's root window; and
//! [`screen`], what the screens' controllers share.

pub mod screen;

/// The ticket kiosk: `ui/kiosk_window.slint`.
#[allow(clippy::all, unused_qualifications, missing_docs)]
pub mod kiosk {
    include!(concat!(env!("OUT_DIR"), "/kiosk_window.rs"));
}

/// The window terminal: `ui/window_terminal.slint`.
#[allow(clippy::all, unused_qualifications, missing_docs)]
pub mod window {
    include!(concat!(env!("OUT_DIR"), "/window_terminal.rs"));
}

/// The hall display: `ui/hall_display.slint`.
#[allow(clippy::all, unused_qualifications, missing_docs)]
pub mod display {
    include!(concat!(env!("OUT_DIR"), "/hall_display.rs"));
}

/// The evaluator (评价器): `ui/evaluator.slint`.
#[allow(clippy::all, unused_qualifications, missing_docs)]
pub mod evaluator {
    include!(concat!(env!("OUT_DIR"), "/evaluator.rs"));
}
