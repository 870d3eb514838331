//! A Debian `docker-registry` process on 127.0.0.1, started and stopped by the test that uses
//! it, with images pushed by Debian's `skopeo`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The user and password of registries started with basic auth.
pub const USER: &str = "stowaway";
pub const PASSWORD: &str = "s3cret-for-tests";

/// A running registry; dropping it kills the process by PID.
pub struct LocalRegistry {
    child: Child,
    pub address: String,
    folder: tempfile::TempDir,
    basic_auth: bool,
}

impl LocalRegistry {
    /// Starts a registry, with htpasswd basic auth when `basic_auth` is set.
    pub fn start(basic_auth: bool) -> LocalRegistry {
        let binary = require("docker-registry");
        let folder = tempfile::tempdir().unwrap();
        let port = free_port();
        let address = format!("127.0.0.1:{port}");

        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {address}\n",
            folder.path().join("data").display()
        );
        if basic_auth {
            let htpasswd = folder.path().join("htpasswd");
            let output = Command::new(require("htpasswd")).args(["-Bbn", USER, PASSWORD]).output().unwrap();
            assert!(output.status.success(), "htpasswd failed: {}", String::from_utf8_lossy(&output.stderr));
            std::fs::write(&htpasswd, &output.stdout).unwrap();
            config.push_str(&format!("auth:\n  htpasswd:\n    realm: stowaway-test\n    path: {}\n", htpasswd.display()));
        }
        let config_path = folder.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();

        let log = std::fs::File::create(folder.path().join("registry.log")).unwrap();
        let child = Command::new(binary)
            .arg("serve")
            .arg(&config_path)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("failed to start docker-registry");
        let registry = LocalRegistry { child, address, folder, basic_auth };
        registry.wait_until_listening();
        registry
    }

    fn wait_until_listening(&self) {
        // A bound on the start-up wait, so a registry that never listens fails the test.
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(&self.address).is_err() {
            assert!(Instant::now() < deadline, "docker-registry did not listen on {}; log:\n{}", self.address, self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Returns the registry's log, access log included.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("registry.log")).unwrap_or_default()
    }

    /// Counts the requests for one blob in the access log.
    pub fn blob_downloads(&self, digest: &str) -> usize {
        let blob = format!("/blobs/{digest} ");
        self.log().lines().filter(|line| line.contains("\"GET /v2/") && line.contains(&blob)).count()
    }

    /// Copies an image with skopeo from `source` (`oci:PATH[:REF]`) to `name` in this registry;
    /// `all` copies every platform of an index.
    pub fn push(&self, source: &str, name: &str, all: bool) {
        let mut command = Command::new(require("skopeo"));
        command.args(["copy", "--quiet", "--dest-tls-verify=false"]);
        if all {
            command.arg("--all");
        }
        if self.basic_auth {
            command.arg(format!("--dest-creds={USER}:{PASSWORD}"));
        }
        let output = command.arg(source).arg(format!("docker://{}/{name}", self.address)).output().unwrap();
        assert!(output.status.success(), "skopeo copy {source} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Returns a port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Finds a program the test needs, or fails with the package that provides it.
fn require(program: &str) -> PathBuf {
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|folder| folder.join(program))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        let package = if program == "htpasswd" { "apache2-utils" } else { program };
        panic!("`{program}` not found; install the Debian package `{package}` (scripts/test.sh does)")
    })
}

/// Writes a Docker `config.json` with basic-auth credentials for `address` into `folder`.
pub fn docker_config(folder: &Path, address: &str) {
    use std::io::Write;
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let config = serde_json::json!({"auths": {address: {"auth": token}}});
    let mut file = std::fs::File::create(folder.join("config.json")).unwrap();
    file.write_all(&serde_json::to_vec(&config).unwrap()).unwrap();
}
