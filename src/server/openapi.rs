//! The OpenAPI 3 document, generated from the handlers and DTOs.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{appointments, devices, dto, error, events, health, ratings, routes, windows};

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "hallq LAN API", description = "Hall server of a 政务服务中心: tickets, windows, 好差评 ratings and follow-ups, event stream. Every route but /health needs `Authorization: Bearer <device token>`."),
    paths(
        routes::health, routes::services, routes::issue, routes::tickets, routes::ticket, routes::record_print, windows::windows, windows::window,
        windows::call_next, windows::call_specific, windows::recall, windows::no_show, windows::hold,
        windows::resume_held, windows::transfer, windows::pause, windows::resume, windows::finish,
        windows::sign_in, windows::sign_out, events::events, appointments::import, devices::report, devices::list, health::devices_health,
        ratings::view, ratings::rate, ratings::decline, ratings::list, ratings::followups,
        ratings::update_followup, ratings::staff_summary, ratings::daily_report,
    ),
    components(schemas(
        error::ErrorBody, dto::TicketDto, dto::TransferDto, dto::IssuedDto, dto::WindowDto, dto::StaffDto,
        dto::WaitingDto, dto::ServiceDto, dto::IssueBody, dto::NumberBody, dto::TransferBody,
        dto::FinishBody, dto::SignInBody, dto::PrintBody, dto::HealthDto, dto::StoreHealthDto, dto::ImportedDto,
        appointments::AppointmentRow, devices::HealthReport, devices::ComponentHealth, devices::DeviceHealthDto,
        health::HallHealth, health::StoreSizeDto, health::UploadHealthDto,
        ratings::RatingView, ratings::PendingRating, ratings::RatingBody, ratings::RatedDto, ratings::DeclineBody,
        ratings::FollowUpDto, ratings::FollowUpBody, ratings::StaffSummary,
    )),
    modifiers(&TokenAuth),
)]
pub struct ApiDoc;
