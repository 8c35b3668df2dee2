//! Version comparison: semver, the orderings of package ecosystems (PEP 440, Maven, RPM, Go; see
//! [`crate::orderings`]), and a tolerant "generic" scheme for everything else.
//!
//! # Cleaning ([`clean_version`])
//! Surrounding whitespace and one pair of surrounding parentheses are removed (CISA ADP `lessThan`
//! values carry trailing spaces; CSAF writes `<=(R4.02)`). `""`, `*`, `-`, `n/a`, `na`, `unknown`,
//! `unspecified`, `any`, `all` mean "no specific version" and clean to `None`.
//!
//! # Generic comparison
//! 1. Lowercase; drop an rpm-style epoch (`0:5.14.0` -> `5.14.0`) and a leading `version`, `ver`,
//!    `rev`, `v`, `r` or `fw` immediately before a digit (`V2.1`, `R4.02`, `Ver1.08`, `FW16`).
//! 2. Split into runs of digits and runs of letters; every other character separates.
//! 3. Digit runs compare numerically (any length, leading zeros ignored: `4.02` = `4.2`).
//!    Missing trailing numbers count as zero: `1.0` = `1.0.0`.
//! 4. Letter runs are qualifiers. `dev`, `snapshot`, `alpha`, `beta`, `milestone`/`m`, `pre`,
//!    `preview`, `rc`/`cr` (and `a`, `b`, `c` when directly followed by a digit, PEP 440 style
//!    `1.0a1`) are pre-releases: they sort below the release (`2.0rc1 < 2.0`) and in that order.
//!    `ga`, `final`, `release`, `stable` are ignored. Any other word is a post-release qualifier
//!    (`sp`, `hf`, `patch`, `update`, `p`, OpenSSL's `1.0.2k`): above the release
//!    (`2.1 < 2.1 SP1 < 2.1 SP2`), below any further number (`2.1 SP1 < 2.1.1`), and
//!    compared alphabetically with each other.
//!
//! # Ecosystems
//! [`Scheme::Pep440`], [`Scheme::Maven`], [`Scheme::Rpm`] and [`Scheme::Go`] follow their
//! ecosystem's rules ([`crate::orderings`]); [`Scheme::from_purl_type`] picks them.
//!
//! # Semver
//! [`Scheme::Semver`] uses the `semver` crate (pre-release below release, build metadata ignored)
//! when both sides parse after cleaning and dropping a leading `v`, and the generic rules otherwise.

use std::cmp::Ordering;

use crate::orderings;

/// Which comparison rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    Semver,
    Generic,
    /// PyPI (generic rules for a version that is not PEP 440).
    Pep440,
    /// Maven `ComparableVersion`.
    Maven,
    /// `[epoch:]version[-release]` by `rpmvercmp` (Red Hat, SUSE, Rocky, AlmaLinux…).
    Rpm,
    /// Go modules and toolchain: semver with `v`/`go` prefixes and short versions (generic rules
    /// for anything else).
    Go,
}

impl Scheme {
    /// From a CVE 5 `versionType` (`semver` -> Semver; `custom`, `git`, `rpm`, `maven`, absent… -> Generic).
    pub fn from_version_type(version_type: Option<&str>) -> Scheme {
        match version_type
            .map(|t| t.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("semver") => Scheme::Semver,
            _ => Scheme::Generic,
        }
    }

    /// From a purl or `vers:` type: `pypi`, `maven`, `rpm` and `golang` have their own
    /// orderings; `npm`, `cargo`, `hex`, `pub`, `swift` use semver; the rest the generic rules.
    pub fn from_purl_type(ty: &str) -> Scheme {
        match ty.to_ascii_lowercase().as_str() {
            "npm" | "cargo" | "semver" | "hex" | "pub" | "swift" => Scheme::Semver,
            "golang" => Scheme::Go,
            "pypi" => Scheme::Pep440,
            "maven" => Scheme::Maven,
            "rpm" => Scheme::Rpm,
            _ => Scheme::Generic,
        }
    }
}

/// See the module docs. Returns the trimmed text, or `None` for "no specific version".
pub fn clean_version(s: &str) -> Option<&str> {
    let mut t = s.trim();
    if t.len() >= 2 && t.starts_with('(') && t.ends_with(')') {
        t = t[1..t.len() - 1].trim();
    }
    let placeholder = [
        "",
        "*",
        "-",
        "n/a",
        "na",
        "unknown",
        "unspecified",
        "any",
        "all",
    ]
    .iter()
    .any(|p| t.eq_ignore_ascii_case(p));
    (!placeholder).then_some(t)
}

/// Compare two versions under `scheme`. `None` when either side is not a specific version.
pub fn compare_versions(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    Some(compare_cleaned(
        scheme,
        clean_version(a)?,
        clean_version(b)?,
    ))
}

/// [`compare_versions`] of two already-cleaned versions (range bounds are stored cleaned).
pub(crate) fn compare_cleaned(scheme: Scheme, a: &str, b: &str) -> Ordering {
    let own = match scheme {
        Scheme::Semver => {
            let parse =
                |s: &str| semver::Version::parse(s.strip_prefix(['v', 'V']).unwrap_or(s)).ok();
            parse(a).zip(parse(b)).map(|(x, y)| x.cmp_precedence(&y))
        }
        Scheme::Generic => None,
        Scheme::Pep440 => orderings::compare_pep440(a, b),
        Scheme::Maven => Some(orderings::compare_maven(a, b)),
        Scheme::Rpm => Some(orderings::compare_rpm(a, b)),
        Scheme::Go => orderings::compare_go(a, b),
    };
    own.unwrap_or_else(|| compare_generic(tokenize(a), tokenize(b)))
}

/// A token borrowed from the version text: comparing allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'a> {
    /// Digits without leading zeros (`"0"` is `""`).
    Num(&'a str),
    /// Pre-release rank (dev 0 … rc 5).
    Pre(u8),
    /// A qualifier word, compared ASCII-case-insensitively.
    Post(&'a str),
}

fn pre_rank(word: &str, followed_by_digit: bool) -> Option<u8> {
    const WORDS: [(&str, u8); 10] = [
        ("dev", 0),
        ("snapshot", 0),
        ("alpha", 1),
        ("beta", 2),
        ("milestone", 3),
        ("m", 3),
        ("pre", 4),
        ("preview", 4),
        ("rc", 5),
        ("cr", 5),
    ];
    const LETTERS: [(&str, u8); 3] = [("a", 1), ("b", 2), ("c", 5)];
    let find = |list: &[(&str, u8)]| {
        list.iter()
            .find(|(w, _)| word.eq_ignore_ascii_case(w))
            .map(|(_, r)| *r)
    };
    find(&WORDS).or_else(|| {
        if followed_by_digit {
            find(&LETTERS)
        } else {
            None
        }
    })
}

fn strip_prefix_word(s: &str) -> &str {
    let s = match s.find(':') {
        Some(i) if i > 0 && s[..i].bytes().all(|b| b.is_ascii_digit()) => &s[i + 1..],
        _ => s,
    };
    for word in ["version", "ver", "rev", "fw", "v", "r"] {
        if s.len() >= word.len()
            && s.is_char_boundary(word.len())
            && s[..word.len()].eq_ignore_ascii_case(word)
        {
            let rest = s[word.len()..].trim_start_matches([' ', '.', '_']);
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return rest;
            }
        }
    }
    s
}

/// The tokens of a version, lazily (see the module docs).
struct Tokens<'a> {
    s: &'a str,
    i: usize,
}

fn tokenize(s: &str) -> Tokens<'_> {
    Tokens {
        s: strip_prefix_word(s),
        i: 0,
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Tok<'a>;

    fn next(&mut self) -> Option<Tok<'a>> {
        loop {
            let rest = &self.s[self.i..];
            let c = rest.chars().next()?;
            if c.is_ascii_digit() {
                let len = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                self.i += len;
                return Some(Tok::Num(rest[..len].trim_start_matches('0')));
            }
            if c.is_alphabetic() {
                let len = rest
                    .find(|c: char| !c.is_alphabetic())
                    .unwrap_or(rest.len());
                self.i += len;
                let word = &rest[..len];
                let followed_by_digit = rest[len..].starts_with(|c: char| c.is_ascii_digit());
                if ["ga", "final", "release", "stable"]
                    .iter()
                    .any(|w| word.eq_ignore_ascii_case(w))
                {
                    continue;
                }
                return Some(match pre_rank(word, followed_by_digit) {
                    Some(rank) => Tok::Pre(rank),
                    None => Tok::Post(word),
                });
            }
            self.i += c.len_utf8();
        }
    }
}

fn compare_generic(mut a: Tokens<'_>, mut b: Tokens<'_>) -> Ordering {
    loop {
        let ord = match (a.next(), b.next()) {
            (Some(x), Some(y)) => compare_tok(x, y),
            (Some(x), None) => compare_tok_missing(x),
            (None, Some(y)) => compare_tok_missing(y).reverse(),
            (None, None) => return Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
}

/// How a token compares against "nothing more" (the release).
fn compare_tok_missing(t: Tok<'_>) -> Ordering {
    match t {
        Tok::Num("") => Ordering::Equal,
        Tok::Num(_) | Tok::Post(_) => Ordering::Greater,
        Tok::Pre(_) => Ordering::Less,
    }
}

fn compare_tok(x: Tok<'_>, y: Tok<'_>) -> Ordering {
    match (x, y) {
        (Tok::Num(a), Tok::Num(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (Tok::Pre(a), Tok::Pre(b)) => a.cmp(&b),
        (Tok::Post(a), Tok::Post(b)) => a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
        (Tok::Num(_), _) => Ordering::Greater,
        (_, Tok::Num(_)) => Ordering::Less,
        (Tok::Pre(_), Tok::Post(_)) => Ordering::Less,
        (Tok::Post(_), Tok::Pre(_)) => Ordering::Greater,
    }
}
