//! Delivery of ratings and follow-up changes to the provincial 好差评 platform.
//!
//! The hall records every rating and follow-up change into the `outbox` table in the same
//! transaction as its event (see `crate::store::records`). The [`Uploader`] task sends the
//! outbox to the platform configured in `[upload]`:
//!
//! - **No loss.** A record leaves the outbox's pending set only when the platform named its
//!   key as accepted. The outbox is in the hall database (WAL, `synchronous=FULL`), so a
//!   restart, a power cut or a platform outage of days only delays records.
//! - **Exactly once as the platform sees it.** Each record carries an idempotency key
//!   `<database tag>-<event seq>`, the same on every attempt. A batch whose answer was
//!   lost is sent again; the platform stores each key once.
//! - **Backoff.** Failed records wait `[min_backoff_s, min_backoff_s·2ⁿ]` (full jitter,
//!   capped at `max_backoff_s`); while the platform takes nothing, nothing else is sent
//!   either ([`backoff`]).
//! - **Health.** The uploader is device `upload`, component `platform` in
//!   `GET /api/v1/devices`: `ok`, `degraded` (failures, or records waiting without
//!   `[upload]`) or `error` (failing for over an hour, or the outbox unusable), with the
//!   backlog gauge (pending, age of the oldest, failing, last error) as detail
//!   ([`health`]).
//! - **TLS** through rustls with the system's root certificates.
//!
//! Without `[upload]` nothing is sent; records wait in the outbox and the backlog is still
//! reported ("not configured").
//!
//! # How to add a province
//!
//! A province's platform is a [`Format`] (in `format.rs` or a file beside it):
//!
//! 1. Write a type implementing [`Format`]: `name()` returns the name used in
//!    `[upload] format` (e.g. `"guangdong-v2"`); `request()` builds one HTTP request body
//!    (and any extra headers, e.g. an app id or a signature over the body) for a batch of
//!    `(key, UploadRecord)`; `accepted()` reads a 2xx answer and returns the keys the
//!    platform has stored.
//! 2. Map the platform's fields from [`crate::store::records::RatingRecord`] and
//!    `FollowUpRecord` (levels 1–5, channel, reasons 服务效率/服务水平/服务态度, …). Send
//!    the record's `key` in the field the platform uses for de-duplication (often a
//!    "业务流水号" or "评价编号"); if the platform has none, ask for one: without it a retried
//!    batch can be counted twice.
//! 3. Be strict in `accepted()`: name a key only when the answer says that record was
//!    stored (or was already there). A platform answering 200 with an error code inside the
//!    body must not count as delivered; return the keys the answer lists as successes, or
//!    an empty set, or an error for an answer you cannot read. Everything not named is
//!    retried with backoff.
//! 4. Register the name in [`format::by_name`] and [`format::NAMES`], and in
//!    `crate::config::upload::FORMATS` so the configuration check accepts it.
//! 5. Test it like `generic-json` in `format.rs`: a golden request body from fixed records,
//!    and answers with all, some, none and unreadable acceptance. The platform's bearer
//!    token comes from `[upload] token`; the request timeout, batch size and backoff from
//!    `[upload]` apply to every format unchanged.

pub mod backoff;
pub mod format;
pub mod health;
mod uploader;

pub use format::{Format, FormatError, GenericJson, PlatformRequest};
pub use health::UploadStatus;
pub use uploader::{POLL, Timing, UploadHandle, Uploader};
