use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stowaway_model::{Digest, Platform};

/// The image configuration, as the OCI image spec and Docker write it.
///
/// The fields are lenient: a field of a type the spec does not allow is an error, but missing
/// optional fields default, and Docker's extensions (`Healthcheck`) are kept because the
/// configuration checks read them.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ImageConfig {
    /// CPU architecture (`amd64`).
    #[serde(default)]
    pub architecture: String,
    /// Operating system (`linux`).
    #[serde(default)]
    pub os: String,
    /// CPU variant (`v8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Creation time as written (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Author as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The runtime settings of a container of this image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<RuntimeConfig>,
    /// The layers' uncompressed digests.
    #[serde(default)]
    pub rootfs: RootFs,
    /// One entry per build step, including steps that made no layer (`empty_layer`).
    #[serde(default)]
    pub history: Vec<History>,
}

/// The `config` object: how a container of the image runs.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuntimeConfig {
    /// User (name or uid, optionally `:group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Environment as `NAME=value` strings.
    #[serde(default, deserialize_with = "null_as_default")]
    pub env: Vec<String>,
    /// Entrypoint argv.
    #[serde(default, deserialize_with = "null_as_default")]
    pub entrypoint: Vec<String>,
    /// Default arguments.
    #[serde(default, deserialize_with = "null_as_default")]
    pub cmd: Vec<String>,
    /// Working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Exposed ports as keys such as `80/tcp`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    /// Volumes as keys.
    #[serde(default, deserialize_with = "null_as_default")]
    pub volumes: BTreeMap<String, serde_json::Value>,
    /// Labels.
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
    /// Stop signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// Docker's health check, absent from the OCI spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// Shell used by the RUN instruction, a Docker extension.
    #[serde(default, deserialize_with = "null_as_default")]
    pub shell: Vec<String>,
    /// Build triggers, a Docker extension.
    #[serde(default, deserialize_with = "null_as_default")]
    pub on_build: Vec<String>,
}

/// Docker's health check configuration.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// The test: `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", "..."]`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub test: Vec<String>,
}

/// The `rootfs` object.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Digest of each uncompressed layer, from the base up.
    #[serde(default, deserialize_with = "null_as_default")]
    pub diff_ids: Vec<Digest>,
}

/// One build step.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct History {
    /// The command line of the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// True when the step made no layer (ENV, CMD and the like).
    #[serde(default)]
    pub empty_layer: bool,
}

impl ImageConfig {
    /// Returns the platform the config declares.
    pub fn platform(&self) -> Platform {
        Platform::new(&self.os, &self.architecture, self.variant.as_deref())
    }

    /// Returns the history line of each layer, in layer order: history entries marked
    /// `empty_layer` are skipped, the others pair with the layers from the base up.
    pub fn layer_history(&self) -> Vec<Option<String>> {
        let mut lines: Vec<Option<String>> = self
            .history
            .iter()
            .filter(|step| !step.empty_layer)
            .map(|step| step.created_by.clone())
            .collect();
        lines.resize(self.rootfs.diff_ids.len(), None);
        lines
    }
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_pairs_with_layers() {
        let json = r#"{
            "architecture": "amd64", "os": "linux",
            "config": {"Env": null, "Cmd": ["bash"], "Healthcheck": {"Test": ["NONE"]}},
            "rootfs": {"type": "layers", "diff_ids": [
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]},
            "history": [
                {"created_by": "ADD rootfs.tar /"},
                {"created_by": "ENV A=1", "empty_layer": true},
                {"created_by": "RUN apt-get install curl"}
            ]
        }"#;
        let config: ImageConfig = serde_json::from_str(json).unwrap();

        assert_eq!(config.platform().to_string(), "linux/amd64");
        assert_eq!(
            config.layer_history(),
            vec![Some("ADD rootfs.tar /".to_owned()), Some("RUN apt-get install curl".to_owned())]
        );
        let runtime = config.config.unwrap();
        assert!(runtime.env.is_empty());
        assert_eq!(runtime.healthcheck.unwrap().test, ["NONE"]);
    }

    #[test]
    fn rejects_bad_diff_id() {
        let json = r#"{"rootfs": {"type": "layers", "diff_ids": ["sha256:../../etc"]}}"#;
        assert!(serde_json::from_str::<ImageConfig>(json).is_err());
    }
}
