//! node-semver's regular expressions (`internal/re.js`), built the same way.
//!
//! node-semver bounds `\s*` to one character (`\s{0,1}`) and `\s+` to exactly one, because every
//! input is trimmed and its whitespace collapsed first. These expressions do the same. Its bounds
//! on digit and identifier runs (256 and 250 characters) are left out, because a version longer
//! than 256 characters is rejected before any of them runs.

use std::sync::LazyLock;

use regex::Regex;

const NUMERIC: &str = "0|[1-9][0-9]*";
const NUMERIC_LOOSE: &str = "[0-9]+";
const NON_NUMERIC: &str = "[0-9]*[a-zA-Z-][a-zA-Z0-9-]*";
const BUILD_IDENTIFIER: &str = "[a-zA-Z0-9-]+";
const GTLT: &str = "((?:<|>)?=?)";

fn main_version(number: &str) -> String {
    format!(r"({number})\.({number})\.({number})")
}

fn prerelease(loose: bool) -> String {
    let identifier = if loose {
        format!("(?:{NON_NUMERIC}|{NUMERIC_LOOSE})")
    } else {
        format!("(?:{NON_NUMERIC}|{NUMERIC})")
    };
    let hyphen = if loose { "-?" } else { "-" };
    format!(r"(?:{hyphen}({identifier}(?:\.{identifier})*))")
}

fn build() -> String {
    format!(r"(?:\+({BUILD_IDENTIFIER}(?:\.{BUILD_IDENTIFIER})*))")
}

/// `FULLPLAIN` or `LOOSEPLAIN`: groups 1-3 the numbers, 4 the pre-release, 5 the build.
pub(super) fn plain(loose: bool) -> String {
    if loose {
        format!(
            "[v=\\s]*{}{}?{}?",
            main_version(NUMERIC_LOOSE),
            prerelease(true),
            build()
        )
    } else {
        format!("v?{}{}?{}?", main_version(NUMERIC), prerelease(false), build())
    }
}

/// `XRANGEPLAIN`: groups 1-3 the numbers or `x`, `X`, `*`, 4 the pre-release, 5 the build.
fn xrange_plain(loose: bool) -> String {
    let identifier = if loose {
        format!(r"{NUMERIC_LOOSE}|x|X|\*")
    } else {
        format!(r"{NUMERIC}|x|X|\*")
    };
    format!(
        r"[v=\s]*({identifier})(?:\.({identifier})(?:\.({identifier})(?:{})?{}?)?)?",
        prerelease(loose),
        build()
    )
}

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|error| panic!("node-semver pattern `{pattern}` must compile: {error}"))
}

/// Compiled expressions for one parsing mode.
pub(super) struct Syntax {
    pub(super) full: Regex,
    pub(super) comparator: Regex,
    pub(super) xrange: Regex,
    pub(super) tilde: Regex,
    pub(super) caret: Regex,
    pub(super) hyphen_range: Regex,
}

impl Syntax {
    fn new(loose: bool) -> Self {
        let xrange_plain = xrange_plain(loose);
        Syntax {
            full: compile(&format!("^{}$", plain(loose))),
            comparator: compile(&format!(r"^{GTLT}\s{{0,1}}({})$|^$", plain(loose))),
            xrange: compile(&format!(r"^{GTLT}\s{{0,1}}{xrange_plain}$")),
            tilde: compile(&format!("^(?:~>?){xrange_plain}$")),
            caret: compile(&format!(r"^(?:\^){xrange_plain}$")),
            hyphen_range: compile(&format!(
                r"^\s{{0,1}}({xrange_plain})\s{{1,1}}-\s{{1,1}}({xrange_plain})\s{{0,1}}$"
            )),
        }
    }
}

/// The strict expressions.
pub(super) static STRICT: LazyLock<Syntax> = LazyLock::new(|| Syntax::new(false));

/// The `loose` expressions.
pub(super) static LOOSE: LazyLock<Syntax> = LazyLock::new(|| Syntax::new(true));

/// `BUILD`, unanchored: removed from each comparator before desugaring.
pub(super) static BUILD: LazyLock<Regex> = LazyLock::new(|| compile(&build()));

/// `COMPARATORTRIM`: joins an operator to its version (`> 1.2.3` to `>1.2.3`); replace with `$1$2$3`.
pub(super) static COMPARATOR_TRIM: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(\s{{0,1}}){GTLT}\s{{0,1}}({}|{})",
        plain(true),
        xrange_plain(false)
    ))
});

/// `TILDETRIM`: `~ 1.2` to `~1.2`; replace with `$1~`.
pub(super) static TILDE_TRIM: LazyLock<Regex> = LazyLock::new(|| compile(r"(\s{0,1})(?:~>?)\s{1,1}"));

/// `CARETTRIM`: `^ 1.2` to `^1.2`; replace with `$1^`.
pub(super) static CARET_TRIM: LazyLock<Regex> = LazyLock::new(|| compile(r"(\s{0,1})(?:\^)\s{1,1}"));

/// `STAR`: a lone `*`, with an optional operator.
pub(super) static STAR: LazyLock<Regex> = LazyLock::new(|| compile(r"(<|>)?=?\s{0,1}\*"));

/// `GTE0`: `>=0.0.0`, which is `*`.
pub(super) static GTE0: LazyLock<Regex> = LazyLock::new(|| compile(r"^\s{0,1}>=\s{0,1}0\.0\.0\s{0,1}$"));

/// `GTE0PRE`: `>=0.0.0-0`, which is `*` when pre-releases are included.
pub(super) static GTE0_PRERELEASE: LazyLock<Regex> = LazyLock::new(|| compile(r"^\s{0,1}>=\s{0,1}0\.0\.0-0\s{0,1}$"));

/// Runs of whitespace, which node-semver collapses to one space.
pub(super) static WHITESPACE: LazyLock<Regex> = LazyLock::new(|| compile(r"\s+"));
