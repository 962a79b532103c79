//! The OpenAPI 3 document, generated from the handlers and DTOs.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{appointments, devices, dto, error, events, routes};

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
    info(title = "hallq LAN API", description = "Hall server of a 政务服务中心: tickets, windows, event stream. Every route but /health needs `Authorization: Bearer <device token>`."),
    paths(
        routes::health, routes::services, routes::issue, routes::tickets, routes::ticket, routes::record_print, routes::windows,
        routes::call_next, routes::call_specific, routes::recall, routes::no_show, routes::hold,
        routes::resume_held, routes::transfer, routes::pause, routes::resume, routes::finish,
        routes::sign_in, routes::sign_out, events::events, appointments::import, devices::report, devices::list,
    ),
    components(schemas(
        error::ErrorBody, dto::TicketDto, dto::TransferDto, dto::IssuedDto, dto::WindowDto, dto::StaffDto,
        dto::WaitingDto, dto::ServiceDto, dto::IssueBody, dto::NumberBody, dto::TransferBody,
        dto::FinishBody, dto::SignInBody, dto::PrintBody, dto::HealthDto, dto::StoreHealthDto, dto::ImportedDto,
        appointments::AppointmentRow, devices::HealthReport, devices::ComponentHealth, devices::DeviceHealthDto,
    )),
    modifiers(&TokenAuth),
)]
pub struct ApiDoc;
