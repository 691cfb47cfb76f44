//! Requests as data, replies as data: the shell does the I/O, this crate decides the bytes.

use crate::json::Json;
use crate::substring::Trim;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }

    pub fn is_write(self) -> bool {
        self != Method::Get
    }
}

/// A request without credentials: the transport adds `Authorization` at the edge, so tokens
/// never pass through the contract code.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl HttpRequest {
    pub fn json(method: Method, url: String, body: Option<&Json>) -> HttpRequest {
        let mut headers = vec![("Accept", "application/json".to_string())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_string()));
        }
        HttpRequest {
            method,
            url,
            headers,
            body: body.map(Json::to_json_string),
        }
    }

    /// JSON:API (Commerce Layer): both `Accept` and, with a body, `Content-Type` are
    /// `application/vnd.api+json` (anything else gets 406 / 415).
    pub fn json_api(method: Method, url: String, body: Option<&Json>) -> HttpRequest {
        let mut headers = vec![("Accept", "application/vnd.api+json".to_string())];
        if body.is_some() {
            headers.push(("Content-Type", "application/vnd.api+json".to_string()));
        }
        HttpRequest {
            method,
            url,
            headers,
            body: body.map(Json::to_json_string),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name, value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpReply {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `Retry-After` in seconds when given as a number (the form the providers use).
    pub fn retry_after_secs(&self) -> Option<u32> {
        crate::digits::parse_u32(self.header("retry-after")?.trimmed())
    }
}
