//! Reads from the store for the admin API: a read-only connection on a blocking thread, so
//! a long query never holds up the hall thread or a tokio worker.

use axum::http::StatusCode;

use super::AppState;
use super::error::ApiError;
use crate::store::{Store, StoreError};

/// Runs `read` on a read-only store connection off the async workers.
pub async fn with_store<T, F>(state: &AppState, read: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
{
    let path = state.hall.store_path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let store = Store::open_read_only(&path)?;
        read(&store)
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_error",
            "系统存储故障",
            e.to_string(),
        )
    })?
    .map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            e.code(),
            "系统存储故障",
            e.to_string(),
        )
    })
}
