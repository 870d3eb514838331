//! Paths and rule ids that the user accepts, dropped from the results.

use globset::{GlobSet, GlobSetBuilder};

use crate::DetectError;

/// Paths (globs) and rule ids that never produce a detection.
///
/// Path patterns are matched against the absolute path in the image: `*` stays within one
/// component and `**` crosses components (`/srv/app/tests/**`).
#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    /// Glob patterns of paths to skip.
    pub paths: Vec<String>,
    /// Rule ids to skip (`secret-generic-assignment`).
    pub rule_ids: Vec<String>,
}

/// An [`Allowlist`] with its globs compiled.
#[derive(Debug)]
pub(crate) struct CompiledAllowlist {
    paths: GlobSet,
    rule_ids: Vec<String>,
}

impl CompiledAllowlist {
    pub(crate) fn new(allowlist: &Allowlist) -> Result<CompiledAllowlist, DetectError> {
        let mut builder = GlobSetBuilder::new();
        for pattern in &allowlist.paths {
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|source| DetectError::AllowlistPattern { pattern: pattern.clone(), source })?;
            builder.add(glob);
        }
        let paths = builder
            .build()
            .map_err(|source| DetectError::AllowlistPattern { pattern: allowlist.paths.join(", "), source })?;
        Ok(CompiledAllowlist { paths, rule_ids: allowlist.rule_ids.clone() })
    }

    /// Tells whether a detection of `rule_id` on `path` is allowed and so dropped.
    pub(crate) fn allows(&self, rule_id: &str, path: Option<&str>) -> bool {
        if self.rule_ids.iter().any(|id| id == rule_id) {
            return true;
        }
        path.is_some_and(|path| self.paths.is_match(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_paths_and_ids() {
        let allowlist = Allowlist { paths: vec!["/srv/app/tests/**".into()], rule_ids: vec!["secret-generic-assignment".into()] };
        let compiled = CompiledAllowlist::new(&allowlist).unwrap();

        assert!(compiled.allows("secret-private-key", Some("/srv/app/tests/keys/id_rsa")));
        assert!(compiled.allows("secret-generic-assignment", Some("/etc/app.conf")));
        assert!(!compiled.allows("secret-private-key", Some("/srv/app/id_rsa")));
        assert!(!compiled.allows("secret-private-key", None));
    }

    #[test]
    fn invalid_pattern_is_named() {
        let allowlist = Allowlist { paths: vec!["/a/[b".into()], rule_ids: vec![] };
        let error = CompiledAllowlist::new(&allowlist).unwrap_err();
        assert!(error.to_string().contains("/a/[b"), "{error}");
    }
}
