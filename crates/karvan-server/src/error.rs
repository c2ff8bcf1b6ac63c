//! API errors: a status and a message a person can act on, sent as JSON.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::CONFLICT,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
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
        ApiError {
            status: r.status(),
            message: format!("request body: {}", r.body_text()),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> ApiError {
        ApiError {
            status: r.status(),
            message: format!("request body: {}", r.body_text()),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> ApiError {
        ApiError {
            status: r.status(),
            message: format!("query: {}", r.body_text()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}
