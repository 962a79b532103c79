//! API errors: every failure is JSON `{"error": code, "message": 中文, "detail": English}`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::core::Rejected;
use crate::hall::HallError;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `recall_limit`.
    pub error: String,
    /// Text for the screen, in Simplified Chinese.
    pub message: String,
    /// Text for logs and technicians, in English.
    pub detail: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub detail: String,
    /// More fields for the body, e.g. the existing ticket of a duplicate ID number.
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: &str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.to_string(),
            detail: detail.into(),
            extra: None,
        }
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "设备未授权",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "此设备无权执行该操作",
            detail,
        )
    }

    pub fn bad_request(code: &str, message: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "没有找到", detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code,
            message: self.message,
            detail: self.detail,
        };
        match self.extra {
            None => (self.status, Json(body)).into_response(),
            Some(extra) => {
                let mut value = serde_json::to_value(body).unwrap_or_default();
                if let Some(obj) = value.as_object_mut() {
                    obj.extend(extra);
                }
                (self.status, Json(value)).into_response()
            }
        }
    }
}

fn rejected_status(r: &Rejected) -> StatusCode {
    match r {
        Rejected::UnknownService(_)
        | Rejected::UnknownWindow(_)
        | Rejected::UnknownStaff(_)
        | Rejected::UnknownTicket(_)
        | Rejected::UnknownAppointment
        | Rejected::UnknownFollowUp(_) => StatusCode::NOT_FOUND,
        Rejected::IdNumberRequired(_) | Rejected::FollowUpLevelRequired => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => StatusCode::CONFLICT,
    }
}

/// Machine-readable details a client needs to act on a rejection.
fn rejected_extra(r: &Rejected) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut extra = serde_json::Map::new();
    match r {
        Rejected::DuplicateIdNumber { existing, ticket } => {
            extra.insert(
                "existing".into(),
                serde_json::json!({ "id": ticket.0, "number": existing.0 }),
            );
        }
        Rejected::AlreadyCalled { by, .. } => {
            extra.insert("window".into(), by.0.into());
        }
        _ => return None,
    }
    Some(extra)
}

impl From<HallError> for ApiError {
    fn from(err: HallError) -> Self {
        match &err {
            HallError::Rejected(r) => ApiError {
                status: rejected_status(r),
                code: r.code().to_string(),
                message: r.message_zh(),
                detail: r.to_string(),
                extra: rejected_extra(r),
            },
            HallError::Storage { code, detail } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                code,
                "系统存储故障，请联系管理员",
                detail.clone(),
            ),
            HallError::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "系统繁忙，请稍后再试",
                err.to_string(),
            ),
            HallError::ShuttingDown => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                "系统维护中，请稍候",
                err.to_string(),
            ),
        }
    }
}

impl From<Rejected> for ApiError {
    fn from(r: Rejected) -> Self {
        HallError::Rejected(r).into()
    }
}

/// `Json<T>` whose failures are [`ApiError`]s: malformed JSON, wrong types, unknown fields
/// and oversized bodies all answer with a 4xx JSON error, never a 5xx.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求格式错误",
            detail,
        ),
        JsonRejection::BytesRejection(_) if rejection_is_too_large(&detail) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "请求内容过大",
            detail,
        ),
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "请求内容不正确",
            detail,
        ),
        _ => ApiError::bad_request("malformed_json", "请求格式错误", detail),
    }
}

fn rejection_is_too_large(detail: &str) -> bool {
    detail.contains("length limit") || detail.contains("too large")
}
