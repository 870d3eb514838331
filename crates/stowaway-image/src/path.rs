use std::fmt;
use std::path::Path;

/// A path inside an image, relative to the image root: no leading `/`, no empty, `.` or `..`
/// components, components separated by `/`.
///
/// Tar entry names are bytes and need not be UTF-8, so the path keeps the bytes as written and only
/// [`Display`](fmt::Display) is lossy. The root itself is the empty path.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ImagePath(Box<[u8]>);

/// A tar entry name that does not stay inside the image root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("path `{}` leaves the image root", String::from_utf8_lossy(.0))]
pub struct PathEscape(pub Vec<u8>);

impl ImagePath {
    /// Returns the image root.
    pub fn root() -> ImagePath {
        ImagePath::default()
    }

    /// Normalizes a tar entry name: a leading `/` and `.` components are dropped and `..` removes
    /// the component before it. A `..` that would climb above the root is an escape, unlike in a
    /// symlink target, because a tar entry with such a name is an attack, not a link to follow.
    pub fn from_tar_name(raw: &[u8]) -> Result<ImagePath, PathEscape> {
        let mut components: Vec<&[u8]> = Vec::new();
        for component in raw.split(|b| *b == b'/') {
            match component {
                b"" | b"." => {}
                b".." => {
                    if components.pop().is_none() {
                        return Err(PathEscape(raw.to_vec()));
                    }
                }
                other => components.push(other),
            }
        }
        Ok(ImagePath::from_components(&components))
    }

    pub(crate) fn from_components(components: &[&[u8]]) -> ImagePath {
        ImagePath(components.join(&b'/').into_boxed_slice())
    }

    /// Builds a path from a string literal already in normal form (as tests and analyzers write
    /// them). A leading `/` is accepted and dropped.
    ///
    /// # Panics
    /// When `text` contains `..`, `.` or empty components, because such a literal is a bug.
    pub fn new(text: &str) -> ImagePath {
        let path = ImagePath::from_tar_name(text.as_bytes()).expect("path literal stays inside the root");
        let trimmed = text.trim_start_matches('/').trim_end_matches('/');
        assert_eq!(path.as_bytes(), trimmed.as_bytes(), "path literal `{text}` is not in normal form");
        path
    }

    /// Returns the raw bytes of the path.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Tells whether this is the image root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Returns the path as a relative filesystem path, for glob matching and display.
    pub fn as_path(&self) -> &Path {
        use std::os::unix::ffi::OsStrExt;
        Path::new(std::ffi::OsStr::from_bytes(&self.0))
    }

    /// Returns the last component, or an empty slice for the root.
    pub fn file_name(&self) -> &[u8] {
        match self.0.iter().rposition(|b| *b == b'/') {
            Some(slash) => &self.0[slash + 1..],
            None => &self.0,
        }
    }

    /// Returns the parent directory, or `None` for the root.
    pub fn parent(&self) -> Option<ImagePath> {
        if self.is_root() {
            return None;
        }
        let parent = match self.0.iter().rposition(|b| *b == b'/') {
            Some(slash) => &self.0[..slash],
            None => &[][..],
        };
        Some(ImagePath(parent.into()))
    }

    /// Appends one component, or several separated by `/`, given in normal form.
    pub fn join(&self, component: &[u8]) -> ImagePath {
        if self.is_root() {
            return ImagePath(component.into());
        }
        let mut joined = Vec::with_capacity(self.0.len() + 1 + component.len());
        joined.extend_from_slice(&self.0);
        joined.push(b'/');
        joined.extend_from_slice(component);
        ImagePath(joined.into_boxed_slice())
    }

    /// Iterates over the components from the root down.
    pub fn components(&self) -> impl DoubleEndedIterator<Item = &[u8]> {
        self.0.split(|b| *b == b'/').filter(|c| !c.is_empty())
    }

    /// Tells whether `self` lies strictly below `ancestor`.
    pub fn is_descendant_of(&self, ancestor: &ImagePath) -> bool {
        if ancestor.is_root() {
            return !self.is_root();
        }
        self.0.len() > ancestor.0.len()
            && self.0.starts_with(&ancestor.0)
            && self.0[ancestor.0.len()] == b'/'
    }

    /// Returns the range bounds `(low, high)` that contain exactly the descendants of `self` in a
    /// byte-ordered map: every key that starts with `self/`. `0` is the byte after `/`.
    pub(crate) fn descendant_bounds(&self) -> (ImagePath, ImagePath) {
        if self.is_root() {
            return (ImagePath(Box::new([0])), ImagePath(vec![0xff; 4096].into_boxed_slice()));
        }
        let mut low = self.0.to_vec();
        low.push(b'/');
        let mut high = self.0.to_vec();
        high.push(b'0');
        (ImagePath(low.into_boxed_slice()), ImagePath(high.into_boxed_slice()))
    }
}

// `Ord` on `ImagePath` is the byte order of its contents, so maps keyed by `ImagePath` can be
// searched with a plain byte slice without building a path.
impl std::borrow::Borrow<[u8]> for ImagePath {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for ImagePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", String::from_utf8_lossy(&self.0))
    }
}

impl fmt::Debug for ImagePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", format!("/{}", String::from_utf8_lossy(&self.0)))
    }
}

impl serde::Serialize for ImagePath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads back the string that [`Serialize`](serde::Serialize) writes, so that reports and
/// warnings round-trip. Bytes that were not UTF-8 come back as U+FFFD.
impl<'de> serde::Deserialize<'de> for ImagePath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ImagePath::from_tar_name(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalize(raw: &str) -> Result<String, PathEscape> {
        ImagePath::from_tar_name(raw.as_bytes()).map(|p| String::from_utf8(p.as_bytes().to_vec()).unwrap())
    }

    #[test]
    fn normalizes_tar_names() {
        assert_eq!(normalize("./usr/bin/ls").unwrap(), "usr/bin/ls");
        assert_eq!(normalize("/etc//passwd").unwrap(), "etc/passwd");
        assert_eq!(normalize("usr/lib/").unwrap(), "usr/lib");
        assert_eq!(normalize("a/b/../c").unwrap(), "a/c");
        assert_eq!(normalize("./").unwrap(), "");
    }

    #[test]
    fn rejects_escapes() {
        assert!(normalize("../etc/passwd").is_err());
        assert!(normalize("a/../../b").is_err());
        assert!(normalize("/../x").is_err());
    }

    #[test]
    fn keeps_non_utf8_bytes() {
        let path = ImagePath::from_tar_name(b"opt/caf\xe9").unwrap();
        assert_eq!(path.as_bytes(), b"opt/caf\xe9");
        assert_eq!(path.to_string(), "/opt/caf\u{fffd}");
    }

    #[test]
    fn parent_name_and_join() {
        let path = ImagePath::new("usr/bin/ls");
        assert_eq!(path.file_name(), b"ls");
        assert_eq!(path.parent().unwrap(), ImagePath::new("usr/bin"));
        assert_eq!(ImagePath::new("usr").parent().unwrap(), ImagePath::root());
        assert_eq!(ImagePath::root().parent(), None);
        assert_eq!(ImagePath::root().join(b"etc"), ImagePath::new("etc"));
        assert_eq!(ImagePath::new("etc").join(b"ssl"), ImagePath::new("etc/ssl"));
    }

    #[test]
    fn descendants() {
        let lib = ImagePath::new("app/lib");
        assert!(ImagePath::new("app/lib/x.jar").is_descendant_of(&lib));
        assert!(!ImagePath::new("app/lib2/x.jar").is_descendant_of(&lib));
        assert!(!lib.is_descendant_of(&lib));
        assert!(lib.is_descendant_of(&ImagePath::root()));
    }
}
