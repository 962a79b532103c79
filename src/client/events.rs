//! `GET /api/v1/events`: the hall's Server-Sent Event stream, resumable with `Last-Event-ID`.
//!
//! [`SseParser`] is pure (bytes in, events out); [`EventStream`] reads one open response.
//! A stream with no byte for [`EventStream::IDLE_LIMIT`] is treated as dead (the server
//! sends a keep-alive comment every 15 s).

use std::time::Duration;

use super::{ClientError, HallClient, check};

/// One event of the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerEvent {
    /// The store sequence number (the SSE `id`).
    pub id: Option<u64>,
    /// The SSE `event` name, e.g. `ticket_called`.
    pub kind: String,
    /// The JSON change (with `seq`, `at`, `type`); `Null` when the data is not JSON.
    pub data: serde_json::Value,
}

/// Splits an SSE byte stream into events. Comments and blank keep-alives yield nothing.
#[derive(Debug, Default)]
pub struct SseParser {
    buffer: String,
    pending: Vec<u8>,
}

impl SseParser {
    /// Feeds bytes; returns the events completed by them.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<ServerEvent> {
        self.pending.extend_from_slice(bytes);
        // Keep an incomplete UTF-8 sequence for the next chunk.
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) => e.valid_up_to(),
        };
        let text: Vec<u8> = self.pending.drain(..valid).collect();
        self.buffer.push_str(&String::from_utf8_lossy(&text));
        if self.buffer.contains('\r') {
            self.buffer = self.buffer.replace("\r\n", "\n").replace('\r', "\n");
        }
        let mut out = Vec::new();
        while let Some(end) = self.buffer.find("\n\n") {
            let block: String = self.buffer.drain(..end + 2).collect();
            if let Some(event) = parse_block(&block) {
                out.push(event);
            }
        }
        out
    }
}

fn parse_block(block: &str) -> Option<ServerEvent> {
    let mut id = None;
    let mut kind = String::new();
    let mut data = String::new();
    let mut has_data = false;
    for line in block.lines() {
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "id" => id = value.trim().parse().ok(),
            "event" => kind = value.to_string(),
            "data" => {
                if has_data {
                    data.push('\n');
                }
                data.push_str(value);
                has_data = true;
            }
            _ => {}
        }
    }
    if !has_data {
        return None;
    }
    if kind.is_empty() {
        kind = "message".into();
    }
    Some(ServerEvent {
        id,
        kind,
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
    })
}

/// An open event stream.
pub struct EventStream {
    response: reqwest::Response,
    parser: SseParser,
    ready: std::collections::VecDeque<ServerEvent>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

impl EventStream {
    /// Silence longer than this means the connection is dead.
    pub const IDLE_LIMIT: Duration = Duration::from_secs(40);

    /// The next event; `Ok(None)` when the server closed the stream.
    pub async fn next(&mut self) -> Result<Option<ServerEvent>, ClientError> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Ok(Some(event));
            }
            let chunk = tokio::time::timeout(Self::IDLE_LIMIT, self.response.chunk())
                .await
                .map_err(|_| ClientError::Unreachable("event stream silent".into()))?
                .map_err(ClientError::from_transport)?;
            match chunk {
                Some(bytes) => self.ready.extend(self.parser.push(&bytes)),
                None => return Ok(None),
            }
        }
    }
}

impl HallClient {
    /// Opens `GET /api/v1/events`, resuming after `last_id` when given.
    pub async fn events(&self, last_id: Option<u64>) -> Result<EventStream, ClientError> {
        // The API client's whole-request timeout would cut a long-lived stream: this request
        // only limits the connection and the wait for the headers.
        let http = crate::net::http()
            .connect_timeout(Duration::from_secs(3))
            .build()
            .map_err(|e| ClientError::Setup(e.to_string()))?;
        let mut request = http
            .get(self.url("/api/v1/events"))
            .bearer_auth(&self.token)
            .header("accept", "text/event-stream");
        if let Some(id) = last_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = tokio::time::timeout(Duration::from_secs(5), request.send())
            .await
            .map_err(|_| ClientError::Unreachable("event stream: no answer".into()))?
            .map_err(ClientError::from_transport)?;
        let response = check(response).await?;
        Ok(EventStream {
            response,
            parser: SseParser::default(),
            ready: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_and_comments_are_skipped() {
        let mut p = SseParser::default();
        assert!(p.push(b": keep-alive\n\n").is_empty());
        assert!(
            p.push(b"id: 7\nevent: ticket_called\ndata: {\"seq\":")
                .is_empty()
        );
        let events = p.push(b"7}\n\nid: 8\r\nevent: x\r\ndata: not json\r\n\r\n");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].id, Some(7));
        assert_eq!(events[0].kind, "ticket_called");
        assert_eq!(events[0].data["seq"], 7);
        assert_eq!(events[1].id, Some(8));
        assert_eq!(events[1].data, serde_json::Value::Null);
    }

    #[test]
    fn a_hanzi_split_between_chunks_survives() {
        let mut p = SseParser::default();
        let text = "data: {\"m\":\"叫号\"}\n\n".as_bytes();
        let cut = text.iter().position(|b| *b >= 0x80).unwrap() + 1;
        assert!(p.push(&text[..cut]).is_empty());
        let events = p.push(&text[cut..]);
        assert_eq!(events[0].data["m"], "叫号");
        assert_eq!(events[0].kind, "message");
    }
}
