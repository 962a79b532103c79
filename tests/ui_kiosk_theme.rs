//! The kiosk theme: every text colour on its background reaches WCAG contrast 4.5:1, and
//! the sizes follow the 适老化 figures (no event loop needed).

use hallq::ui::kiosk::{KioskWindow, Theme};
use slint::{Color, ComponentHandle};

fn luminance(c: Color) -> f64 {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn text_colours_have_contrast_of_at_least_4_5() {
    i_slint_backend_testing::init_no_event_loop();
    let window = KioskWindow::new().unwrap();
    let t = window.global::<Theme>();
    let pairs = [
        ("text/background", t.get_text(), t.get_background()),
        ("text/surface", t.get_text(), t.get_surface()),
        ("muted/background", t.get_text_muted(), t.get_background()),
        ("muted/surface", t.get_text_muted(), t.get_surface()),
        ("primary text/surface", t.get_primary(), t.get_surface()),
        ("on-primary/primary", t.get_on_primary(), t.get_primary()),
        (
            "on-primary/pressed",
            t.get_on_primary(),
            t.get_primary_pressed(),
        ),
        (
            "on-secondary/secondary",
            t.get_on_secondary(),
            t.get_secondary(),
        ),
        (
            "on-disabled/disabled",
            t.get_on_disabled(),
            t.get_disabled(),
        ),
        ("on-danger/danger", t.get_on_danger(), t.get_danger()),
        ("warning", t.get_warning_text(), t.get_warning_bg()),
        ("info", t.get_info_text(), t.get_info_bg()),
        ("error", t.get_error_text(), t.get_error_bg()),
        (
            "error text/background",
            t.get_error_text(),
            t.get_background(),
        ),
        ("header", t.get_on_header(), t.get_header_bg()),
    ];
    for (name, fg, bg) in pairs {
        let ratio = contrast(fg, bg);
        assert!(ratio >= 4.5, "{name}: contrast {ratio:.2} is below 4.5");
    }
}

#[test]
fn elderly_mode_switches_every_size_up() {
    i_slint_backend_testing::init_no_event_loop();
    let window = KioskWindow::new().unwrap();
    let t = window.global::<Theme>();
    assert_eq!(t.get_target_min(), 44.0);
    assert!(t.get_font_small() >= 18.0);
    let normal = (t.get_font_body(), t.get_font_number(), t.get_key_size());
    t.set_elderly(true);
    assert_eq!(t.get_target_min(), 60.0);
    assert!(t.get_font_small() >= 26.0);
    assert!(t.get_font_body() > normal.0);
    assert!(t.get_font_number() > normal.1);
    assert!(t.get_key_size() >= 60.0 && t.get_key_size() > normal.2);
    t.set_landscape(true);
    assert_eq!(t.get_service_columns(), 2);
    t.set_elderly(false);
    assert_eq!(t.get_service_columns(), 3);
}
