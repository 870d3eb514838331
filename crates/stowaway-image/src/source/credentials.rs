//! Registry credentials from the Docker client's `config.json` (`$DOCKER_CONFIG/config.json`,
//! else `~/.docker/config.json`): the `auths` entries, and the `credsStore` and `credHelpers`
//! programs (`docker-credential-NAME`). Credentials are never logged.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use docker_credential::{CredentialRetrievalError, DockerCredential};
use oci_client::secrets::RegistryAuth;

/// The key under which the Docker client stores Docker Hub's credentials.
const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Returns the credentials configured for `registry` (a host, with its port if any) in the
/// configuration folder `folder` (else the default one), or anonymous access when none are.
pub(super) fn lookup(registry: &str, folder: Option<&Path>) -> RegistryAuth {
    let key = match registry {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB_KEY,
        other => other,
    };
    let Some(path) = config_path(folder) else { return RegistryAuth::Anonymous };
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return RegistryAuth::Anonymous,
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "failed to read the Docker configuration; pulling anonymously");
            return RegistryAuth::Anonymous;
        }
    };

    match docker_credential::get_credential_from_reader(BufReader::new(file), key) {
        Ok(DockerCredential::UsernamePassword(username, password)) => {
            tracing::debug!(registry, "using the credentials of the Docker configuration");
            RegistryAuth::Basic(username, password)
        }
        Ok(DockerCredential::IdentityToken(_)) => {
            // TODO: identity tokens are OAuth refresh tokens, to be exchanged at the registry's
            // token endpoint; until that exchange exists, such entries pull anonymously.
            tracing::warn!(registry, "the Docker configuration has an identity token for this registry, which stowaway does not use yet; pulling anonymously");
            RegistryAuth::Anonymous
        }
        Err(CredentialRetrievalError::NoCredentialConfigured) => RegistryAuth::Anonymous,
        Err(error) => {
            tracing::warn!(registry, path = %path.display(), %error, "failed to read the Docker credentials; pulling anonymously");
            RegistryAuth::Anonymous
        }
    }
}

/// Returns the path of the Docker client's `config.json`.
fn config_path(folder: Option<&Path>) -> Option<PathBuf> {
    let folder = match folder {
        Some(folder) => folder.to_owned(),
        None => std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker")))?,
    };
    Some(folder.join("config.json"))
}
