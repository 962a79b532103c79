//! Compiles the Slint UI: one root window per role, each into its own Rust module (see
//! `src/ui.rs`), so two roles may use the same global names without clashing.

/// `ui/<file>.slint` roots; the generated code is `$OUT_DIR/<file>.rs`.
const ROOTS: &[&str] = &[
    "ui/kiosk_window.slint",
    "ui/window_terminal.slint",
    "ui/hall_display.slint",
    "ui/evaluator.slint",
];

fn main() {
    for root in ROOTS {
        // Debug info is what lets `i-slint-backend-testing` find elements by accessible label
        // and id in the UI tests; it only adds metadata to the generated code.
        let config = slint_build::CompilerConfiguration::new().with_debug_info(true);
        if let Err(e) = slint_build::compile_with_config(root, config) {
            panic!("cannot compile {root}: {e}");
        }
    }
}
