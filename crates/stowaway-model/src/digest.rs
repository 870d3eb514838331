use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Digest as _;

/// A content digest such as `sha256:<64 hex digits>`, as the OCI image spec defines it.
///
/// Only the algorithms registered by the OCI image spec are accepted, and the encoded part must
/// have the length and alphabet of that algorithm, so a digest from a hostile manifest cannot
/// smuggle a path separator into a blob path.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: DigestAlgorithm,
    encoded: String,
}

/// A digest algorithm registered by the OCI image spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlgorithm {
    /// SHA-256, the algorithm of every image seen in practice.
    Sha256,
    /// SHA-512.
    Sha512,
}

/// An invalid digest string.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigestError {
    /// The string has no `algorithm:` prefix.
    #[error("invalid digest `{0}`: expected `algorithm:hex`, such as `sha256:<64 hex digits>`")]
    MissingAlgorithm(String),
    /// The algorithm is not one the OCI image spec registers.
    #[error("unsupported digest algorithm `{algorithm}` in `{digest}`: expected sha256 or sha512")]
    UnsupportedAlgorithm {
        /// The algorithm as written.
        algorithm: String,
        /// The whole digest string.
        digest: String,
    },
    /// The encoded part has the wrong length or characters that are not lowercase hex.
    #[error("invalid digest `{0}`: the encoded part must be {1} lowercase hex digits")]
    InvalidEncoding(String, usize),
}

impl DigestAlgorithm {
    /// Returns the name used in digest strings (`sha256`).
    pub fn as_str(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 64,
            DigestAlgorithm::Sha512 => 128,
        }
    }
}

impl Digest {
    /// Returns the algorithm part.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// Returns the hex-encoded part, without the algorithm prefix.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// Computes the SHA-256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        let mut hasher = Hasher::new(DigestAlgorithm::Sha256);
        hasher.update(bytes);
        hasher.finish()
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let Some((algorithm, encoded)) = text.split_once(':') else {
            return Err(DigestError::MissingAlgorithm(text.to_owned()));
        };

        let algorithm = match algorithm {
            "sha256" => DigestAlgorithm::Sha256,
            "sha512" => DigestAlgorithm::Sha512,
            other => {
                return Err(DigestError::UnsupportedAlgorithm {
                    algorithm: other.to_owned(),
                    digest: text.to_owned(),
                });
            }
        };

        let expected_len = algorithm.hex_len();
        let is_lower_hex = encoded.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if encoded.len() != expected_len || !is_lower_hex {
            return Err(DigestError::InvalidEncoding(text.to_owned(), expected_len));
        }

        Ok(Digest { algorithm, encoded: encoded.to_owned() })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.as_str(), self.encoded)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An incremental digest computation, fed while a blob streams past.
pub struct Hasher {
    state: HasherState,
}

enum HasherState {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// Starts a digest computation with `algorithm`.
    pub fn new(algorithm: DigestAlgorithm) -> Hasher {
        let state = match algorithm {
            DigestAlgorithm::Sha256 => HasherState::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sha512 => HasherState::Sha512(sha2::Sha512::new()),
        };
        Hasher { state }
    }

    /// Feeds `bytes` into the digest.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.state {
            HasherState::Sha256(hasher) => hasher.update(bytes),
            HasherState::Sha512(hasher) => hasher.update(bytes),
        }
    }

    /// Finishes the computation and returns the digest.
    pub fn finish(self) -> Digest {
        let (algorithm, encoded) = match self.state {
            HasherState::Sha256(hasher) => (DigestAlgorithm::Sha256, hex::encode(hasher.finalize())),
            HasherState::Sha512(hasher) => (DigestAlgorithm::Sha512, hex::encode(hasher.finalize())),
        };
        Digest { algorithm, encoded }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str =
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_and_displays_sha256() {
        let digest: Digest = EMPTY_SHA256.parse().unwrap();
        assert_eq!(digest.to_string(), EMPTY_SHA256);
        assert_eq!(digest, Digest::sha256_of(b""));
    }

    #[test]
    fn rejects_missing_algorithm() {
        let error = "abc".parse::<Digest>().unwrap_err();
        assert_eq!(error, DigestError::MissingAlgorithm("abc".into()));
    }

    #[test]
    fn rejects_unknown_algorithm() {
        let error = "md5:abc".parse::<Digest>().unwrap_err();
        assert!(matches!(error, DigestError::UnsupportedAlgorithm { .. }));
    }

    #[test]
    fn rejects_path_characters_in_encoding() {
        let hostile = format!("sha256:../../{}", &EMPTY_SHA256[13..]);
        assert!(matches!(hostile.parse::<Digest>(), Err(DigestError::InvalidEncoding(..))));
    }

    #[test]
    fn rejects_uppercase_hex() {
        let upper = EMPTY_SHA256.to_uppercase().replace("SHA256", "sha256");
        assert!(matches!(upper.parse::<Digest>(), Err(DigestError::InvalidEncoding(..))));
    }

    #[test]
    fn serde_round_trip() {
        let digest: Digest = EMPTY_SHA256.parse().unwrap();
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(json, format!("\"{EMPTY_SHA256}\""));
        let back: Digest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, digest);
    }
}
