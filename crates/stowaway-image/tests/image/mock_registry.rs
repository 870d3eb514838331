//! A registry written for the tests: a loopback HTTP server that serves one crafted image and
//! misbehaves on request, for the bearer-token flow and hostile registry cases that a real
//! registry will not produce.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
}

/// The response to send. `declared_length` overrides `Content-Length`, to send a short body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub declared_length: Option<usize>,
}

impl Response {
    pub fn ok(content_type: &str, body: Vec<u8>) -> Response {
        Response { status: 200, headers: vec![("Content-Type".into(), content_type.into())], body, declared_length: None }
    }

    pub fn status(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: Vec::new(), declared_length: None }
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Handler = dyn Fn(&Request, &str) -> Response + Send + Sync;

/// A running mock registry; dropping it stops the server thread.
pub struct MockRegistry {
    pub address: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MockRegistry {
    /// Starts a server that responds to each request with `handler(request, address)`.
    pub fn start(handler: impl Fn(&Request, &str) -> Response + Send + Sync + 'static) -> MockRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);

        let thread = {
            let (requests, stop, address) = (requests.clone(), stop.clone(), address.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    serve(stream, &*handler, &address, &requests);
                }
            })
        };
        MockRegistry { address, requests, stop, thread: Some(thread) }
    }

    /// Returns the requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for MockRegistry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so that it checks the stop flag.
        let _ = TcpStream::connect(&self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler, address: &str, requests: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or_default().to_owned(), parts.next().unwrap_or_default().to_owned());
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_owned());
        }
    }
    let request = Request { method, path, authorization };
    requests.lock().unwrap().push(request.clone());

    let response = handler(&request, address);
    let mut stream = stream;
    let mut head = format!("HTTP/1.1 {} Mock\r\nConnection: close\r\n", response.status);
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let length = response.declared_length.unwrap_or(response.body.len());
    head.push_str(&format!("Content-Length: {length}\r\n\r\n"));
    let _ = stream.write_all(head.as_bytes());
    if request.method != "HEAD" {
        let _ = stream.write_all(&response.body);
    }
    let _ = stream.flush();
}
