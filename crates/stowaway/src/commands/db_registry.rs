//! `stowaway db push REF` and `db pull REF`: the advisory database bundle as an OCI artifact,
//! so that any OCI registry can carry and mirror it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use stowaway_advisory::bundle;
use stowaway_image::OpenOptions;
use stowaway_image::artifact::{self, ArtifactKind};

use crate::exit::ExitStatus;

/// The artifact type and blob media type of a database bundle.
const DATABASE_ARTIFACT: ArtifactKind<'static> = ArtifactKind {
    artifact_type: "application/vnd.stowaway.advisory-db.v1",
    media_type: "application/vnd.stowaway.advisory-db.bundle.v1.tar+zstd",
};

/// The largest bundle pulled, far above the size of a database of every feed, so that a hostile
/// registry cannot fill the disk.
const MAX_BUNDLE_BYTES: u64 = 4 << 30;

/// Arguments of `stowaway db push` and `db pull`.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// The artifact's reference: `REGISTRY/REPOSITORY:TAG`, with Docker Hub's defaults.
    #[arg(value_name = "REF")]
    pub reference: String,

    /// Talk plain HTTP to the registry instead of HTTPS (for a local or lab registry).
    #[arg(long)]
    pub insecure: bool,
}

impl RegistryArgs {
    fn open_options(&self) -> OpenOptions {
        OpenOptions { insecure: self.insecure, ..OpenOptions::default() }
    }
}

/// Runs `db push`: exports the database to a bundle and pushes it with annotations that name
/// its schema version, build time and digest.
pub fn push(args: &RegistryArgs, database: &Path) -> anyhow::Result<ExitStatus> {
    let folder = tempfile::tempdir().context("failed to create a temporary folder for the bundle")?;
    let bundle_path = folder.path().join("advisories.bundle");
    let manifest = bundle::export(database, &bundle_path).with_context(|| format!("failed to export `{}`", database.display()))?;

    let annotations = BTreeMap::from([
        ("org.opencontainers.image.created".to_owned(), manifest.built_at.clone()),
        ("dev.stowaway.advisory.schema-version".to_owned(), manifest.schema_version.to_string()),
        ("dev.stowaway.advisory.built-at".to_owned(), manifest.built_at.clone()),
        ("dev.stowaway.advisory.database-sha256".to_owned(), manifest.database_sha256.clone()),
    ]);
    let url = artifact::push(&args.reference, &bundle_path, DATABASE_ARTIFACT, annotations, &args.open_options())
        .with_context(|| format!("failed to push the database to `{}`", args.reference))?;

    writeln!(std::io::stdout().lock(), "pushed {} to {url} (sha256:{})", database.display(), manifest.database_sha256)?;
    Ok(ExitStatus::Success)
}

/// Runs `db pull` and `db update --from-registry`: pulls the bundle and installs it as the
/// database.
pub fn pull(args: &RegistryArgs, database: &Path) -> anyhow::Result<ExitStatus> {
    let (manifest, from) = pull_into(args, database)?;
    writeln!(std::io::stdout().lock(), "pulled {} from {from} (built {})", database.display(), manifest.built_at)?;
    Ok(ExitStatus::Success)
}

/// Pulls the bundle of `args.reference` and installs it as `database`, with the import's
/// checks (digest, schema version, integrity).
fn pull_into(args: &RegistryArgs, database: &Path) -> anyhow::Result<(bundle::Manifest, String)> {
    let pulled = artifact::pull(&args.reference, DATABASE_ARTIFACT, MAX_BUNDLE_BYTES, &args.open_options())
        .with_context(|| format!("failed to pull the database from `{}`", args.reference))?;
    let bundle_path: PathBuf = pulled.path;
    let manifest = bundle::import(&bundle_path, database).with_context(|| format!("failed to import the bundle pulled from `{}`", args.reference))?;
    Ok((manifest, format!("{}@{}", args.reference, pulled.manifest_digest)))
}
