//! Helpers shared by the catalogers of language manifests: reading a whole text file and
//! reading fields of a JSON document whose field types are not validated up front.

use std::io::Read;

use serde_json::Value;
use stowaway_image::{AnalyzerError, FileInfo, Interest};

/// Reads a whole manifest as text, rejecting one cut at the interest's read limit, because a
/// truncated manifest would silently lose the packages at its end.
pub(crate) fn read_text(file: &FileInfo<'_>, interest: &Interest, content: &mut dyn Read) -> Result<String, AnalyzerError> {
    if file.is_truncated(interest) {
        return Err(format!("file of {} bytes exceeds the manifest limit of {} bytes", file.entry.size, interest.max_read()).into());
    }

    let mut bytes = Vec::new();
    content.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Parses a JSON manifest into an untyped value, so that one field of an unexpected type can be
/// skipped instead of failing the whole file.
pub(crate) fn parse_json(text: &str) -> Result<Value, AnalyzerError> {
    serde_json::from_str(text).map_err(|error| format!("invalid JSON: {error}").into())
}

/// Returns the string field `key` of `object`, or `None` when it is missing or not a string.
pub(crate) fn string_field<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

/// Returns the string field `key` of an entry, or an error naming the entry when it is missing
/// or of another type, because an entry without a name or version cannot be reported.
pub(crate) fn required_string<'a>(object: &'a Value, key: &str, entry: &str) -> Result<&'a str, AnalyzerError> {
    match object.get(key) {
        Some(Value::String(value)) => Ok(value),
        Some(other) => Err(format!("field `{key}` of `{entry}` is {}, expected a string", json_type(other)).into()),
        None => Err(format!("entry `{entry}` has no `{key}` field").into()),
    }
}

/// Tells whether the boolean field `key` is `true`; any other value, `"true"` included, reads as
/// false.
pub(crate) fn is_flag_set(object: &Value, key: &str) -> bool {
    object.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Names the JSON type of a value for error messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Returns the directory part of a path written with `/`, without the trailing slash.
pub(crate) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}
