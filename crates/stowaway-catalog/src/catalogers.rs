//! The catalogers and how their findings are attributed to layers.

use stowaway_image::{Analyzer, FactCodec, ImageView};
use stowaway_model::Package;

/// The rule that attributes a cataloger's packages to the layer that added them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attribution {
    /// The file is a package database that each installing layer rewrites
    /// (`/var/lib/dpkg/status`): a package belongs to the lowest layer from which every later
    /// version of the file still lists it.
    Database,
    /// Each file describes its own packages (a `METADATA`, a jar, a binary): its packages belong
    /// to the layer that wrote the file.
    File,
}

/// A cataloger: an analyzer whose facts are `Vec<Package>`, one vector per file read.
pub trait Cataloger: Analyzer + Send {
    /// Returns how packages are attributed to layers.
    fn attribution(&self) -> Attribution;

    /// Returns the cataloger as the walker's analyzer.
    fn as_analyzer(&self) -> &dyn Analyzer;

    /// Completes the assembled packages with facts of other kinds this cataloger produced,
    /// such as the file lists that dpkg keeps apart from its status file. `analyzer` is the
    /// cataloger's position in the walk.
    fn finish(&self, view: &ImageView, analyzer: usize, packages: &mut [Package]) {
        let _ = (view, analyzer, packages);
    }
}

/// The packages of one file together with problems that hid part of it, such as a nested
/// archive over a size limit: the packages count as usual and each problem becomes a warning on
/// that file. Catalogers return it in place of `Vec<Package>` when a file was read only in part.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct PartialPackages {
    /// The packages found.
    pub(crate) packages: Vec<Package>,
    /// The parts of the file that could not be read, one message each, naming the part.
    pub(crate) problems: Vec<String>,
}

/// The layout version of every cataloger's facts in the layer analysis cache. Raise it whenever
/// a cataloger extracts something new or a fact type changes, so that cached layers are read again.
const FACTS_LAYOUT: u32 = 1;

/// Returns the cache version of the facts of the analyzer `name`, which also changes with each
/// release of this crate.
pub(crate) fn facts_version(name: &str) -> String {
    format!("{name}/{}/{FACTS_LAYOUT}", env!("CARGO_PKG_VERSION"))
}

/// Returns the fact codec of a cataloger whose facts are `Vec<Package>`; catalogers with further
/// fact types add them.
pub(crate) fn package_codec(name: &str) -> FactCodec {
    FactCodec::new(facts_version(name)).with::<Vec<Package>>()
}

/// Returns every cataloger, in the order their packages are listed.
pub(crate) fn all() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(crate::dpkg::DpkgCataloger::new()),
        Box::new(crate::apk::ApkCataloger::new()),
        Box::new(crate::rpm::RpmCataloger::new()),
        Box::new(crate::python::PythonCataloger::new()),
        Box::new(crate::npm::NpmCataloger::new()),
        Box::new(crate::ruby::RubyCataloger::new()),
        Box::new(crate::php::ComposerCataloger::new()),
        Box::new(crate::dotnet::DotnetCataloger::new()),
        Box::new(crate::java::JavaCataloger::new()),
        Box::new(crate::golang::GoBinaryCataloger::new()),
        Box::new(crate::rust::RustBinaryCataloger::new()),
    ]
}

/// Formats an error with its chain of causes (`failed to open the zip archive: invalid Zip
/// archive: ...`), because the walker keeps only the message of the error an analyzer returns.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
