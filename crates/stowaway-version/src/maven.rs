//! Maven artifact versions, ordered as Maven 4's `ComparableVersion`, and Maven version ranges.
//!
//! Quirks handled here:
//! - `.` and `-` separate items, and so does a switch between letters and digits;
//! - a `-`, or a switch from digits to letters, opens a nested list, so `1-1 < 1.1`;
//! - trailing zeros and release qualifiers are dropped: `1 == 1.0 == 1.0.0 == 1-0 == 1-ga ==
//!   1-final == 1-release`;
//! - qualifiers rank `alpha < beta < milestone < rc == cr < snapshot < (release) < sp`, unknown
//!   qualifiers after all of them in lexical order, and `a1`, `b1`, `m1` mean `alpha-1`,
//!   `beta-1`, `milestone-1`;
//! - letter case is ignored (`1-SNAPSHOT == 1-snapshot`);
//! - numbers have no size limit; versions longer than 256 characters are rejected, as Maven 4 does.
//!
//! Maven changed `ComparableVersion` over time; this follows the variant whose ordering is
//! transitive (a qualifier compared with a qualifier-and-number item, `1-ga1 > 1`).
//!
//! NOTE: Java's `Character.isDigit` also accepts non-ASCII decimal digits where a qualifier meets
//! a number (`a-٨`). Only ASCII digits count here, so such versions may order differently.

mod range;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub use range::Range;

use crate::{Ecosystem, VersionError};

/// The maximum length of a version that Maven 4 accepts, in UTF-16 units.
const MAX_LENGTH: usize = 256;

/// The rank of the empty qualifier, which a release has.
const RELEASE_RANK: u8 = 5;

/// A qualifier, ranked as `comparableQualifier`: known ones by index, unknown ones after them.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Qualifier {
    /// The value after aliasing (`cr` becomes `rc`, `a1` becomes `alpha1`).
    value: String,
    /// The index among the known qualifiers; `None` for an unknown one.
    rank: Option<u8>,
}

impl Qualifier {
    /// Builds a qualifier as `new StringItem(value, followedByDigit)`.
    fn new(value: &str, followed_by_digit: bool) -> Qualifier {
        let value = match value {
            "a" if followed_by_digit => "alpha",
            "b" if followed_by_digit => "beta",
            "m" if followed_by_digit => "milestone",
            "cr" => "rc",
            other => other,
        };
        let rank = match value {
            "alpha" => Some(0),
            "beta" => Some(1),
            "milestone" => Some(2),
            "rc" => Some(3),
            "snapshot" => Some(4),
            "" | "ga" | "final" | "release" => Some(RELEASE_RANK),
            "sp" => Some(6),
            _ => None,
        };
        Qualifier {
            value: value.to_owned(),
            rank,
        }
    }

    /// Returns whether this is the empty qualifier, which `normalize` drops.
    fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Compares as Java's `String.compareTo` on the comparable forms (UTF-16 units).
    fn cmp(&self, other: &Qualifier) -> Ordering {
        match (self.rank, other.rank) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.value.encode_utf16().cmp(other.value.encode_utf16()),
        }
    }

    /// Compares with the absence of a qualifier: `1-rc < 1`, `1-ga == 1`, `1-sp > 1`.
    fn cmp_release(&self) -> Ordering {
        self.rank.map_or(Ordering::Greater, |rank| rank.cmp(&RELEASE_RANK))
    }
}

/// A number without leading zeros (`"0"` for zero), of any length.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Number(String);

impl Number {
    fn new(digits: &str) -> Number {
        let trimmed = digits.trim_start_matches('0');
        Number(if trimmed.is_empty() {
            "0".to_owned()
        } else {
            trimmed.to_owned()
        })
    }

    fn is_zero(&self) -> bool {
        self.0 == "0"
    }

    fn cmp(&self, other: &Number) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.cmp(&other.0))
    }

    fn cmp_release(&self) -> Ordering {
        if self.is_zero() {
            Ordering::Equal
        } else {
            Ordering::Greater
        }
    }
}

/// An item of the parsed version.
#[derive(Clone, Debug)]
enum Item {
    Number(Number),
    Qualifier(Qualifier),
    /// A qualifier directly followed by a number: `rc1`, `alpha-2`.
    Combination(Qualifier, Number),
    List(Vec<Item>),
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Number(number) => number.is_zero(),
            Item::Qualifier(qualifier) => qualifier.is_empty(),
            Item::Combination(..) => false,
            Item::List(items) => items.is_empty(),
        }
    }

    /// Compares with the end of the version (`compareTo(null)`).
    fn cmp_end(&self) -> Ordering {
        match self {
            Item::Number(number) => number.cmp_release(),
            Item::Qualifier(qualifier) => qualifier.cmp_release(),
            Item::Combination(qualifier, number) => match qualifier.cmp_release() {
                Ordering::Equal => number.cmp_release(),
                ordering => ordering,
            },
            Item::List(items) => items
                .iter()
                .map(Item::cmp_end)
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
        }
    }

    fn compare(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Number(a), Item::Number(b)) => a.cmp(b),
            (Item::Number(_), _) => Ordering::Greater,
            (_, Item::Number(_)) => Ordering::Less,

            (Item::Qualifier(a), Item::Qualifier(b)) => a.cmp(b),
            (Item::Qualifier(a), Item::Combination(b, number)) => match a.cmp(b) {
                Ordering::Equal if a.cmp_release().is_eq() => number.cmp_release().reverse(),
                Ordering::Equal => Ordering::Less,
                ordering => ordering,
            },
            (Item::Combination(a, number), Item::Qualifier(b)) => match a.cmp(b) {
                Ordering::Equal if a.cmp_release().is_eq() => number.cmp_release(),
                Ordering::Equal => Ordering::Greater,
                ordering => ordering,
            },
            (Item::Combination(a, x), Item::Combination(b, y)) => a.cmp(b).then_with(|| x.cmp(y)),

            (Item::List(items), scalar @ (Item::Qualifier(_) | Item::Combination(..))) => {
                compare_list_with_scalar(items, scalar)
            }
            (scalar @ (Item::Qualifier(_) | Item::Combination(..)), Item::List(items)) => {
                compare_list_with_scalar(items, scalar).reverse()
            }
            (Item::List(a), Item::List(b)) => compare_lists(a, b),
        }
    }
}

fn compare_list_with_scalar(items: &[Item], scalar: &Item) -> Ordering {
    let Some((first, rest)) = items.split_first() else {
        return scalar.cmp_end().reverse();
    };
    let ordering = first.compare(scalar);
    if ordering.is_ne() {
        return ordering;
    }
    rest.iter()
        .map(Item::cmp_end)
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    for index in 0..a.len().max(b.len()) {
        let ordering = match (a.get(index), b.get(index)) {
            (Some(x), Some(y)) => x.compare(y),
            (Some(x), None) => x.cmp_end(),
            (None, Some(y)) => y.cmp_end().reverse(),
            (None, None) => Ordering::Equal,
        };
        if ordering.is_ne() {
            return ordering;
        }
    }
    Ordering::Equal
}

/// Builds the item for a run of text, as `parseItem`.
fn parse_item(is_combination: bool, is_digit: bool, text: &str) -> Item {
    if is_combination {
        let text = text.replace('-', "");
        let split = text.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
        let (qualifier, digits) = text.split_at(split);
        return Item::Combination(Qualifier::new(qualifier, true), Number::new(digits));
    }
    if is_digit {
        return Item::Number(Number::new(text));
    }
    Item::Qualifier(Qualifier::new(text, false))
}

/// Drops null items as `ListItem.normalize` does, then unwraps a list that holds only a list.
fn normalize(items: &mut Vec<Item>) {
    let mut index = items.len();
    while index > 0 {
        index -= 1;
        if !items[index].is_null() {
            continue;
        }
        let remove = match items.get(index + 1) {
            None | Some(Item::Qualifier(_)) => true,
            Some(Item::List(next)) => matches!(next.first(), Some(Item::Qualifier(_) | Item::Combination(..))),
            Some(_) => false,
        };
        if remove {
            items.remove(index);
        }
    }
    if items.len() == 1 && matches!(items[0], Item::List(_)) {
        let Some(Item::List(inner)) = items.pop() else {
            unreachable!()
        };
        *items = inner;
    }
}

/// Parses the item tree as `ComparableVersion.parseVersion`.
///
/// Each `-` or letter-digit switch opens a list nested in the current one, so the tree is a
/// chain: `levels[k]` contains the items of the k-th list, whose last item is list k + 1.
fn parse_items(lower: &str) -> Vec<Item> {
    let mut levels: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut is_combination = false;
    let mut start = 0;
    let mut chars = lower.char_indices().peekable();

    while let Some((i, c)) = chars.next() {
        let current = levels.len() - 1;
        match c {
            '.' => {
                let item = if i == start {
                    Item::Number(Number::new("0"))
                } else {
                    parse_item(is_combination, is_digit, &lower[start..i])
                };
                levels[current].push(item);
                is_combination = false;
                start = i + 1;
            }
            '-' => {
                if i == start {
                    levels[current].push(Item::Number(Number::new("0")));
                } else {
                    // `X-1` is read as `X1`.
                    if !is_digit && chars.peek().is_some_and(|&(_, next)| next.is_ascii_digit()) {
                        is_combination = true;
                        continue;
                    }
                    levels[current].push(parse_item(is_combination, is_digit, &lower[start..i]));
                }
                start = i + 1;
                if !levels[current].is_empty() {
                    levels.push(Vec::new());
                }
                is_combination = false;
            }
            '0'..='9' => {
                if !is_digit && i > start {
                    is_combination = true;
                    if !levels[current].is_empty() {
                        levels.push(Vec::new());
                    }
                }
                is_digit = true;
            }
            _ => {
                if is_digit && i > start {
                    levels[current].push(parse_item(is_combination, true, &lower[start..i]));
                    start = i;
                    levels.push(Vec::new());
                    is_combination = false;
                }
                is_digit = false;
            }
        }
    }
    if lower.len() > start {
        // `1.0.0.X1 < 1.0.0-X2`: a trailing qualifier after `.` is read as after `-`.
        if !is_digit && !levels[levels.len() - 1].is_empty() {
            levels.push(Vec::new());
        }
        let current = levels.len() - 1;
        levels[current].push(parse_item(is_combination, is_digit, &lower[start..]));
    }

    // Normalise the innermost list first, then hang each into its parent.
    let mut items = levels.pop().unwrap_or_default();
    normalize(&mut items);
    while let Some(mut parent) = levels.pop() {
        parent.push(Item::List(items));
        normalize(&mut parent);
        items = parent;
    }
    items
}

/// A Maven artifact version.
#[derive(Clone, Debug)]
pub struct Version {
    input: String,
    items: Vec<Item>,
}

impl Version {
    /// Parses a version; Maven accepts any string up to 256 characters.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        if input.encode_utf16().count() > MAX_LENGTH {
            return Err(VersionError::version(
                Ecosystem::Maven,
                input,
                "the version is longer than 256 characters",
            ));
        }
        if input.trim().is_empty() {
            return Err(VersionError::version(Ecosystem::Maven, input, "the version is empty"));
        }
        let items = parse_items(&input.to_lowercase());
        Ok(Version {
            input: input.to_owned(),
            items,
        })
    }

    /// Returns Maven's canonical form (`getCanonical`), e.g. `1-SNAPSHOT` gives `1-snapshot`.
    pub fn canonical(&self) -> String {
        let mut text = String::new();
        write_items(&self.items, &mut text);
        text
    }
}

fn write_items(items: &[Item], text: &mut String) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            text.push(if matches!(item, Item::List(_)) { '-' } else { '.' });
        }
        match item {
            Item::Number(number) => text.push_str(&number.0),
            Item::Qualifier(qualifier) => text.push_str(&qualifier.value),
            Item::Combination(qualifier, number) => {
                text.push_str(&qualifier.value);
                text.push_str(&number.0);
            }
            Item::List(items) => write_items(items, text),
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Version::parse(input)
    }
}

impl fmt::Display for Version {
    /// Writes the version as given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(input: &str) -> Version {
        Version::parse(input).unwrap()
    }

    #[test]
    fn padding_and_release_qualifiers() {
        for equal in ["1.0", "1.0.0", "1-0", "1-ga", "1.0-final", "1-release", "1GA"] {
            assert_eq!(version("1"), version(equal), "1 == {equal}");
        }
    }

    #[test]
    fn qualifier_order() {
        let ordered = [
            "1-alpha-1",
            "1-beta-1",
            "1-milestone-1",
            "1-rc-1",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-abc",
            "1-1",
            "1.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(
                version(pair[0]).cmp(&version(pair[1])),
                Ordering::Less,
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(version("1a1"), version("1-alpha-1"));
        assert_eq!(version("1cr"), version("1rc"));
    }

    #[test]
    fn canonical_form() {
        assert_eq!(version("1-SNAPSHOT").canonical(), "1-snapshot");
        assert_eq!(version("1.0.0").canonical(), "1");
    }

    #[test]
    fn overlong_version_is_an_error() {
        let error = Version::parse(&"1.".repeat(200)).unwrap_err();
        assert!(error.to_string().starts_with("invalid maven version"), "{error}");
    }
}
