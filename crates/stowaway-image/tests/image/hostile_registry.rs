//! The bearer-token flow and hostile registries, against the mock registry: wrong digests, an
//! oversized manifest, a redirect loop, short blobs, a schema 1 manifest and transient errors.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use stowaway_image::{ImageError, Limits, OpenOptions, Walker, open};

use crate::mock_registry::{MockRegistry, Request, Response};
use crate::support::*;

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// The documents and blobs of one crafted image, as a registry serves them.
#[derive(Clone)]
struct Served {
    manifest: Vec<u8>,
    config: Vec<u8>,
    config_digest: String,
    layer: Vec<u8>,
    layer_digest: String,
}

impl Served {
    fn new() -> Served {
        Served::with_layer_size_offset(0, 0)
    }

    /// Builds the image; the manifest announces the layer `offset` bytes larger than it is and
    /// carries `padding` bytes of annotation.
    fn with_layer_size_offset(offset: u64, padding: usize) -> Served {
        let blobs = vec![Blob::gzip(layer(&[file("etc/os-release", b"ID=mock\n"), file("app/run", b"echo hi")]))];
        let config = config_json(&blobs, "amd64");
        let config_digest = sha256(&config).to_string();
        let layer = blobs[0].stored.clone();
        let layer_digest = sha256(&layer).to_string();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": blobs[0].media_type, "digest": layer_digest, "size": layer.len() as u64 + offset}],
            "annotations": {"padding": "x".repeat(padding)},
        }))
        .unwrap();
        Served { manifest, config, config_digest, layer, layer_digest }
    }

    /// Serves the distribution API for repository `app`, tag `1`.
    fn respond(&self, request: &Request) -> Response {
        match request.path.as_str() {
            "/v2/" => Response::status(200),
            "/v2/app/manifests/1" => Response::ok(MANIFEST_TYPE, self.manifest.clone()),
            path if path == format!("/v2/app/blobs/{}", self.config_digest) => Response::ok("application/octet-stream", self.config.clone()),
            path if path == format!("/v2/app/blobs/{}", self.layer_digest) => Response::ok("application/octet-stream", self.layer.clone()),
            _ => Response::status(404),
        }
    }

    fn is_layer(&self, request: &Request) -> bool {
        request.path.ends_with(&self.layer_digest)
    }
}

fn pull(registry: &MockRegistry, cache: &std::path::Path) -> Result<stowaway_image::Image, ImageError> {
    let options = OpenOptions { insecure: true, layer_cache: Some(cache.to_owned()), ..OpenOptions::default() };
    open(&format!("registry:{}/app:1", registry.address), &options)
}

/// Formats an error with its causes, as the CLI prints them.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[test]
fn well_behaved_mock_is_read() {
    let served = Served::new();
    let registry = MockRegistry::start(move |request, _| served.respond(request));
    let cache = tempfile::tempdir().unwrap();

    let image = pull(&registry, cache.path()).unwrap();

    let view = Walker::new(&image).run().unwrap();
    assert_eq!(paths(&view), ["/app/run", "/etc/os-release"]);
}

#[test]
fn bearer_challenge_fetches_token() {
    const TOKEN: &str = "mock-token-7f3a";
    let served = Served::new();
    let registry = MockRegistry::start(move |request, address| {
        let challenge = format!("Bearer realm=\"http://{address}/token\",service=\"mock-registry\"");
        if request.path.starts_with("/token?") {
            return Response::ok("application/json", format!("{{\"token\":\"{TOKEN}\"}}").into_bytes());
        }
        if request.authorization.as_deref() != Some(&format!("Bearer {TOKEN}")) {
            return Response::status(401).header("WWW-Authenticate", &challenge);
        }
        served.respond(request)
    });
    let cache = tempfile::tempdir().unwrap();

    let image = pull(&registry, cache.path()).unwrap();

    assert_eq!(image.layers.len(), 1);
    let requests = registry.requests();
    let token_requests: Vec<&Request> = requests.iter().filter(|r| r.path.starts_with("/token?")).collect();
    assert!(!token_requests.is_empty(), "no token request in {requests:?}");
    assert!(token_requests[0].path.contains("scope=repository%3Aapp%3Apull"), "{}", token_requests[0].path);
    assert!(token_requests[0].path.contains("service=mock-registry"), "{}", token_requests[0].path);
    let blob_requests: Vec<&Request> = requests.iter().filter(|r| r.path.contains("/blobs/")).collect();
    assert_eq!(blob_requests.len(), 2);
    for request in blob_requests {
        assert_eq!(request.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    }
}

#[test]
fn wrong_layer_digest_is_rejected() {
    let served = Served::new();
    let registry = MockRegistry::start(move |request, _| {
        if served.is_layer(request) {
            let mut tampered = served.layer.clone();
            let last = tampered.len() - 1;
            tampered[last] ^= 0xff;
            return Response::ok("application/octet-stream", tampered);
        }
        served.respond(request)
    });
    let cache = tempfile::tempdir().unwrap();

    let error = pull(&registry, cache.path()).unwrap_err();

    assert!(matches!(error, ImageError::DigestMismatch { .. }), "{}", chain(&error));
    let cached = std::fs::read_dir(cache.path().join("sha256")).unwrap().count();
    assert_eq!(cached, 0, "a rejected blob stays out of the cache");
}

#[test]
fn oversized_manifest_is_rejected() {
    let served = Served::with_layer_size_offset(0, 4096);
    let registry = MockRegistry::start(move |request, _| served.respond(request));
    let cache = tempfile::tempdir().unwrap();
    let options = OpenOptions {
        insecure: true,
        layer_cache: Some(cache.path().to_owned()),
        limits: Limits { max_json_bytes: 2048, ..Limits::default() },
        ..OpenOptions::default()
    };

    let error = open(&format!("registry:{}/app:1", registry.address), &options).unwrap_err();

    assert!(matches!(error, ImageError::JsonTooLarge { limit: 2048, .. }), "{}", chain(&error));
}

#[test]
fn redirect_loop_is_an_error() {
    let served = Served::new();
    let registry = MockRegistry::start(move |request, _| {
        if served.is_layer(request) {
            return Response::status(302).header("Location", &request.path);
        }
        served.respond(request)
    });
    let cache = tempfile::tempdir().unwrap();

    let error = pull(&registry, cache.path()).unwrap_err();

    assert!(matches!(error, ImageError::Registry { .. }), "{}", chain(&error));
    assert!(chain(&error).contains("redirect"), "{}", chain(&error));
    let layer_requests = registry.requests().iter().filter(|r| r.path.contains("/blobs/")).count();
    assert!(layer_requests < 30, "{layer_requests} requests: the loop was followed too long");
}

#[test]
fn blob_shorter_than_manifest_is_rejected() {
    let served = Served::with_layer_size_offset(100, 0);
    let registry = MockRegistry::start(move |request, _| served.respond(request));
    let cache = tempfile::tempdir().unwrap();

    let error = pull(&registry, cache.path()).unwrap_err();

    assert!(matches!(error, ImageError::SizeMismatch { .. }), "{}", chain(&error));
}

#[test]
fn truncated_response_is_rejected() {
    let served = Served::new();
    let registry = MockRegistry::start(move |request, _| {
        let mut response = served.respond(request);
        if served.is_layer(request) {
            response.declared_length = Some(response.body.len());
            response.body.truncate(response.body.len() / 2);
        }
        response
    });
    let cache = tempfile::tempdir().unwrap();

    let error = pull(&registry, cache.path()).unwrap_err();

    assert!(matches!(error, ImageError::BlobDownload { .. }), "{}", chain(&error));
}

#[test]
fn schema1_manifest_is_rejected() {
    let registry = MockRegistry::start(|request, _| match request.path.as_str() {
        "/v2/" => Response::status(200),
        _ => Response::ok(
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
            br#"{"schemaVersion":1,"name":"app","tag":"1","fsLayers":[]}"#.to_vec(),
        ),
    });
    let cache = tempfile::tempdir().unwrap();

    let error = pull(&registry, cache.path()).unwrap_err();

    assert!(matches!(error, ImageError::UnsupportedMediaType { .. }), "{}", chain(&error));
    assert!(error.to_string().contains("schema 1"), "{error}");
}

#[test]
fn server_errors_are_retried() {
    let served = Served::new();
    let failures = Arc::new(AtomicUsize::new(0));
    let counter = failures.clone();
    let registry = MockRegistry::start(move |request, _| {
        if served.is_layer(request) && counter.fetch_add(1, Ordering::Relaxed) < 2 {
            return Response::status(503);
        }
        served.respond(request)
    });
    let cache = tempfile::tempdir().unwrap();

    let image = pull(&registry, cache.path()).unwrap();

    assert_eq!(image.layers.len(), 1);
    let layer_requests = registry.requests().iter().filter(|r| r.path.contains("/blobs/sha256") && !r.path.contains("config")).count();
    assert_eq!(failures.load(Ordering::Relaxed), 3, "two 503 answers, then the blob");
    assert!(layer_requests >= 3);
}

#[test]
fn https_to_plain_registry_hints_insecure() {
    let served = Served::new();
    let registry = MockRegistry::start(move |request, _| served.respond(request));
    let cache = tempfile::tempdir().unwrap();
    let options = OpenOptions { layer_cache: Some(cache.path().to_owned()), ..OpenOptions::default() };

    let error = open(&format!("registry:{}/app:1", registry.address), &options).unwrap_err();

    assert!(matches!(error, ImageError::Registry { .. }), "{}", chain(&error));
    assert!(error.to_string().contains("pass `--insecure`"), "{error}");
}
