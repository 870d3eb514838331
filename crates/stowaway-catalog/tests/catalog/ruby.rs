//! The Ruby cataloger on a crafted image with installed gems and a Bundler lockfile.

use stowaway_model::PackageKind;

use crate::lang_images::{catalog_files, failures_on, of_kind, summary, tuple};

const RAKE_GEMSPEC: &str = r#"# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib

Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"

  s.required_rubygems_version = Gem::Requirement.new(">= 1.3.2".freeze) if s.respond_to? :required_rubygems_version=
  s.require_paths = ["lib".freeze]
  s.authors = ["Hiroshi SHIBATA".freeze, "Eric Hodel".freeze]
  s.licenses = ["MIT".freeze]
  s.summary = "Rake is a Make-like program implemented in Ruby".freeze
end
"#;

const GEMFILE_LOCK: &str = "\
GEM
  remote: https://rubygems.example.invalid/
  specs:
    nokogiri (1.13.10-x86_64-linux)
      racc (~> 1.4)
    racc (1.6.2)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  nokogiri

BUNDLED WITH
   2.3.26
";

#[test]
fn gems_and_gemfile_lock() {
    let catalog = catalog_files(&[
        ("usr/local/bundle/specifications/rake-13.0.6.gemspec", RAKE_GEMSPEC),
        ("usr/share/rubygems-integration/all/specifications/json-2.6.3.gemspec", "# stub: json 2.6.3 ruby lib\n"),
        ("usr/local/bundle/specifications/broken-1.0.gemspec", "Gem::Specification.new do |s|\nend\n"),
        ("srv/app/Gemfile.lock", GEMFILE_LOCK),
    ]);

    assert_eq!(summary(&catalog, PackageKind::Gem), [
        tuple("json", "2.6.3", "/usr/share/rubygems-integration/all/specifications/json-2.6.3.gemspec"),
        tuple("nokogiri", "1.13.10", "/srv/app/Gemfile.lock"),
        tuple("racc", "1.6.2", "/srv/app/Gemfile.lock"),
        tuple("rake", "13.0.6", "/usr/local/bundle/specifications/rake-13.0.6.gemspec"),
    ]);
    let rake = of_kind(&catalog, PackageKind::Gem).find(|p| p.name == "rake").unwrap();
    assert_eq!(rake.licenses, ["MIT"]);
    assert_eq!(rake.purl.as_deref(), Some("pkg:gem/rake@13.0.6"));

    let failures = failures_on(&catalog, "/usr/local/bundle/specifications/broken-1.0.gemspec");
    assert_eq!(failures.len(), 1, "{:?}", catalog.warnings);
}
