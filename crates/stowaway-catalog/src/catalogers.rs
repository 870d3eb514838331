//! The catalogers and how their findings are attributed to layers.

use stowaway_image::{Analyzer, ImageView};
use stowaway_model::Package;

/// How the packages a cataloger finds are attributed to the layer that added them.
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

/// Every cataloger, in the order their packages are listed.
pub(crate) fn all() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(crate::dpkg::DpkgCataloger::new()), Box::new(crate::rpm::RpmCataloger::new())]
}
