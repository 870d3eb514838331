//! Property tests per ecosystem, on generated versions: the ordering is reflexive, antisymmetric
//! and transitive (a sorted list is ordered pair by pair), and `parse(display(v)) == v`.

use std::cmp::Ordering;

use proptest::prelude::*;
use stowaway_version::{Ecosystem, Range, Version};

/// Version grammars, one per ecosystem, wide enough to reach the quirks of each.
fn grammar(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::Deb => r"([0-9]{1,2}:)?[0-9][0-9a-zA-Z.+~]{0,8}(-[0-9a-zA-Z.+~]{1,5})?",
        Ecosystem::Rpm => r"([0-9]{1,2}:)?[0-9a-zA-Z._+~^]{1,10}(-[0-9a-zA-Z._+~^]{1,6})?",
        Ecosystem::Apk => {
            r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,2}){0,2}(~[0-9a-f]{1,6})?(-r[0-9]{1,2})?"
        }
        Ecosystem::Pypi => {
            r"([0-9]!)?[0-9]{1,3}(\.[0-9]{1,3}){0,3}((a|b|rc|c|alpha|beta|pre)[0-9]{0,2})?(\.post[0-9]{0,2}|-[0-9])?(\.dev[0-9]{0,2})?(\+[a-z0-9]{1,4}(\.[a-z0-9]{1,3})?)?"
        }
        Ecosystem::Npm | Ecosystem::Cargo => {
            r"(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})(-(0|[1-9][0-9]?|[a-zA-Z-]{1,3}[0-9]?)(\.(0|[1-9][0-9]?|[a-z-]{1,3})){0,2})?(\+[a-z0-9]{1,4})?"
        }
        Ecosystem::Golang => {
            r"v(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]?)(\.(0|[1-9][0-9]?)(-(0|[1-9][0-9]?|[a-z-]{1,3})(\.(0|[1-9][0-9]{0,13}|[a-z][a-z0-9]{0,11})){0,2})?(\+(incompatible|[a-z0-9]{1,4}))?)?)?"
        }
        Ecosystem::Maven => r"[0-9a-zA-Z]{1,4}([.-][0-9a-zA-Z]{0,4}){0,4}",
        Ecosystem::Gem => r"[0-9]{1,3}(\.([0-9]{1,3}|[a-z]{1,3}[0-9]?)){0,4}(-[0-9a-z]{1,4}(\.[0-9a-z]{1,3}){0,2})?",
        Ecosystem::Generic => r"v?[0-9a-zA-Z][0-9a-zA-Z.~_+-]{0,11}",
    }
}

/// Parses every string the grammar generates; a rejected one fails the test with the error.
fn versions(ecosystem: Ecosystem) -> impl Strategy<Value = Vec<Version>> {
    prop::collection::vec(grammar(ecosystem), 2..10).prop_map(move |texts| {
        texts
            .iter()
            .map(|text| Version::parse(ecosystem, text).unwrap_or_else(|error| panic!("{error}")))
            .collect()
    })
}

/// Runs `cases` cases, or `$PROPTEST_CASES` when set, and keeps no regression file (integration
/// tests have no `lib.rs` beside them for proptest to find).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn check_order(versions: &mut [Version]) -> Result<(), TestCaseError> {
    for a in versions.iter() {
        prop_assert_eq!(a.compare(a).unwrap(), Ordering::Equal, "{} is not equal to itself", a);
        for b in versions.iter() {
            let forward = a.compare(b).unwrap();
            let backward = b.compare(a).unwrap();
            prop_assert_eq!(forward, backward.reverse(), "{} vs {}", a, b);
        }
    }

    // Insertion sort, which never panics on a broken order, then every pair must be in order.
    for index in 1..versions.len() {
        let mut position = index;
        while position > 0 && versions[position - 1].compare(&versions[position]).unwrap().is_gt() {
            versions.swap(position - 1, position);
            position -= 1;
        }
    }
    for (i, a) in versions.iter().enumerate() {
        for b in &versions[i + 1..] {
            prop_assert!(
                a.compare(b).unwrap().is_le(),
                "not transitive: sorted {} before {}",
                a,
                b
            );
        }
    }
    Ok(())
}

fn check_round_trip(versions: &[Version]) -> Result<(), TestCaseError> {
    for version in versions {
        let text = version.to_string();
        let again = Version::parse(version.ecosystem(), &text)
            .map_err(|error| TestCaseError::fail(format!("display of {version:?} does not parse: {error}")))?;
        prop_assert_eq!(
            again.compare(version).unwrap(),
            Ordering::Equal,
            "{} changed after a round trip",
            text
        );
        prop_assert_eq!(again.to_string(), text);
    }
    Ok(())
}

macro_rules! ecosystem_properties {
    ($name:ident, $ecosystem:expr) => {
        proptest! {
            #![proptest_config(config(1024))]

            #[test]
            fn $name(mut versions in versions($ecosystem)) {
                check_round_trip(&versions)?;
                check_order(&mut versions)?;
            }
        }
    };
}

ecosystem_properties!(dpkg_order_is_total, Ecosystem::Deb);
ecosystem_properties!(rpm_order_is_total, Ecosystem::Rpm);
ecosystem_properties!(apk_order_is_total, Ecosystem::Apk);
ecosystem_properties!(pypi_order_is_total, Ecosystem::Pypi);
ecosystem_properties!(npm_order_is_total, Ecosystem::Npm);
ecosystem_properties!(cargo_order_is_total, Ecosystem::Cargo);
ecosystem_properties!(golang_order_is_total, Ecosystem::Golang);
ecosystem_properties!(maven_order_is_total, Ecosystem::Maven);
ecosystem_properties!(gem_order_is_total, Ecosystem::Gem);
ecosystem_properties!(generic_order_is_total, Ecosystem::Generic);

proptest! {
    #![proptest_config(config(256))]

    /// Arbitrary text never panics a parser; it parses or returns an error naming the input.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,24}") {
        for ecosystem in Ecosystem::ALL {
            if let Err(error) = Version::parse(ecosystem, &text) {
                let message = error.to_string();
                prop_assert!(message.contains(ecosystem.purl_type()), "{}", message);
                prop_assert!(message.contains(&format!("`{text}`")), "{}", message);
            }
        }
    }

    /// Arbitrary text never panics a range parser, in any ecosystem's syntax.
    #[test]
    fn arbitrary_range_never_panics(
        text in prop_oneof!["[0-9a-zX<>=!~^*|,()\\[\\] .+_-]{0,32}", "\\PC{0,16}"]
    ) {
        for ecosystem in Ecosystem::ALL {
            if let Err(error) = Range::parse(ecosystem, &text) {
                prop_assert!(error.to_string().contains(ecosystem.purl_type()), "{}", error);
            }
        }
    }
}
