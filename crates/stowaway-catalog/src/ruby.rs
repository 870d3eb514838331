//! Ruby gems: the specifications RubyGems writes for each installed gem
//! (`specifications/NAME-VERSION.gemspec`, under each gem home and Debian's
//! `/usr/share/rubygems-integration`), and Bundler's `Gemfile.lock`.
//!
//! An installed gemspec is Ruby code, but RubyGems writes it in a fixed shape, one attribute
//! per line (`s.name = "rake".freeze`), so the lines are parsed and nothing is executed.

use std::io::Read;

use stowaway_image::{Analyzer, AnalyzerError, Fact, FactCodec, FileInfo, Interest};
use stowaway_model::{Package, PackageKind};

use crate::catalogers::{Attribution, Cataloger, package_codec};
use crate::manifest::read_text;

/// The largest gemspec or `Gemfile.lock` read; both are rarely over 100 KiB.
const MAX_SPEC_BYTES: u64 = 8 << 20;

/// Reads installed gem specifications and Bundler lockfiles.
pub(crate) struct RubyCataloger {
    interest: Interest,
    codec: FactCodec,
}

impl RubyCataloger {
    pub(crate) fn new() -> RubyCataloger {
        let patterns = ["**/specifications/*.gemspec", "**/Gemfile.lock"];
        RubyCataloger { interest: Interest::globs(patterns, MAX_SPEC_BYTES).expect("ruby patterns are valid globs"), codec: package_codec("ruby") }
    }
}

impl Analyzer for RubyCataloger {
    fn name(&self) -> &str {
        "ruby"
    }

    fn interest(&self) -> &Interest {
        &self.interest
    }

    fn fact_codec(&self) -> Option<&FactCodec> {
        Some(&self.codec)
    }

    fn analyze(&self, file: &FileInfo<'_>, content: &mut dyn Read) -> Result<Option<Fact>, AnalyzerError> {
        let text = read_text(file, &self.interest, content)?;
        let location = file.path.to_string();
        let packages = if file.path.file_name() == b"Gemfile.lock" {
            parse_gemfile_lock(&text, &location)?
        } else {
            vec![parse_gemspec(&text, &location)?]
        };
        Ok(Some(Box::new(packages)))
    }
}

impl Cataloger for RubyCataloger {
    fn attribution(&self) -> Attribution {
        Attribution::File
    }

    fn as_analyzer(&self) -> &dyn Analyzer {
        self
    }
}

/// Reads the name, version and licenses of an installed gemspec. The `# stub: NAME VERSION`
/// comment that RubyGems writes at the top is the fallback for a spec whose assignments have an
/// unusual form.
fn parse_gemspec(text: &str, location: &str) -> Result<Package, AnalyzerError> {
    let mut name = None;
    let mut version = None;
    let mut licenses = Vec::new();
    let mut stub = None;

    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("# stub:") {
            let mut words = rest.split_whitespace();
            stub = words.next().zip(words.next());
            continue;
        }
        let Some((attribute, value)) = assignment(line) else { continue };
        match attribute {
            "name" => name = string_literals(value).into_iter().next(),
            "version" => version = string_literals(value).into_iter().next(),
            "license" | "licenses" => licenses.extend(string_literals(value)),
            _ => {}
        }
    }

    let name = name.or_else(|| stub.map(|(name, _)| name.to_owned())).ok_or("gemspec has no `name` assignment")?;
    let version = version.or_else(|| stub.map(|(_, version)| version.to_owned())).ok_or_else(|| format!("gemspec of `{name}` has no `version` assignment"))?;
    let mut package = Package::new(PackageKind::Gem, name, version, location);
    package.licenses = licenses;
    Ok(package)
}

/// Splits `s.name = "rake".freeze` into `("name", "\"rake\".freeze")`, whatever the block
/// variable is called.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let (target, value) = line.split_once(" = ")?;
    let (receiver, attribute) = target.trim().split_once('.')?;
    let is_identifier = |word: &str| !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (is_identifier(receiver) && is_identifier(attribute)).then_some((attribute, value.trim()))
}

/// Returns the double-quoted string literals of a Ruby expression, in order:
/// `["MIT".freeze, "Ruby".freeze]` gives `MIT` and `Ruby`. RubyGems writes strings with
/// `String#dump`, so `\"` and `\\` are decoded.
///
/// NOTE: other escapes, such as `\u00E9` for non-ASCII characters, are kept as written.
fn string_literals(value: &str) -> Vec<String> {
    let mut literals = Vec::new();
    let mut current: Option<String> = None;
    let mut chars = value.chars();

    while let Some(c) = chars.next() {
        match (&mut current, c) {
            (None, '"') => current = Some(String::new()),
            (None, _) => {}
            (Some(literal), '\\') => match chars.next() {
                Some(escaped @ ('"' | '\\')) => literal.push(escaped),
                Some(other) => {
                    literal.push('\\');
                    literal.push(other);
                }
                None => {}
            },
            (Some(_), '"') => literals.extend(current.take()),
            (Some(literal), other) => literal.push(other),
        }
    }
    literals
}

/// Lists the gems of a `Gemfile.lock`: the `specs:` of its `GEM` (from a gem server) and `GIT`
/// sections. `PATH` sections are the application's own local gems and are skipped. A spec line
/// is indented four spaces, `name (version)` or `name (version-platform)`; lines indented six
/// spaces are that gem's dependency ranges.
fn parse_gemfile_lock(text: &str, location: &str) -> Result<Vec<Package>, AnalyzerError> {
    let mut packages = Vec::new();
    let mut section = "";

    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            section = line.trim();
            continue;
        }
        if !matches!(section, "GEM" | "GIT") || !line.starts_with("    ") || line.starts_with("     ") {
            continue;
        }

        let spec = line.trim();
        let Some((name, rest)) = spec.split_once(" (") else {
            return Err(format!("spec line `{spec}` has no version in parentheses").into());
        };
        let written = rest.trim_end_matches(')');
        // Gem versions never contain `-` (RubyGems turns `1.0-beta` into `1.0.pre.beta`), so a
        // `-` starts the platform of a precompiled gem.
        let (version, platform) = written.split_once('-').map_or((written, None), |(version, platform)| (version, Some(platform)));

        let mut package = Package::new(PackageKind::Gem, name, version, location);
        if let Some(platform) = platform {
            package.metadata.insert("platform".into(), platform.to_owned());
        }
        if section == "GIT" {
            package.metadata.insert("source".into(), "git".into());
        }
        packages.push(package);
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAKE_GEMSPEC: &str = r#"# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib

Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"

  s.required_rubygems_version = Gem::Requirement.new(">= 1.3.2".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "bug_tracker_uri" => "https://example.invalid/rake/issues" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Hiroshi SHIBATA".freeze, "Eric Hodel".freeze]
  s.licenses = ["MIT".freeze]
  s.rubygems_version = "3.4.20".freeze
  s.summary = "Rake is a Make-like program implemented in Ruby".freeze
end
"#;

    #[test]
    fn gemspec_fields() {
        let package = parse_gemspec(RAKE_GEMSPEC, "/usr/local/bundle/specifications/rake-13.0.6.gemspec").unwrap();

        assert_eq!(package.name, "rake");
        assert_eq!(package.version, "13.0.6");
        assert_eq!(package.licenses, ["MIT"]);
    }

    #[test]
    fn gemspec_stub_fallback() {
        let text = "# stub: json 2.6.3 ruby lib\nGem::Specification.new do |spec|\n  spec.license = 'Ruby'\nend\n";
        let package = parse_gemspec(text, "/x.gemspec").unwrap();
        assert_eq!((package.name.as_str(), package.version.as_str()), ("json", "2.6.3"));
    }

    #[test]
    fn string_literal_escapes() {
        assert_eq!(string_literals(r#"["MIT".freeze, "Ruby".freeze]"#), ["MIT", "Ruby"]);
        assert_eq!(string_literals(r#""say \"hi\" \\ \u00E9".freeze"#), [r#"say "hi" \ \u00E9"#]);
        assert!(string_literals("Gem::Version.new(nil)").is_empty());
    }

    #[test]
    fn gemspec_without_name_is_error() {
        assert!(parse_gemspec("Gem::Specification.new do |s|\nend\n", "/x.gemspec").is_err());
    }

    #[test]
    fn gemfile_lock_sections() {
        let text = "\
GIT
  remote: https://example.invalid/rails/rails.git
  revision: 0123456789abcdef
  specs:
    rails (7.1.0.alpha)
      actioncable (= 7.1.0.alpha)

PATH
  remote: .
  specs:
    myapp (0.1.0)

GEM
  remote: https://example.invalid/
  specs:
    actioncable (7.0.4)
      actionpack (= 7.0.4)
    nokogiri (1.13.10-x86_64-linux)
      racc (~> 1.4)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  rails!

BUNDLED WITH
   2.3.26
";
        let packages = parse_gemfile_lock(text, "/app/Gemfile.lock").unwrap();
        let found: Vec<(&str, &str)> = packages.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect();

        assert_eq!(found, [("rails", "7.1.0.alpha"), ("actioncable", "7.0.4"), ("nokogiri", "1.13.10")]);
        assert_eq!(packages[0].metadata.get("source").map(String::as_str), Some("git"));
        assert_eq!(packages[2].metadata.get("platform").map(String::as_str), Some("x86_64-linux"));
    }

    #[test]
    fn spec_without_version_is_error() {
        let error = parse_gemfile_lock("GEM\n  specs:\n    rack\n", "/g").unwrap_err();
        assert!(error.to_string().contains("`rack`"), "{error}");
    }
}
