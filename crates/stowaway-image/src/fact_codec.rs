//! The encoding of analyzers' facts in the layer analysis cache.

use std::any::TypeId;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::analyzer::{AnalyzerError, Fact};

/// The fact types of one analyzer, with a version that names their layout.
///
/// A fact is stored as a one-byte tag, its type's position in the codec, followed by the value
/// in CBOR. CBOR records field names, so a field that serde skips when empty reads back as its
/// default. The version goes into the cache key: change it whenever a fact type changes its
/// fields or the analyzer changes what it extracts, so that entries written by the old code are
/// no longer found.
pub struct FactCodec {
    version: String,
    kinds: Vec<FactKind>,
}

struct FactKind {
    type_id: TypeId,
    type_name: &'static str,
    encode: fn(&Fact, &mut Vec<u8>) -> Result<(), AnalyzerError>,
    decode: fn(&[u8]) -> Result<Fact, AnalyzerError>,
}

impl FactCodec {
    /// Starts a codec with no fact types. `version` names the analyzer and its fact layout, such
    /// as `dpkg/1`.
    pub fn new(version: impl Into<String>) -> FactCodec {
        FactCodec { version: version.into(), kinds: Vec::new() }
    }

    /// Adds a fact type the analyzer returns. At most 255 types fit one codec.
    ///
    /// # Panics
    /// When the codec already has 255 types, because a tag is one byte.
    pub fn with<T>(mut self) -> FactCodec
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
    {
        assert!(self.kinds.len() < usize::from(u8::MAX), "a fact codec holds at most 255 types");
        self.kinds.push(FactKind {
            type_id: TypeId::of::<T>(),
            type_name: std::any::type_name::<T>(),
            encode: encode_value::<T>,
            decode: decode_value::<T>,
        });
        self
    }

    /// Returns the version given to [`FactCodec::new`], which is part of the cache key.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Encodes one fact, or fails when its type was not added to the codec.
    pub fn encode(&self, fact: &Fact) -> Result<Vec<u8>, AnalyzerError> {
        let type_id = (**fact).type_id();
        let Some(tag) = self.kinds.iter().position(|kind| kind.type_id == type_id) else {
            return Err(format!("fact type not registered in codec `{}`", self.version).into());
        };

        let mut bytes = vec![tag as u8];
        (self.kinds[tag].encode)(fact, &mut bytes)?;
        Ok(bytes)
    }

    /// Decodes one fact written by [`FactCodec::encode`].
    pub fn decode(&self, bytes: &[u8]) -> Result<Fact, AnalyzerError> {
        let Some((&tag, value)) = bytes.split_first() else {
            return Err("empty fact".into());
        };
        let Some(kind) = self.kinds.get(usize::from(tag)) else {
            return Err(format!("unknown fact tag {tag} in codec `{}`", self.version).into());
        };
        (kind.decode)(value).map_err(|error| format!("invalid {}: {error}", kind.type_name).into())
    }
}

impl std::fmt::Debug for FactCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let types: Vec<&str> = self.kinds.iter().map(|kind| kind.type_name).collect();
        f.debug_struct("FactCodec").field("version", &self.version).field("types", &types).finish()
    }
}

fn encode_value<T: Serialize + 'static>(fact: &Fact, out: &mut Vec<u8>) -> Result<(), AnalyzerError> {
    let value = fact.downcast_ref::<T>().ok_or("fact type does not match its tag")?;
    ciborium::into_writer(value, out)?;
    Ok(())
}

fn decode_value<T: DeserializeOwned + Send + Sync + 'static>(bytes: &[u8]) -> Result<Fact, AnalyzerError> {
    let value: T = ciborium::from_reader(bytes)?;
    Ok(Box::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Listing {
        names: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<String>,
    }

    fn codec() -> FactCodec {
        FactCodec::new("test/1").with::<Vec<u32>>().with::<Listing>()
    }

    #[test]
    fn round_trip_second_type() {
        let fact: Fact = Box::new(Listing { names: vec!["a".into(), "b".into()], origin: None });

        let bytes = codec().encode(&fact).unwrap();
        let back = codec().decode(&bytes).unwrap();

        assert_eq!(bytes[0], 1);
        assert_eq!(back.downcast_ref::<Listing>(), fact.downcast_ref::<Listing>());
    }

    #[test]
    fn unregistered_type_rejected() {
        let fact: Fact = Box::new("text".to_owned());

        let error = codec().encode(&fact).unwrap_err();

        assert!(error.to_string().contains("test/1"), "{error}");
    }

    #[test]
    fn unknown_tag_rejected() {
        let error = codec().decode(&[7, 0]).unwrap_err();

        assert!(error.to_string().contains("tag 7"), "{error}");
    }

    #[test]
    fn truncated_value_rejected() {
        let fact: Fact = Box::new(vec![1_u32, 2, 3]);
        let bytes = codec().encode(&fact).unwrap();

        let error = codec().decode(&bytes[..bytes.len() - 1]).unwrap_err();

        assert!(error.to_string().contains("Vec<u32>"), "{error}");
    }
}
