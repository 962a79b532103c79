//! Plumbing shared by the screens' controllers (window terminal, evaluator, hall display):
//! the view on screen, re-rendered only when it changed, and handing work to the UI thread
//! from the tokio tasks.

use std::sync::{Arc, Mutex, PoisonError};

use slint::ComponentHandle;

/// A screen's window and the view it shows.
pub struct Screen<W: ComponentHandle, V> {
    window: slint::Weak<W>,
    last: Arc<Mutex<Option<V>>>,
    /// Names the screen in the log.
    who: &'static str,
}

impl<W: ComponentHandle, V> Clone for Screen<W, V> {
    fn clone(&self) -> Self {
        Screen {
            window: self.window.clone(),
            last: self.last.clone(),
            who: self.who,
        }
    }
}

impl<W: ComponentHandle, V: PartialEq> Screen<W, V> {
    /// Call on the UI thread.
    pub fn new(window: &W, who: &'static str) -> Self {
        Screen {
            window: window.as_weak(),
            last: Arc::new(Mutex::new(None)),
            who,
        }
    }

    /// UI thread: the window, while it exists.
    pub fn window(&self) -> Option<W> {
        self.window.upgrade()
    }

    /// UI thread: draws `view` with `render(window, view, first)` unless it is on screen
    /// already; `first` is true for the first view drawn.
    pub fn show(&self, view: V, render: impl FnOnce(&W, &V, bool)) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if last.as_ref() != Some(&view) {
            render(&window, &view, last.is_none());
            *last = Some(view);
        }
    }

    /// Any thread: runs `f` on the UI thread. False when the event loop is gone (the screen
    /// closed), so background tasks know to stop.
    pub fn post(&self, f: impl FnOnce() + Send + 'static) -> bool {
        match slint::invoke_from_event_loop(f) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!("{}: event loop gone, input dropped: {e}", self.who);
                false
            }
        }
    }
}

/// Makes a screen's window with `make` (e.g. `TerminalWindow::new`), sized to `size` logical
/// pixels and fullscreen if asked. The error says what to check when no display opens.
pub fn open<W: ComponentHandle>(
    make: impl FnOnce() -> Result<W, slint::PlatformError>,
    size: (f32, f32),
    fullscreen: bool,
) -> Result<W, String> {
    let window = make().map_err(|e| {
        format!(
            "{e} (no display? set DISPLAY (X11, or XWayland on a Wayland desktop), or build \
             with the kiosk-kms feature to draw on DRM/KMS without a desktop)"
        )
    })?;
    window
        .window()
        .set_size(slint::LogicalSize::new(size.0, size.1));
    if fullscreen {
        window.window().set_fullscreen(true);
    }
    Ok(window)
}

/// A controller's background tasks: aborted together when dropped (with the controller's
/// guard), so a closed screen leaves nothing running against the server.
#[derive(Debug)]
pub struct Tasks(Vec<tokio::task::JoinHandle<()>>);

impl From<Vec<tokio::task::JoinHandle<()>>> for Tasks {
    fn from(tasks: Vec<tokio::task::JoinHandle<()>>) -> Self {
        Tasks(tasks)
    }
}

impl Drop for Tasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}
