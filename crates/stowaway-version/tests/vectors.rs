//! Every row of the shared version vectors, which come from the reference implementations' own
//! test suites (dpkg, rpm, apk-tools, packaging, node-semver, golang.org/x/mod, Maven, RubyGems).
//!
//! The files are read at run time from `$STOWAWAY_SHARED_DIR/data/version-vectors` (default: the
//! `shared` folder beside the workspace root). Each test writes `NAME: passed/total rows` to
//! stderr, uncaptured, and fails on the first file with a wrong row.

use std::cmp::Ordering;
use std::io::Write;
use std::path::PathBuf;

use stowaway_version::{apk, dpkg, golang, maven, npm, pypi, rpm, rubygems};

fn vectors_dir() -> PathBuf {
    let shared = std::env::var_os("STOWAWAY_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let dir = shared.join("data/version-vectors");
    assert!(
        dir.is_dir(),
        "version vectors not found at {}: set STOWAWAY_SHARED_DIR to the shared folder",
        dir.display()
    );
    dir
}

/// Reads the rows of a vector file, header skipped; values keep their spaces.
fn rows(name: &str) -> Vec<Vec<String>> {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect();
    assert!(!rows.is_empty(), "{} has no rows", path.display());
    rows
}

fn sign(ordering: Ordering) -> &'static str {
    match ordering {
        Ordering::Less => "-1",
        Ordering::Equal => "0",
        Ordering::Greater => "1",
    }
}

/// Runs `check` on every row, reports the count and fails listing the wrong rows.
fn run(label: &str, file: &str, check: impl Fn(&[String]) -> Result<bool, String>) {
    let rows = rows(file);
    let mut failures = Vec::new();
    for row in &rows {
        match check(row) {
            Ok(true) => {}
            Ok(false) => failures.push(format!("{row:?}: wrong result")),
            Err(error) => failures.push(format!("{row:?}: {error}")),
        }
    }
    let passed = rows.len() - failures.len();
    let _ = writeln!(std::io::stderr(), "{label}: {passed}/{} rows", rows.len());
    assert!(
        failures.is_empty(),
        "{label}: {} of {} rows wrong:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// Checks an ordering row `a b expected` with a parser.
fn ordering_row<V: Ord>(
    row: &[String],
    parse: impl Fn(&str) -> Result<V, stowaway_version::VersionError>,
) -> Result<bool, String> {
    let a = parse(&row[0]).map_err(|e| e.to_string())?;
    let b = parse(&row[1]).map_err(|e| e.to_string())?;
    let forward = sign(a.cmp(&b));
    let backward = sign(b.cmp(&a));
    let expected_backward = match row[2].as_str() {
        "-1" => "1",
        "1" => "-1",
        other => other,
    };
    Ok(forward == row[2] && backward == expected_backward)
}

#[test]
fn dpkg_vectors() {
    run("dpkg", "dpkg.tsv", |row| ordering_row(row, dpkg::Version::parse));
}

#[test]
fn rpm_vectors() {
    run("rpm", "rpm.tsv", |row| ordering_row(row, rpm::Version::parse));
}

#[test]
fn apk_vectors() {
    run("apk", "apk.tsv", |row| ordering_row(row, apk::Version::parse));
}

#[test]
fn apk_fuzzy_vectors() {
    // apk matches strings, valid or not: `3.6.9_post1 ~ 3.6` is true although `_post` is invalid.
    run("apk fuzzy", "apk-fuzzy.tsv", |row| {
        let fuzzy = apk::compare_strings_fuzzy(&row[0], &row[2]);
        match row[1].as_str() {
            "~" => Ok(fuzzy.is_eq()),
            "!~" => Ok(fuzzy.is_ne()),
            "<~" => Ok(fuzzy.is_le()),
            ">~" => Ok(fuzzy.is_ge()),
            other => Err(format!("unknown operator `{other}`")),
        }
    });
}

#[test]
fn apk_validity_vectors() {
    run("apk validity", "apk-validity.tsv", |row| {
        let expected = row[1] == "true";
        Ok(apk::is_valid(&row[0]) == expected && apk::Version::parse(&row[0]).is_ok() == expected)
    });
}

#[test]
fn pypi_vectors() {
    run("pypi", "pypi.tsv", |row| ordering_row(row, pypi::Version::parse));
}

#[test]
fn pypi_specifier_vectors() {
    run("pypi specifiers", "pypi-specifiers.tsv", |row| {
        let range = pypi::Range::parse(&row[0]).map_err(|e| e.to_string())?;
        let version = pypi::Version::parse(&row[1]).map_err(|e| e.to_string())?;
        Ok(range.contains(&version) == (row[2] == "in"))
    });
}

#[test]
fn maven_vectors() {
    run("maven", "maven.tsv", |row| ordering_row(row, maven::Version::parse));
}

fn npm_options(column: Option<&String>) -> Result<npm::Options, String> {
    match column.map(String::as_str).unwrap_or("") {
        "" => Ok(npm::Options::default()),
        "loose" => Ok(npm::Options {
            loose: true,
            include_prerelease: false,
        }),
        "includePrerelease" => Ok(npm::Options {
            loose: false,
            include_prerelease: true,
        }),
        other => Err(format!("unknown options `{other}`")),
    }
}

#[test]
fn npm_vectors() {
    run("npm", "npm.tsv", |row| {
        let options = npm_options(row.get(3))?;
        ordering_row(row, |text| npm::Version::parse_with(text, options))
    });
}

#[test]
fn npm_range_vectors() {
    run("npm ranges", "npm-ranges.tsv", |row| {
        let options = npm_options(row.get(3))?;
        Ok(npm::satisfies(&row[1], &row[0], options) == (row[2] == "in"))
    });
}

#[test]
fn go_vectors() {
    run("golang", "go-semver.tsv", |row| {
        Ok(sign(golang::compare_go(&row[0], &row[1])) == row[2])
    });
}

#[test]
fn go_canonical_vectors() {
    run("golang canonical", "go-semver-canonical.tsv", |row| {
        let canonical = golang::canonical(&row[0]).unwrap_or_else(|| "(invalid)".to_owned());
        Ok(canonical == row[1] && golang::is_valid(&row[0]) == (row[1] != "(invalid)"))
    });
}

#[test]
fn rubygems_vectors() {
    run("rubygems", "rubygems.tsv", |row| {
        ordering_row(row, rubygems::Version::parse)
    });
}
