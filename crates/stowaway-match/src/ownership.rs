//! File ownership by OS packages, from the file lists of the package databases.

use std::collections::HashMap;

use stowaway_model::Package;

/// Top-level folders that merged-`/usr` systems link into `/usr`; a package may list a file
/// under either spelling.
const MERGED_USR: [&str; 5] = ["bin", "sbin", "lib", "lib32", "lib64"];

/// Files listed by OS packages, each with its owner's name.
#[derive(Debug, Default)]
pub(crate) struct Ownership<'a> {
    owners: HashMap<&'a str, &'a str>,
}

impl<'a> Ownership<'a> {
    /// Indexes the file lists of the OS packages in `packages`.
    pub(crate) fn index(packages: &'a [Package]) -> Ownership<'a> {
        let mut owners = HashMap::new();
        for package in packages.iter().filter(|package| package.kind.is_os()) {
            for file in &package.files {
                owners.entry(file.trim_start_matches('/')).or_insert(package.name.as_str());
            }
        }
        Ownership { owners }
    }

    /// Returns the OS package that owns one of the package's locations. A location inside an
    /// archive (`app.war!/WEB-INF/lib/x.jar`) counts as the archive file.
    pub(crate) fn owner_of(&self, package: &Package) -> Option<&'a str> {
        package.locations.iter().find_map(|location| {
            let file = location.split('!').next().unwrap_or(location).trim_start_matches('/');
            self.owner_of_path(file)
        })
    }

    fn owner_of_path(&self, path: &str) -> Option<&'a str> {
        if let Some(owner) = self.owners.get(path) {
            return Some(owner);
        }
        let alternative = match path.strip_prefix("usr/") {
            Some(rest) if MERGED_USR.iter().any(|dir| rest.starts_with(&format!("{dir}/"))) => rest.to_owned(),
            Some(_) => return None,
            None if MERGED_USR.iter().any(|dir| path.starts_with(&format!("{dir}/"))) => format!("usr/{path}"),
            None => return None,
        };
        self.owners.get(alternative.as_str()).copied()
    }
}

#[cfg(test)]
mod tests {
    use stowaway_model::PackageKind;

    use super::*;

    #[test]
    fn owners_found_across_merged_usr() {
        let mut fzf = Package::new(PackageKind::Deb, "fzf", "0.60.3-1", "/var/lib/dpkg/status");
        fzf.files = vec!["/usr/bin/fzf".to_owned()];
        let mut sh = Package::new(PackageKind::Deb, "tool", "1", "/var/lib/dpkg/status");
        sh.files = vec!["/bin/tool".to_owned()];
        let packages = vec![fzf, sh];
        let ownership = Ownership::index(&packages);

        let binary = Package::new(PackageKind::Golang, "stdlib", "v1.24.4", "/usr/bin/fzf");
        assert_eq!(ownership.owner_of(&binary), Some("fzf"));
        let moved = Package::new(PackageKind::Golang, "stdlib", "v1.24.4", "/usr/bin/tool");
        assert_eq!(ownership.owner_of(&moved), Some("tool"));
        let pip = Package::new(PackageKind::Pypi, "requests", "2.19.0", "/usr/local/lib/python3.13/dist-packages/requests-2.19.0.dist-info/METADATA");
        assert_eq!(ownership.owner_of(&pip), None);
    }
}
