//! A connection's bytes: a client that stops reading its answer is dropped after a
//! while, and the HTTP parser's own error answers are made JSON.
//!
//! When a request cannot be parsed at all (a URI or headers beyond the parser's limits,
//! a line that is not HTTP) the parser answers by itself with a bare status and no body,
//! before any handler runs. Every other answer passes through the application, which
//! always sends a `content-type`; so an error answer without one is the parser's, and it
//! is rewritten here into the same JSON `{"error": ...}` as every other error.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

pub(crate) struct Connection<S> {
    inner: S,
    /// A rewritten answer being sent: its bytes, how many are out, and how many bytes of
    /// the original to report as written once it is all out.
    pending: Option<(Vec<u8>, usize, usize)>,
    /// How long a write may wait for the client to read.
    write_timeout: Duration,
    /// Running while a write waits.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> Connection<S> {
    pub(crate) fn new(inner: S, write_timeout: Duration) -> Connection<S> {
        Connection {
            inner,
            pending: None,
            write_timeout,
            stalled: None,
        }
    }
}

impl<S: AsyncWrite + Unpin> Connection<S> {
    /// Writes to the client; a write that waits longer than the timeout fails.
    fn write_timed(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let timeout = self.write_timeout;
                let sleep = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        self.stalled = None;
                        Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the client stopped reading",
                        )))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

/// The JSON answer replacing `buf` when `buf` starts with a bodiless error head from the
/// parser, and the length of that head.
fn rewrite(buf: &[u8]) -> Option<(Vec<u8>, usize)> {
    let rest = buf
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| buf.strip_prefix(b"HTTP/1.0 "))?;
    if !matches!(rest.first(), Some(b'4' | b'5')) {
        return None;
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    if head.contains("\r\ncontent-type:") {
        return None;
    }
    let status_line = head.lines().next().unwrap_or_default();
    let code: u16 = status_line.get(9..12)?.parse().ok()?;
    let message = match code {
        400 => "the request is not valid HTTP/1.1".to_string(),
        408 => "the request's headers did not arrive in time".to_string(),
        414 => format!(
            "the request URI is too long; at most {} bytes are accepted",
            crate::MAX_URI_BYTES
        ),
        431 => "the request's headers are too large".to_string(),
        _ => axum::http::StatusCode::from_u16(code)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error")
            .to_lowercase(),
    };
    let body = serde_json::json!({ "error": message }).to_string();
    let reason = axum::http::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let out = format!(
        "HTTP/1.1 {code} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    Some((out.into_bytes(), end))
}

impl<S: AsyncRead + Unpin> AsyncRead for Connection<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Connection<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match rewrite(buf) {
                Some((bytes, report)) => this.pending = Some((bytes, 0, report)),
                None => return this.write_timed(cx, buf),
            }
        }
        while let Some((bytes, out, report)) = this.pending.take() {
            if out == bytes.len() {
                return Poll::Ready(Ok(report));
            }
            match this.write_timed(cx, &bytes[out..]) {
                Poll::Pending => {
                    this.pending = Some((bytes, out, report));
                    return Poll::Pending;
                }
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => this.pending = Some((bytes, out + n, report)),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            }
        }
        Poll::Ready(Ok(0))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn only_bodiless_error_heads_are_rewritten() {
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let (out, n) = rewrite(bare).unwrap();
        assert_eq!(n, bare.len());
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{out}");
        assert!(out.ends_with("\"}") && out.contains("{\"error\":"), "{out}");
        let app = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(rewrite(app).is_none());
        assert!(rewrite(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(rewrite(b"{\"HTTP/1.1 400\": 1}").is_none());
    }
}
