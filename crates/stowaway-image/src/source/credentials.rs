//! Registry credentials from the Docker client's `config.json` (`$DOCKER_CONFIG/config.json`,
//! else `~/.docker/config.json`): the `auths` entries, and the `credsStore` and `credHelpers`
//! programs (`docker-credential-NAME`). Credentials are never logged.

use std::path::PathBuf;

use docker_credential::{CredentialRetrievalError, DockerCredential};
use oci_client::secrets::RegistryAuth;

/// The key under which the Docker client stores Docker Hub's credentials.
const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Returns the credentials configured for `registry` (a host, with its port if any), or
/// anonymous access when none are.
pub(super) fn lookup(registry: &str) -> RegistryAuth {
    let key = match registry {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB_KEY,
        other => other,
    };
    match docker_credential::get_credential(key) {
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
        Err(CredentialRetrievalError::ConfigNotFound | CredentialRetrievalError::NoCredentialConfigured) => RegistryAuth::Anonymous,
        // The crate reports a missing `config.json` as a read error; only a file that exists
        // and cannot be read deserves a warning.
        Err(CredentialRetrievalError::ConfigReadError) if !config_path().is_some_and(|path| path.exists()) => RegistryAuth::Anonymous,
        Err(error) => {
            tracing::warn!(registry, %error, "failed to read the Docker credentials; pulling anonymously");
            RegistryAuth::Anonymous
        }
    }
}

/// Returns the path of the Docker client's `config.json`, as `docker_credential` finds it.
fn config_path() -> Option<PathBuf> {
    let folder = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker")))?;
    Some(folder.join("config.json"))
}
