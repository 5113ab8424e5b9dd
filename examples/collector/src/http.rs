//! A small HTTP/1.1 server for the dev collector: one thread per connection, keep-alive, request
//! bodies by `Content-Length` or chunked, responses with `Content-Length`.
//!
//! Written for the collector rather than taken from a crate: tiny_http (used before) hands new
//! connections to a thread pool that can leave one unserved when several open at once, and a
//! browser then waits forever for a script (seen with Chromium loading a page with module scripts).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Longest request line plus headers.
const MAX_HEAD: usize = 64 * 1024;
/// An idle keep-alive connection is closed after this long.
const IDLE: Duration = Duration::from_secs(120);
/// Unread request body bytes drained to keep a connection alive; beyond this it is closed.
const DRAIN_MAX: u64 = 4 * 1024 * 1024;

pub struct Request<'a> {
    pub method: String,
    /// path and query, as sent
    pub url: String,
    pub headers: Vec<(String, String)>,
    body: Body<'a>,
}

impl Request<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The declared body length (`None` for a chunked body).
    pub fn body_length(&self) -> Option<u64> {
        match self.body.kind {
            BodyKind::Length(n) => Some(n),
            BodyKind::Chunked { .. } => None,
        }
    }

    /// The request body, read from the connection as it is consumed.
    pub fn body(&mut self) -> &mut dyn Read {
        &mut self.body
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// A streamed body instead: each chunk is written after its delay (ms), chunked encoding.
    pub chunks: Vec<(u64, Vec<u8>)>,
}

enum BodyKind {
    /// bytes left
    Length(u64),
    /// bytes left in the current chunk; `done` after the last chunk and its trailers
    Chunked { left: u64, done: bool },
}

struct Body<'a> {
    src: &'a mut BufReader<TcpStream>,
    kind: BodyKind,
}

impl Read for Body<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.kind {
            BodyKind::Length(left) => {
                if *left == 0 || buf.is_empty() {
                    return Ok(0);
                }
                let max = buf.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                let n = self.src.read(&mut buf[..max])?;
                if n == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "body cut short"));
                }
                *left -= n as u64;
                Ok(n)
            }
            BodyKind::Chunked { left, done } => {
                if *done || buf.is_empty() {
                    return Ok(0);
                }
                if *left == 0 {
                    let line = read_line(self.src)?;
                    let size = line.split(';').next().unwrap_or("").trim();
                    let size = u64::from_str_radix(size, 16)
                        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
                    if size == 0 {
                        // trailers, up to the empty line
                        while !read_line(self.src)?.is_empty() {}
                        *done = true;
                        return Ok(0);
                    }
                    *left = size;
                }
                let max = buf.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                let n = self.src.read(&mut buf[..max])?;
                if n == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "chunk cut short"));
                }
                *left -= n as u64;
                if *left == 0 && !read_line(self.src)?.is_empty() {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "chunk not followed by CRLF"));
                }
                Ok(n)
            }
        }
    }
}

/// One CRLF- (or LF-) terminated line, without its terminator.
fn read_line(src: &mut BufReader<TcpStream>) -> io::Result<String> {
    let mut line = Vec::new();
    let n = src.by_ref().take(MAX_HEAD as u64).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"));
    }
    if line.last() != Some(&b'\n') {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

type Handler = dyn Fn(&mut Request) -> Response + Send + Sync;

/// Accepts connections forever, each served by a thread of its own; at most `max_connections` at
/// once (a connection over the limit gets a 503 and is closed).
pub fn serve(listener: TcpListener, max_connections: usize, handler: Arc<Handler>) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if open.fetch_add(1, Ordering::AcqRel) >= max_connections {
            open.fetch_sub(1, Ordering::AcqRel);
            let busy = Response { status: 503, headers: Vec::new(), body: b"too many connections".to_vec(), chunks: Vec::new() };
            let _ = write_response(&mut stream, &busy, false, false);
            continue;
        }
        let (handler, open) = (Arc::clone(&handler), Arc::clone(&open));
        let spawned = thread::Builder::new().spawn(move || {
            let _ = connection(stream, &*handler);
            open.fetch_sub(1, Ordering::AcqRel);
        });
        if spawned.is_err() {
            eprintln!("sightline-collector: cannot start a connection thread");
        }
    }
}

/// Serves the requests of one connection until it closes, idles out or asks to close.
fn connection(stream: TcpStream, handler: &Handler) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    let _ = stream.set_nodelay(true);
    let mut out = stream.try_clone()?;
    let mut src = BufReader::new(stream);
    loop {
        let line = match read_line(&mut src) {
            Ok(l) if l.is_empty() => continue, // a stray CRLF between requests is allowed
            Ok(l) => l,
            Err(_) => return Ok(()),           // closed, idle, or garbage: done
        };
        let mut parts = line.split(' ');
        let (Some(method), Some(url), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
            let bad = Response { status: 400, headers: Vec::new(), body: b"bad request line".to_vec(), chunks: Vec::new() };
            return write_response(&mut out, &bad, false, false);
        };
        let (method, url, http11) = (method.to_owned(), url.to_owned(), version == "HTTP/1.1");
        let mut headers = Vec::new();
        let mut head_bytes = line.len();
        loop {
            let h = read_line(&mut src)?;
            if h.is_empty() {
                break;
            }
            head_bytes += h.len();
            if head_bytes > MAX_HEAD {
                let bad = Response { status: 400, headers: Vec::new(), body: b"headers too large".to_vec(), chunks: Vec::new() };
                return write_response(&mut out, &bad, false, false);
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let find = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_ascii_lowercase());
        let chunked = find("transfer-encoding").is_some_and(|v| v.contains("chunked"));
        let length = find("content-length").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let keep_alive = match find("connection") {
            Some(c) if c.contains("close") => false,
            Some(c) if c.contains("keep-alive") => true,
            _ => http11,
        };
        let kind = if chunked { BodyKind::Chunked { left: 0, done: false } } else { BodyKind::Length(length) };
        let mut req = Request { method, url, headers, body: Body { src: &mut src, kind } };
        // a handler bug costs this request (answered 500), never the connection thread
        let resp = panic::catch_unwind(AssertUnwindSafe(|| handler(&mut req))).unwrap_or_else(|_| {
            eprintln!("sightline-collector: a request handler panicked");
            Response { status: 500, headers: Vec::new(), body: b"internal error".to_vec(), chunks: Vec::new() }
        });
        let head_only = req.method == "HEAD";
        // what the handler left unread must go before the next request can be read
        let drained = io::copy(&mut req.body().take(DRAIN_MAX), &mut io::sink()).is_ok();
        let finished = match req.body.kind {
            BodyKind::Length(left) => left == 0,
            BodyKind::Chunked { done, .. } => done,
        };
        let keep = keep_alive && drained && finished;
        write_response(&mut out, &resp, head_only, keep)?;
        if !keep {
            return Ok(());
        }
    }
}

fn write_response(out: &mut TcpStream, resp: &Response, head_only: bool, keep_alive: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    if !resp.chunks.is_empty() && !head_only {
        head.push_str("Transfer-Encoding: chunked\r\n");
        head.push_str(if keep_alive { "Connection: keep-alive\r\n\r\n" } else { "Connection: close\r\n\r\n" });
        out.write_all(head.as_bytes())?;
        out.flush()?;
        for (delay, chunk) in &resp.chunks {
            thread::sleep(Duration::from_millis(*delay));
            out.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
            out.write_all(chunk)?;
            out.write_all(b"\r\n")?;
            out.flush()?;
        }
        out.write_all(b"0\r\n\r\n")?;
        return out.flush();
    }
    head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    head.push_str(if keep_alive { "Connection: keep-alive\r\n\r\n" } else { "Connection: close\r\n\r\n" });
    let mut all = head.into_bytes();
    if !head_only {
        all.extend_from_slice(&resp.body);
    }
    out.write_all(&all)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    fn start() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Arc<Handler> = Arc::new(|req: &mut Request| {
            if req.url == "/panic" {
                panic!("handler bug");
            }
            let mut body = Vec::new();
            if req.url != "/ignore-body" {
                req.body().read_to_end(&mut body).unwrap();
            }
            let text = format!("{} {} {} {}", req.method, req.url, req.header("x-test").unwrap_or("-"), String::from_utf8_lossy(&body));
            Response { status: 200, headers: vec![("X-Echo".into(), "1".into())], body: text.into_bytes(), chunks: Vec::new() }
        });
        thread::spawn(move || serve(listener, 8, handler));
        addr
    }

    /// Sends raw bytes, reads until the connection closes.
    fn exchange(addr: SocketAddr, raw: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn keeps_the_connection_for_several_requests() {
        let addr = start();
        let out = exchange(
            addr,
            "GET /a HTTP/1.1\r\nX-Test: one\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 3, "{out}");
        assert!(out.contains("GET /a one "));
        assert!(out.contains("POST /b - hello"));
        assert!(out.contains("Connection: close"));
        assert!(out.contains("X-Echo: 1"));
    }

    #[test]
    fn decodes_chunked_bodies_and_drains_unread_ones() {
        let addr = start();
        let out = exchange(
            addr,
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nTrailer: t\r\n\r\nPOST /ignore-body HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /last HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        assert!(out.contains("POST /x - abcdefg"), "{out}");
        assert!(out.contains("POST /ignore-body - "));
        assert!(out.contains("GET /last - "), "the unread body was drained: {out}");
    }

    #[test]
    fn head_has_no_body_and_a_panic_is_a_500() {
        let addr = start();
        let out = exchange(addr, "HEAD /h HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(out.contains("Content-Length: 10\r\n"), "{out}"); // "HEAD /h - "
        assert!(out.ends_with("\r\n\r\n"));
        let out = exchange(addr, "GET /panic HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 500 Internal Server Error"), "{out}");
        assert!(out.contains("GET /after"));
        let out = exchange(addr, "NONSENSE\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 400 Bad Request"), "{out}");
    }

    #[test]
    fn many_connections_at_once_are_all_served() {
        let addr = start();
        // idle keep-alive connections hold their threads; new ones must still be served
        let idle: Vec<TcpStream> = (0..6).map(|_| TcpStream::connect(addr).unwrap()).collect();
        let out = exchange(addr, "GET /still HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(out.contains("GET /still"), "{out}");
        drop(idle);
    }
}
