//! `stowaway compare-versions` run as a user runs it: results on stdout, exit codes, and errors
//! that name the ecosystem and the string.

use std::process::{Command, Output};

fn stowaway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stowaway"))
        .arg("compare-versions")
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Runs the command, expects exit 0 and returns stdout without its newline.
fn run_ok(args: &[&str]) -> String {
    let output = stowaway(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim_end().to_owned()
}

/// Runs the command, expects exit 2 and returns stderr.
fn run_err(args: &[&str]) -> String {
    let output = stowaway(args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}: stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(output.stdout.is_empty(), "{args:?}: an error prints nothing on stdout");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn orders_two_versions() {
    assert_eq!(run_ok(&["apk", "1.6-r0", "1.6_rc1-r0"]), ">");
    assert_eq!(run_ok(&["pypi", "2022.12.07", "2022.12.7"]), "=");
    assert_eq!(run_ok(&["deb", "1.0~rc1-1", "1.0-1"]), "<");
    assert_eq!(run_ok(&["rpm", "1.0^git1", "1.0"]), ">");
    assert_eq!(run_ok(&["maven", "1.0-SNAPSHOT", "1.0"]), "<");
    assert_eq!(run_ok(&["gem", "1.0.0-beta.1", "1.0.0.beta.1"]), "=");
    assert_eq!(run_ok(&["golang", "v0.0.0-20191109021931-daa7c04131f5", "v0.1.0"]), "<");
    assert_eq!(run_ok(&["cargo", "1.0.0-alpha.1", "1.0.0-alpha.beta"]), "<");
    assert_eq!(run_ok(&["npm", "1.2.3-r100", "1.2.3-R2"]), ">");
}

#[test]
fn accepts_osv_ecosystem_names() {
    assert_eq!(run_ok(&["Alpine:v3.18", "1.5.1-r1", "1.5.1"]), ">");
    assert_eq!(run_ok(&["crates.io", "1.10.0", "1.9.0"]), ">");
    assert_eq!(run_ok(&["Debian:12", "2:1.0", "1:9.9"]), ">");
}

#[test]
fn tests_a_range() {
    assert_eq!(
        run_ok(&["pypi", "2022.12.7", "--range", ">=2017.11.05, <2022.12.07"]),
        "out"
    );
    assert_eq!(
        run_ok(&["pypi", "2022.12.6", "--range", ">=2017.11.05, <2022.12.07"]),
        "in"
    );
    assert_eq!(run_ok(&["npm", "1.8.1", "--range", "^1.2.3"]), "in");
    assert_eq!(run_ok(&["maven", "2.0", "--range", "[1.0,2.0)"]), "out");
    assert_eq!(run_ok(&["apk", "3.6.9", "--range", "~3.6"]), "in");
    assert_eq!(run_ok(&["generic", "1.1.1w", "--range", ">= 1.1.1, < 1.1.1za"]), "in");
}

#[test]
fn npm_options_change_the_answer() {
    assert_eq!(run_ok(&["npm", "1.1.0-a", "--range", "~1.1"]), "out");
    assert_eq!(
        run_ok(&["npm", "1.1.0-a", "--range", "~1.1", "--include-prerelease"]),
        "in"
    );
    assert!(run_err(&["npm", "=1.2.3", "1.2.3"]).contains("invalid npm version `=1.2.3`"));
    assert_eq!(run_ok(&["npm", "=1.2.3", "1.2.3", "--loose"]), "=");
}

#[test]
fn malformed_version_is_an_error_naming_it() {
    let stderr = run_err(&["apk", "1.34.1-r3", "1.34.0_r0"]);
    assert!(stderr.contains("invalid apk version `1.34.0_r0`"), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");

    let stderr = run_err(&["pypi", "1.0", "--range", ">=1.0, lolwat"]);
    assert!(stderr.contains("invalid pypi range `>=1.0, lolwat`"), "{stderr}");
}

#[test]
fn unknown_ecosystem_and_misuse_are_errors() {
    let stderr = run_err(&["hex", "1.0", "2.0"]);
    assert!(stderr.contains("unknown ecosystem `hex`"), "{stderr}");
    assert!(run_err(&["deb", "1.0"]).contains("<OTHER>"));
    assert!(run_err(&["deb", "1.0", "2.0", "--loose"]).contains("only apply to npm"));
}

#[test]
fn generic_warns_that_it_is_approximate() {
    let output = stowaway(&["generic", "1.0", "1.0a"]);
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim_end(), "<");
    assert!(String::from_utf8_lossy(&output.stderr).contains("approximate"));
}
