//! Images in the local Docker Engine (`docker:NAME`), exported through the engine's API as
//! `docker save` does. The engine's socket comes from `DOCKER_HOST` (`unix:///run/podman/podman.sock`
//! for Podman's compatible service), else `/var/run/docker.sock`.

use std::io::Write;
use std::sync::Arc;

use futures_util::StreamExt;

use super::{Image, LayerClaims, OpenOptions, docker_archive};
use crate::reference::{ImageReference, SourceKind};
use crate::ImageError;

/// Exports `name` from the engine into a temporary docker-archive and opens it.
///
/// NOTE: the export goes to a temporary file, because a `docker save` tar may write
/// `manifest.json` after the layers and the walker reads the layers in parallel. The file is
/// removed when the [`Image`] is dropped.
pub(super) fn open(reference: &str, name: &str, options: &OpenOptions) -> Result<Image, ImageError> {
    let failed = |operation: &str, source: bollard::errors::Error| {
        let missing = matches!(source, bollard::errors::Error::DockerResponseServerError { status_code: 404, .. });
        let hint = if missing {
            "the engine has no such image; pull or build it first, or list images with `docker images`"
        } else {
            "check that the engine runs and that DOCKER_HOST names its socket"
        };
        ImageError::Engine { reference: reference.to_owned(), operation: operation.to_owned(), hint, source: Box::new(source) }
    };
    let docker = bollard::Docker::connect_with_defaults().map_err(|error| failed("connect", error))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ImageError::io("the async runtime", error))?;

    let mut archive = tempfile::Builder::new().prefix("stowaway-docker-").suffix(".tar").tempfile().map_err(|e| ImageError::io(std::env::temp_dir(), e))?;
    let limit = options.limits.max_image_bytes;
    runtime.block_on(async {
        let mut stream = docker.export_image(name);
        let mut written: u64 = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| failed("export the image", error))?;
            written += chunk.len() as u64;
            if written > limit {
                let error = std::io::Error::other(format!("the export is larger than the limit of {limit} bytes; raise it with `--max-image-size`"));
                return Err(ImageError::io(archive.path(), error));
            }
            archive.write_all(&chunk).map_err(|e| ImageError::io(archive.path(), e))?;
        }
        Ok(())
    })?;
    archive.flush().map_err(|e| ImageError::io(archive.path(), e))?;
    tracing::debug!(path = %archive.path().display(), "exported the image from the engine");

    let path = archive.into_temp_path();
    let parsed = ImageReference { kind: SourceKind::DockerArchive, path: path.to_path_buf(), selector: None, name: None };
    let mut image = docker_archive::open(reference, &parsed, options)?;
    image.source = SourceKind::DockerEngine;
    // The engine computed every digest of its export from the layers it stores.
    image.claims = LayerClaims::Trusted;
    image.temporary = Some(Arc::new(path));
    Ok(image)
}
