use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An image platform: operating system, CPU architecture and optional variant (`linux/arm64/v8`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Platform {
    /// Operating system, as in the OCI image config (`linux`, `windows`).
    pub os: String,
    /// CPU architecture in Go's naming (`amd64`, `arm64`, `arm`).
    pub architecture: String,
    /// CPU variant (`v7`, `v8`), when the architecture has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// An invalid `--platform` value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid platform `{0}`: expected `os/arch` or `os/arch/variant`, such as `linux/arm64/v8`")]
pub struct PlatformError(pub String);

impl Platform {
    /// Builds a platform from its parts.
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant: variant.filter(|v| !v.is_empty()).map(str::to_owned),
        }
    }

    /// Tells whether an image of platform `self` satisfies a request for `wanted`.
    ///
    /// A request without a variant accepts any variant. `arm64` images often omit the `v8`
    /// variant, so `linux/arm64/v8` also accepts an `arm64` image that names none.
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        if self.os != wanted.os || self.architecture != wanted.architecture {
            return false;
        }

        match (&wanted.variant, &self.variant) {
            (None, _) => true,
            (Some(wanted), Some(actual)) => wanted == actual,
            (Some(wanted), None) => self.architecture == "arm64" && wanted == "v8",
        }
    }
}

impl FromStr for Platform {
    type Err = PlatformError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.split('/').collect();
        let valid = |part: &&str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(valid) {
            return Err(PlatformError(text.to_owned()));
        }

        Ok(Platform::new(parts[0], parts[1], parts.get(2).copied()))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_two_and_three_parts() {
        let amd64: Platform = "linux/amd64".parse().unwrap();
        assert_eq!(amd64, Platform::new("linux", "amd64", None));

        let arm: Platform = "linux/arm/v7".parse().unwrap();
        assert_eq!(arm.variant.as_deref(), Some("v7"));
        assert_eq!(arm.to_string(), "linux/arm/v7");
    }

    #[test]
    fn rejects_malformed() {
        for text in ["linux", "linux/", "/amd64", "a/b/c/d", "linux/amd 64"] {
            assert!(text.parse::<Platform>().is_err(), "{text} should be rejected");
        }
    }

    #[test]
    fn variant_matching() {
        let wanted_v7: Platform = "linux/arm/v7".parse().unwrap();
        let wanted_any: Platform = "linux/arm".parse().unwrap();
        let v6 = Platform::new("linux", "arm", Some("v6"));
        let v7 = Platform::new("linux", "arm", Some("v7"));

        assert!(v7.satisfies(&wanted_v7));
        assert!(!v6.satisfies(&wanted_v7));
        assert!(v6.satisfies(&wanted_any));

        let arm64_plain = Platform::new("linux", "arm64", None);
        assert!(arm64_plain.satisfies(&"linux/arm64/v8".parse().unwrap()));
        assert!(!arm64_plain.satisfies(&"linux/amd64".parse().unwrap()));
    }
}
