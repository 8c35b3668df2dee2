//! Version ranges as a union of intervals, read from CVE 5 `versions[]` entries, `vers:` URIs and
//! CSAF's loose "vers-like" strings.
//!
//! # CVE 5 `versions[]` ([`VersionRange::from_cve`])
//! `lessThan` / `lessThanOrEqual` make a range from `version` (inclusive; `0`, `*`, empty or
//! `n/a` mean unbounded below; a `version` equal to `lessThan` too, as CNAs write "before X"
//! that way) to the limit (`*` means unbounded above). Without a limit the entry
//! is one exact version, unless `version` itself is written as a range (`>= 8.3.2`,
//! `V4.0.18.0 and earlier`, `Versions prior to 5.4.2.2`, `4.0.0-4.2.7`, `R4.10 to R4.31`),
//! which is read as a loose string. `versionType: "cpe"` entries carry
//! CPE names, whose version attribute is used. `versionType` chooses the [`Scheme`]: `semver` is
//! semver, everything else (`custom`, `git`, `rpm`, `maven`, `python`…) the generic rules.
//! Git commit ids cannot be ordered without their repository: such ranges compare as generic
//! text, so in practice only an exact commit matches.
//! `changes[]` is ignored: a range is treated as wholly affected or wholly unaffected, which errs
//! towards reporting (a version fixed by a `changes` point inside the range is still reported).
//! The entry's `status` is the caller's business (affected vs unaffected lists).
//!
//! # `vers:` ([`VersionRange::parse_vers`])
//! `vers:<type>/<constraint>|<constraint>…`, `vers:all/*`. The scheme comes from the type.
//!
//! # Loose strings ([`VersionRange::parse_loose`])
//! Constraints separated by `|` or `,`; each one is `<op> <version>` with op in `<`, `<=`, `>`,
//! `>=`, `=`, `==`, `!=`, or a bare version (equality); phrases `X and earlier|prior|before|below|lower`,
//! `X or earlier` (`<= X`), `X and later|above|newer|higher`, `X or later` (`>= X`), `before X`,
//! `prior to X`, `earlier than X` (`< X`), `up to X`, `through X` (`<= X`), `X to Y`, `X through Y`,
//! `X-Y` between dotted numeric versions (`4.0.0-4.2.7`; a hyphen before anything else stays part
//! of the version, as in `1.0.0-rc1`), and `<op>X up to and including Y` (also written with
//! underscores, `>FW16_up_to_and_including_FW26`) (inclusive). A leading `Versions` or `Version`
//! is dropped. A leading `All versions` is dropped; on its own (or followed by no operator, as in
//! `All versions with Fortinet NGFW`) it means every version.
//!
//! Constraints are then walked in order: a lower bound opens an interval, an upper bound closes
//! the open one (or one unbounded below), an equality is a point, `!=` excludes a version, and an
//! interval still open at the end is unbounded above. So `>=3.0|<3.2` is one interval and
//! `<1.5|>=2.0|<2.3` is two.

use std::cmp::Ordering;
use std::fmt;

use crate::IdentError;
use crate::cpe::Cpe;
use crate::version::{Scheme, clean_version, compare_cleaned};

/// One end of an interval. Versions in bounds are cleaned ([`clean_version`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    Unbounded,
    Included(String),
    Excluded(String),
}

/// `lower .. upper`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Interval {
    pub lower: Bound,
    pub upper: Bound,
}

impl Interval {
    /// `v` and the bounds are cleaned versions.
    fn contains(&self, scheme: Scheme, v: &str) -> bool {
        let above = match &self.lower {
            Bound::Unbounded => true,
            Bound::Included(l) => compare_cleaned(scheme, v, l) != Ordering::Less,
            Bound::Excluded(l) => compare_cleaned(scheme, v, l) == Ordering::Greater,
        };
        above
            && match &self.upper {
                Bound::Unbounded => true,
                Bound::Included(u) => compare_cleaned(scheme, v, u) != Ordering::Greater,
                Bound::Excluded(u) => compare_cleaned(scheme, v, u) == Ordering::Less,
            }
    }
}

/// A union of intervals minus excluded points, under one [`Scheme`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VersionRange {
    pub scheme: Scheme,
    pub intervals: Vec<Interval>,
    pub excluded: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

fn bound(v: &str, inclusive: bool) -> Bound {
    match clean_version(v) {
        None => Bound::Unbounded,
        Some(v) if inclusive => Bound::Included(v.to_owned()),
        Some(v) => Bound::Excluded(v.to_owned()),
    }
}

const OPS: [(&str, Op); 9] = [
    (">=", Op::Ge),
    ("=>", Op::Ge),
    ("<=", Op::Le),
    ("=<", Op::Le),
    ("!=", Op::Ne),
    ("==", Op::Eq),
    (">", Op::Gt),
    ("<", Op::Lt),
    ("=", Op::Eq),
];

const EARLIER: [&str; 7] = [
    " and earlier",
    " and prior",
    " and before",
    " and below",
    " and lower",
    " or earlier",
    " or lower",
];
const LATER: [&str; 6] = [
    " and later",
    " and above",
    " and newer",
    " and higher",
    " or later",
    " or higher",
];

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

/// `X-Y` where both sides are dotted numeric versions (`4.0.0-4.2.7`): an inclusive range. A
/// hyphen before anything else is part of one version (`1.0.0-rc1`, `10.2.9-h1`, `2.0-1`).
fn hyphen_range(p: &str) -> Option<(&str, &str)> {
    let (a, b) = p.split_once('-')?;
    let dotted = |v: &str| {
        v.starts_with(|c: char| c.is_ascii_digit())
            && v.contains('.')
            && v.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    (dotted(a.trim()) && dotted(b.trim())).then(|| (a.trim(), b.trim()))
}

/// One loose constraint, possibly two (for `X to Y`, `X-Y`, `>X_up_to_and_including_Y`).
fn constraint(piece: &str, out: &mut Vec<(Op, String)>) {
    let p = piece.trim().replace('≤', "<=").replace('≥', ">=");
    let p = p.trim();
    if p.is_empty() {
        return;
    }
    let lower = p.to_ascii_lowercase();
    for sep in [" up to and including ", "_up_to_and_including_"] {
        if let Some(i) = lower.find(sep)
            && p.is_char_boundary(i)
            && p.is_char_boundary(i + sep.len())
        {
            let (from, to) = (&p[..i], p[i + sep.len()..].trim());
            if from.trim_start().starts_with(['<', '>', '=', '!']) {
                constraint(from, out);
            } else {
                out.push((Op::Ge, from.trim().to_owned()));
            }
            out.push((Op::Le, to.to_owned()));
            return;
        }
    }
    if let Some((from, to)) = hyphen_range(p) {
        out.push((Op::Ge, from.to_owned()));
        out.push((Op::Le, to.to_owned()));
        return;
    }
    for (sym, op) in OPS {
        if let Some(rest) = p.strip_prefix(sym) {
            out.push((op, rest.trim().to_owned()));
            return;
        }
    }
    for s in EARLIER {
        if let Some(v) = strip_suffix_ci(p, s) {
            out.push((Op::Le, v.trim().to_owned()));
            return;
        }
    }
    for s in LATER {
        if let Some(v) = strip_suffix_ci(p, s) {
            out.push((Op::Ge, v.trim().to_owned()));
            return;
        }
    }
    for (word, op) in [
        ("before ", Op::Lt),
        ("prior to ", Op::Lt),
        ("earlier than ", Op::Lt),
        ("up to ", Op::Le),
        ("through ", Op::Le),
    ] {
        if let Some(v) = strip_prefix_ci(p, word) {
            out.push((op, v.trim().to_owned()));
            return;
        }
    }
    let lower = p.to_ascii_lowercase();
    for sep in [" to ", " through "] {
        if let Some(i) = lower.find(sep)
            && p.is_char_boundary(i)
            && p.is_char_boundary(i + sep.len())
        {
            out.push((Op::Ge, p[..i].trim().to_owned()));
            out.push((Op::Le, p[i + sep.len()..].trim().to_owned()));
            return;
        }
    }
    out.push((Op::Eq, p.to_owned()));
}

impl VersionRange {
    /// Every version.
    pub fn all(scheme: Scheme) -> VersionRange {
        VersionRange {
            scheme,
            intervals: vec![Interval {
                lower: Bound::Unbounded,
                upper: Bound::Unbounded,
            }],
            excluded: Vec::new(),
        }
    }

    /// Exactly `v` (or every version when `v` is a placeholder such as `*` or `n/a`).
    pub fn exact(scheme: Scheme, v: &str) -> VersionRange {
        match clean_version(v) {
            None => VersionRange::all(scheme),
            Some(v) => VersionRange {
                scheme,
                intervals: vec![Interval {
                    lower: Bound::Included(v.to_owned()),
                    upper: Bound::Included(v.to_owned()),
                }],
                excluded: Vec::new(),
            },
        }
    }

    /// Does the range contain `v`? `None` when `v` is not a specific version (see [`clean_version`]).
    pub fn contains(&self, v: &str) -> Option<bool> {
        let v = clean_version(v)?;
        if self
            .excluded
            .iter()
            .any(|x| compare_cleaned(self.scheme, v, x) == Ordering::Equal)
        {
            return Some(false);
        }
        Some(self.intervals.iter().any(|i| i.contains(self.scheme, v)))
    }

    /// Does the range cover every version?
    pub fn is_all(&self) -> bool {
        self.excluded.is_empty()
            && self
                .intervals
                .iter()
                .any(|i| i.lower == Bound::Unbounded && i.upper == Bound::Unbounded)
    }

    /// A CVE 5 `versions[]` entry (see the module docs).
    pub fn from_cve(
        version: &str,
        less_than: Option<&str>,
        less_than_or_equal: Option<&str>,
        version_type: Option<&str>,
    ) -> Result<VersionRange, IdentError> {
        let is_cpe = version_type.is_some_and(|t| t.trim().eq_ignore_ascii_case("cpe"));
        let value = |s: &str| -> String {
            if is_cpe {
                Cpe::parse(s)
                    .ok()
                    .and_then(|c| c.version.unquoted())
                    .unwrap_or_else(|| "*".to_owned())
            } else {
                s.to_owned()
            }
        };
        let scheme = Scheme::from_version_type(version_type);
        let version = value(version);
        let lower = || match clean_version(&version) {
            Some("0") | None => Bound::Unbounded,
            Some(v) => Bound::Included(v.to_owned()),
        };
        if let Some(lt) = less_than {
            let lt = value(lt);
            // `version` equal to `lessThan` is empty by the letter; CNAs write it (Google's
            // Chrome records: `124.0.6367.201` < `124.0.6367.201`) to mean "before lessThan".
            let lower = if clean_version(&version).is_some()
                && clean_version(&version) == clean_version(&lt)
            {
                Bound::Unbounded
            } else {
                lower()
            };
            return Ok(VersionRange {
                scheme,
                intervals: vec![Interval {
                    lower,
                    upper: bound(&lt, false),
                }],
                excluded: Vec::new(),
            });
        }
        if let Some(le) = less_than_or_equal {
            let upper = bound(&value(le), true);
            return Ok(VersionRange {
                scheme,
                intervals: vec![Interval {
                    lower: lower(),
                    upper,
                }],
                excluded: Vec::new(),
            });
        }
        let t = version.trim();
        let lower = t.to_ascii_lowercase();
        let looks_like_range = t.contains(['<', '>', '|', '≤', '≥'])
            || EARLIER
                .iter()
                .chain(LATER.iter())
                .any(|s| strip_suffix_ci(t, s).is_some())
            || [
                "all versions",
                "versions ",
                "version ",
                "prior to ",
                "before ",
                "up to ",
            ]
            .iter()
            .any(|p| strip_prefix_ci(t, p).is_some())
            || [" to ", " through ", "up_to_and_including"]
                .iter()
                .any(|sep| lower.contains(sep))
            || hyphen_range(t).is_some();
        if looks_like_range {
            VersionRange::parse_loose(&version, scheme)
        } else {
            Ok(VersionRange::exact(scheme, &version))
        }
    }

    /// `vers:<type>/<constraints>` (see the module docs).
    pub fn parse_vers(s: &str) -> Result<VersionRange, IdentError> {
        let err = || IdentError::Range(s.chars().take(200).collect());
        let rest = strip_prefix_ci(s.trim(), "vers:").ok_or_else(err)?;
        let (ty, constraints) = rest.split_once('/').ok_or_else(err)?;
        let scheme = Scheme::from_purl_type(ty);
        if constraints.trim() == "*" {
            return Ok(VersionRange::all(scheme));
        }
        let mut cs = Vec::new();
        for c in constraints.split('|') {
            let c = c.trim();
            match OPS.iter().find(|(sym, _)| c.starts_with(sym)) {
                Some((sym, op)) => cs.push((*op, c[sym.len()..].trim().to_owned())),
                None => cs.push((Op::Eq, c.to_owned())),
            }
        }
        VersionRange::from_constraints(scheme, cs).ok_or_else(err)
    }

    /// A CSAF "vers-like" or free-text range (see the module docs).
    pub fn parse_loose(s: &str, scheme: Scheme) -> Result<VersionRange, IdentError> {
        let err = || IdentError::Range(s.chars().take(200).collect());
        let t = s.trim();
        let t = match strip_prefix_ci(t, "all versions") {
            Some(rest) => {
                let rest = rest.trim();
                if !rest.contains(['<', '>', '=', '≤', '≥']) {
                    return Ok(VersionRange::all(scheme));
                }
                rest
            }
            None => t,
        };
        let t = strip_prefix_ci(t, "versions")
            .or_else(|| strip_prefix_ci(t, "version "))
            .unwrap_or(t);
        let mut cs = Vec::new();
        for piece in t.split(['|', ',']) {
            constraint(piece, &mut cs);
        }
        VersionRange::from_constraints(scheme, cs).ok_or_else(err)
    }

    /// A `vers:` URI or a loose string, whichever `s` is.
    pub fn parse(s: &str, scheme: Scheme) -> Result<VersionRange, IdentError> {
        if strip_prefix_ci(s.trim(), "vers:").is_some() {
            VersionRange::parse_vers(s)
        } else {
            VersionRange::parse_loose(s, scheme)
        }
    }

    fn from_constraints(scheme: Scheme, cs: Vec<(Op, String)>) -> Option<VersionRange> {
        let mut intervals = Vec::new();
        let mut excluded = Vec::new();
        let mut open: Option<Bound> = None;
        for (op, v) in cs {
            let v = v
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim()
                .to_owned();
            if v.is_empty() && op != Op::Eq {
                // An operator without its version (`<`, `>=`) says nothing that can be read.
                return None;
            }
            match op {
                Op::Gt | Op::Ge => {
                    if let Some(lower) = open.take() {
                        intervals.push(Interval {
                            lower,
                            upper: Bound::Unbounded,
                        });
                    }
                    open = Some(bound(&v, op == Op::Ge));
                }
                Op::Lt | Op::Le => {
                    let lower = open.take().unwrap_or(Bound::Unbounded);
                    intervals.push(Interval {
                        lower,
                        upper: bound(&v, op == Op::Le),
                    });
                }
                Op::Eq => match clean_version(&v) {
                    Some(v) => intervals.push(Interval {
                        lower: Bound::Included(v.to_owned()),
                        upper: Bound::Included(v.to_owned()),
                    }),
                    None => intervals.push(Interval {
                        lower: Bound::Unbounded,
                        upper: Bound::Unbounded,
                    }),
                },
                Op::Ne => excluded.extend(clean_version(&v).map(str::to_owned)),
            }
        }
        if let Some(lower) = open {
            intervals.push(Interval {
                lower,
                upper: Bound::Unbounded,
            });
        }
        (!intervals.is_empty()).then_some(VersionRange {
            scheme,
            intervals,
            excluded,
        })
    }
}

impl fmt::Display for VersionRange {
    /// vers-like text: intervals joined by ` || `, e.g. `>=8.0.0|<8.5.4 || =9.1`, `*` for all.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, i) in self.intervals.iter().enumerate() {
            if n > 0 {
                f.write_str(" || ")?;
            }
            match (&i.lower, &i.upper) {
                (Bound::Included(a), Bound::Included(b)) if a == b => write!(f, "={a}")?,
                (Bound::Unbounded, Bound::Unbounded) => f.write_str("*")?,
                (lower, upper) => {
                    let lo = match lower {
                        Bound::Unbounded => None,
                        Bound::Included(a) => Some(format!(">={a}")),
                        Bound::Excluded(a) => Some(format!(">{a}")),
                    };
                    let hi = match upper {
                        Bound::Unbounded => None,
                        Bound::Included(b) => Some(format!("<={b}")),
                        Bound::Excluded(b) => Some(format!("<{b}")),
                    };
                    let parts: Vec<String> = lo.into_iter().chain(hi).collect();
                    f.write_str(&parts.join("|"))?;
                }
            }
        }
        for x in &self.excluded {
            write!(f, " !={x}")?;
        }
        Ok(())
    }
}
