//! A loopback HTTP/1.1 server that serves the files of one folder, with `ETag` and
//! `Last-Modified` validators, and misbehaves on request: error statuses, cut-short bodies,
//! stalls and replaced bodies. Every request is logged with its validators and the status sent.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The `Last-Modified` of every file served.
pub const LAST_MODIFIED: &str = "Wed, 21 Oct 2026 07:28:00 GMT";

/// The server's response to one request for a path.
#[derive(Clone, Debug)]
pub enum Behavior {
    /// The status alone, with an empty body and the given `Retry-After`, if any.
    Status(u16, Option<u64>),
    /// The headers of the full file, then half its body, then the connection closes.
    Truncate,
    /// The headers of the full file, then half its body, then nothing until the server stops.
    Stall,
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    /// The request path.
    pub path: String,
    /// The `If-None-Match` header.
    pub if_none_match: Option<String>,
    /// The `If-Modified-Since` header.
    pub if_modified_since: Option<String>,
    /// The status sent (a stall logs 200 once its headers are out).
    pub status: u16,
}

#[derive(Default)]
struct Plan {
    once: HashMap<String, VecDeque<Behavior>>,
    always: HashMap<String, Behavior>,
    bodies: HashMap<String, Vec<u8>>,
}

/// The running server; it stops when dropped.
pub struct FeedServer {
    address: String,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
    plan: Arc<Mutex<Plan>>,
    stopped: Arc<AtomicBool>,
}

impl FeedServer {
    /// Starts serving `root` on an ephemeral loopback port.
    pub fn start(root: PathBuf) -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let server = FeedServer {
            address,
            log: Arc::default(),
            plan: Arc::default(),
            stopped: Arc::new(AtomicBool::new(false)),
        };

        let (log, plan, stopped) = (server.log.clone(), server.plan.clone(), server.stopped.clone());
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (root, log, plan, stopped) = (root.clone(), log.clone(), plan.clone(), stopped.clone());
                        std::thread::spawn(move || serve(stream, &root, &log, &plan, &stopped));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        server
    }

    /// Returns the URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Responds to the next requests for `path` with `behaviors`, one each, then serves the file.
    pub fn queue(&self, path: &str, behaviors: Vec<Behavior>) {
        self.plan.lock().unwrap().once.insert(path.to_owned(), behaviors.into());
    }

    /// Responds to every request for `path` with `behavior`.
    pub fn always(&self, path: &str, behavior: Behavior) {
        self.plan.lock().unwrap().always.insert(path.to_owned(), behavior);
    }

    /// Serves `body` for `path` in place of a file.
    pub fn body(&self, path: &str, body: Vec<u8>) {
        self.plan.lock().unwrap().bodies.insert(path.to_owned(), body);
    }

    /// Returns the requests received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log.lock().unwrap().clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, root: &std::path::Path, log: &Mutex<Vec<LoggedRequest>>, plan: &Mutex<Plan>, stopped: &AtomicBool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }

    let (behavior, body) = {
        let mut plan = plan.lock().unwrap();
        let queued = plan.once.get_mut(&path).and_then(VecDeque::pop_front);
        let behavior = queued.or_else(|| plan.always.get(&path).cloned());
        let body = plan.bodies.get(&path).cloned().or_else(|| std::fs::read(root.join(path.trim_start_matches('/'))).ok());
        (behavior, body)
    };
    let mut entry = LoggedRequest {
        path: path.clone(),
        if_none_match: headers.get("if-none-match").cloned(),
        if_modified_since: headers.get("if-modified-since").cloned(),
        status: 200,
    };
    let mut stream = stream;

    let Some(body) = body else {
        entry.status = 404;
        log.lock().unwrap().push(entry);
        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let etag = format!("\"{:x}-{}\"", body.iter().fold(0u64, |hash, byte| hash.wrapping_mul(31).wrapping_add(u64::from(*byte))), body.len());
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\nConnection: close\r\n\r\n",
        body.len()
    );

    match behavior {
        Some(Behavior::Status(status, retry_after)) => {
            entry.status = status;
            log.lock().unwrap().push(entry);
            let retry_after = retry_after.map(|seconds| format!("Retry-After: {seconds}\r\n")).unwrap_or_default();
            let response = format!("HTTP/1.1 {status} Planned\r\nContent-Length: 0\r\n{retry_after}Connection: close\r\n\r\n");
            let _ = stream.write_all(response.as_bytes());
        }
        Some(Behavior::Truncate) => {
            log.lock().unwrap().push(entry);
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body[..body.len() / 2]));
        }
        Some(Behavior::Stall) => {
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body[..body.len() / 2])).and_then(|()| stream.flush());
            log.lock().unwrap().push(entry);
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        None if entry.if_none_match.as_deref() == Some(etag.as_str()) => {
            entry.status = 304;
            log.lock().unwrap().push(entry);
            let response = format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(response.as_bytes());
        }
        None => {
            log.lock().unwrap().push(entry);
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    }
}
