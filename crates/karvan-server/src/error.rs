//! API errors: a status and a message a person can act on, sent as JSON
//! (`{"error": "...", "code": "..."}`; `code` only where a client acts on it).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// A stable word for clients to branch on (`exists`, `no_history`, `expired`, …).
    pub code: Option<&'static str>,
    /// Seconds after which the request may be repeated (sent as `Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            code: None,
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// 503: the server is at its limit; try again after `seconds`.
    pub fn busy(message: impl Into<String>, seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(seconds),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message).with_code("busy")
        }
    }

    pub fn with_code(mut self, code: &'static str) -> ApiError {
        self.code = Some(code);
        self
    }

    /// 400 for a number outside its range: names the field and the range.
    pub fn out_of_range(field: &str, range: &str) -> ApiError {
        ApiError::bad_request(format!("`{field}` must be a number {range}"))
            .with_code("out_of_range")
    }
}

impl From<karvan_data::Problems> for ApiError {
    fn from(p: karvan_data::Problems) -> ApiError {
        ApiError::bad_request(p.to_string().trim_end().to_string())
    }
}

impl From<karvan_model::ModelError> for ApiError {
    fn from(e: karvan_model::ModelError) -> ApiError {
        ApiError::bad_request(e.to_string())
    }
}

impl From<karvan_report::ReportError> for ApiError {
    fn from(e: karvan_report::ReportError) -> ApiError {
        ApiError::internal(e.to_string())
    }
}

impl From<axum::extract::rejection::StringRejection> for ApiError {
    fn from(r: axum::extract::rejection::StringRejection) -> ApiError {
        ApiError::new(r.status(), format!("request body: {}", r.body_text()))
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> ApiError {
        ApiError::new(r.status(), format!("request body: {}", r.body_text()))
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> ApiError {
        ApiError::new(r.status(), format!("query: {}", r.body_text()))
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(r: axum::extract::rejection::PathRejection) -> ApiError {
        ApiError::new(r.status(), format!("path: {}", r.body_text()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.code {
            Some(code) => serde_json::json!({ "error": self.message, "code": code }),
            None => serde_json::json!({ "error": self.message }),
        };
        let mut res = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}
