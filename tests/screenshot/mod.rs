//! Screenshots for the UI tests: the Slint testing backend with the software renderer and
//! mocked time, a window rendered at a size and saved as PNG to `target/screenshots/` (and to
//! `ui/screenshots/` with `HALLQ_UPDATE_SCREENSHOTS=1`), and pixel shares that show the text
//! and marks were drawn at all (without a CJK font, Hanzi vanish silently).

#![allow(dead_code)]

use std::path::PathBuf;

use i_slint_backend_testing::{TestingBackend, TestingBackendOptions};
use slint::{ComponentHandle, Rgba8Pixel, SharedPixelBuffer};

/// Installs the testing backend (once per process) with the software renderer.
pub fn software_platform() {
    slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: true,
        threading: false,
        renderer_name: Some("software".into()),
    })))
    .unwrap();
}

/// Renders `window` at `size` and saves it as `name.png`; `publish` false keeps it out of
/// ui/screenshots/ even when updating.
pub fn snapshot(
    window: &impl ComponentHandle,
    name: &str,
    size: (u32, u32),
    publish: bool,
) -> SharedPixelBuffer<Rgba8Pixel> {
    window
        .window()
        .set_size(slint::LogicalSize::new(size.0 as f32, size.1 as f32));
    slint::platform::update_timers_and_animations();
    let shot = window.window().take_snapshot().unwrap();
    assert_eq!((shot.width(), shot.height()), size, "{name}");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("target/screenshots")];
    if publish && std::env::var_os("HALLQ_UPDATE_SCREENSHOTS").is_some() {
        dirs.push(root.join("ui/screenshots"));
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir).unwrap();
        image::save_buffer(
            dir.join(format!("{name}.png")),
            shot.as_bytes(),
            shot.width(),
            shot.height(),
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
    }
    shot
}

/// The share of `shot`'s pixels for which `keep` holds.
pub fn share(shot: &SharedPixelBuffer<Rgba8Pixel>, keep: impl Fn(&Rgba8Pixel) -> bool) -> f64 {
    let pixels = shot.as_slice();
    pixels.iter().filter(|p| keep(p)).count() as f64 / pixels.len() as f64
}

/// Dark text on a light screen.
pub fn dark(p: &Rgba8Pixel) -> bool {
    u32::from(p.r) + u32::from(p.g) + u32::from(p.b) < 200
}

/// Bright text on a dark screen.
pub fn bright(p: &Rgba8Pixel) -> bool {
    u32::from(p.r) + u32::from(p.g) + u32::from(p.b) > 600
}
