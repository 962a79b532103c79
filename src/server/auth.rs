//! Device tokens: `Authorization: Bearer <token>`. Each token belongs to one configured
//! device with a role; window and evaluator devices act only for their own window.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::AppState;
use super::error::ApiError;
use crate::config::{DeviceConfig, DeviceRole};
use crate::core::WindowNo;

/// The device making a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub name: String,
    pub role: DeviceRole,
    pub window: Option<WindowNo>,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role == DeviceRole::Admin
    }

    /// The ID number's last four characters: for the kiosk (it prints them on the ticket
    /// and its reprint) and admins only, never for staff screens or displays.
    pub fn sees_id_tail(&self) -> bool {
        matches!(self.role, DeviceRole::Admin | DeviceRole::Kiosk)
    }

    /// Individual ratings (level, reasons, comment) and follow-up work orders: admins only.
    /// Staff see their own totals (`/windows/{n}/ratings/summary`), never one visit's rating.
    pub fn sees_ratings(&self) -> bool {
        self.is_admin()
    }

    /// Admins, or a device of one of `roles`.
    pub fn require(&self, roles: &[DeviceRole]) -> Result<(), ApiError> {
        if self.is_admin() || roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "device {} ({:?}) may not do this",
                self.name, self.role
            )))
        }
    }

    /// Admins, or the `role` device of window `n`.
    pub fn require_window(&self, role: DeviceRole, n: WindowNo) -> Result<(), ApiError> {
        if self.is_admin() || (self.role == role && self.window == Some(n)) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "device {} may not act for window {n}",
                self.name
            )))
        }
    }
}

/// Token → device, built once from the configuration.
pub fn token_table(devices: &[DeviceConfig]) -> HashMap<String, Caller> {
    devices
        .iter()
        .map(|d| {
            (
                d.token.clone(),
                Caller {
                    name: d.name.clone(),
                    role: d.role,
                    window: d.window.map(WindowNo),
                },
            )
        })
        .collect()
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer <token>"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("Authorization must be: Bearer <token>"))?;
        let caller = state
            .tokens
            .get(token)
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("unknown token"))?;
        state.devices.seen(&caller.name);
        Ok(caller)
    }
}
