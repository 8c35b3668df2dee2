//! Ecosystem version orderings: PEP 440 (PyPI), Maven `ComparableVersion`, RPM `rpmvercmp` with
//! epochs and releases, and Go module versions. Each compares two cleaned versions
//! ([`crate::clean_version`]); see [`crate::version`] for when each applies.
//!
//! - **PEP 440**: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, normalised as the specification
//!   says (case, `alpha`/`beta`/`c`/`pre`/`preview`, `-`/`_`/`.` separators, implicit numbers,
//!   `1.0-1` as a post-release, a leading `v`). `1.0.dev0 < 1.0a1 < 1.0rc1 < 1.0 < 1.0.post1 <
//!   1.0+local`; trailing zeros of the release do not count (`1.0 == 1`). A version that is not
//!   PEP 440 (legacy) is compared by the generic rules.
//! - **Maven** (`ComparableVersion`): tokens between `.`, `-` and digit/letter transitions (a
//!   transition counts as `-`); trailing "null" tokens (`0`, `ga`, `final`, `release`, empty) of
//!   each `-` part are dropped (`1.0.0 == 1`, `1-ga == 1`); qualifiers order `alpha < beta <
//!   milestone < rc = cr < snapshot < "" = ga = final = release < sp < others` (alphabetical),
//!   `a1`/`b1`/`m1` stand for `alpha-1`/`beta-1`/`milestone-1`; across separators
//!   `.qualifier < -qualifier < -number < .number`.
//! - **RPM**: `[epoch:]version[-release]`; epochs numerically (absent is 0), then version and
//!   release by `rpmvercmp` (alphanumeric runs, digits numerically and above letters, `~` sorts
//!   before anything, even the end, `^` after the end but before anything else). A release is
//!   compared only when both sides have one.
//! - **Go**: semver with an optional `v` (or `go`, for the toolchain) prefix, `+incompatible`
//!   ignored, and a missing minor or patch taken as 0 (`go1.21` = `1.21.0`).

use std::cmp::Ordering;

/// Digits compared as numbers of any length (no overflow): leading zeros ignored.
fn cmp_digits(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

// ---------------------------------------------------------------------------------------------
// PEP 440

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    // Declared first: letters sort below numbers.
    Word(String),
    Num(u64),
}

/// A PEP 440 version as its sort key (the `packaging` library's `_cmpkey`).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pep440 {
    epoch: u64,
    /// Without trailing zeros.
    release: Vec<u64>,
    /// 0: only a dev release (below any pre-release), 1 a, 2 b, 3 rc, 4: none.
    pre: (u8, u64),
    post: Option<u64>,
    /// `(false, n)` for `.devN`, `(true, 0)` without (above any dev release).
    dev: (bool, u64),
    local: Option<Vec<Local>>,
}

/// Reads a PEP 440 version; `None` when `s` is not one.
fn pep440(s: &str) -> Option<Pep440> {
    let lower = s.trim().to_ascii_lowercase();
    let (public, local) = match lower.split_once('+') {
        Some((p, l)) => (p, Some(l)),
        None => (lower.as_str(), None),
    };
    let mut rest = public.strip_prefix('v').unwrap_or(public);
    let num = |t: &str| -> Option<(u64, usize)> {
        let len = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        (len > 0).then(|| t[..len].parse().ok().map(|n| (n, len)))?
    };
    let mut epoch = 0;
    if let Some(i) = rest.find('!') {
        epoch = rest[..i].parse().ok()?;
        rest = &rest[i + 1..];
    }
    let mut release = Vec::new();
    loop {
        let (n, len) = num(rest)?;
        release.push(n);
        rest = &rest[len..];
        match rest.strip_prefix('.') {
            Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => rest = r,
            _ => break,
        }
    }
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    if release == [0] {
        release.clear();
    }
    let sep = |t: &str| t.strip_prefix(['.', '-', '_']).unwrap_or(t).to_owned();
    // `word[sep]N`, the number optional (0).
    let marker = |t: &str, words: &[&str]| -> Option<(u64, String)> {
        let t = sep(t);
        let word = words.iter().find(|w| t.starts_with(*w))?;
        let after = sep(&t[word.len()..]);
        match num(&after) {
            Some((n, len)) => Some((n, after[len..].to_owned())),
            None => Some((0, t[word.len()..].to_owned())),
        }
    };
    let mut rest = rest.to_owned();
    let mut pre = (4, 0);
    for (words, rank) in [
        (&["alpha", "a"][..], 1),
        (&["beta", "b"][..], 2),
        (&["rc", "c", "preview", "pre"][..], 3),
    ] {
        if let Some((n, r)) = marker(&rest, words) {
            pre = (rank, n);
            rest = r;
            break;
        }
    }
    let mut post = None;
    if let Some(r) = rest.strip_prefix('-')
        && let Some((n, len)) = num(r)
    {
        post = Some(n);
        rest = r[len..].to_owned();
    } else if let Some((n, r)) = marker(&rest, &["post", "rev", "r"]) {
        post = Some(n);
        rest = r;
    }
    let mut dev = (true, 0);
    if let Some((n, r)) = marker(&rest, &["dev"]) {
        dev = (false, n);
        rest = r;
    }
    if !rest.is_empty() {
        return None;
    }
    if pre.0 == 4 && post.is_none() && !dev.0 {
        pre = (0, 0);
    }
    let local = match local {
        None => None,
        Some(l) => {
            let segs: Vec<&str> = l.split(['.', '-', '_']).collect();
            if segs
                .iter()
                .any(|s| s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return None;
            }
            Some(
                segs.into_iter()
                    .map(|s| match s.parse() {
                        Ok(n) if s.bytes().all(|b| b.is_ascii_digit()) => Local::Num(n),
                        _ => Local::Word(s.to_owned()),
                    })
                    .collect(),
            )
        }
    };
    Some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// PEP 440 order; `None` when either side is not a PEP 440 version.
pub(crate) fn compare_pep440(a: &str, b: &str) -> Option<Ordering> {
    Some(pep440(a)?.cmp(&pep440(b)?))
}

// ---------------------------------------------------------------------------------------------
// Maven

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MavenTok<'a> {
    Num(&'a str),
    Qual(&'a str),
}

/// One token with the separator before it (`true`: `-` or a digit/letter transition).
type MavenItem<'a> = (bool, MavenTok<'a>);

fn maven_items(s: &str) -> Vec<MavenItem<'_>> {
    let mut items: Vec<MavenItem<'_>> = Vec::new();
    // Parts between hyphens, each with its trailing nulls dropped.
    let mut part_start = 0;
    let mut i = 0;
    let bytes = s.as_bytes();
    let mut hyphen = false;
    fn close_part(items: &mut Vec<MavenItem<'_>>, part_start: usize) {
        while items.len() > part_start && is_null(items[items.len() - 1].1) {
            items.pop();
        }
    }
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'.' || c == b'-' {
            if c == b'-' {
                close_part(&mut items, part_start);
                part_start = items.len();
            }
            // An empty token counts as 0.
            if i == 0 || matches!(bytes[i - 1], b'.' | b'-') {
                items.push((hyphen, MavenTok::Num("0")));
            }
            hyphen = c == b'-';
            i += 1;
            continue;
        }
        let digit = c.is_ascii_digit();
        let len = s[i..]
            .find(|ch: char| ch == '.' || ch == '-' || ch.is_ascii_digit() != digit)
            .unwrap_or(s.len() - i);
        let tok = &s[i..i + len];
        if i > 0 && !matches!(bytes[i - 1], b'.' | b'-') {
            // A transition counts as a hyphen.
            close_part(&mut items, part_start);
            part_start = items.len();
            hyphen = true;
        }
        let followed_by_digit = s[i + len..].starts_with(|ch: char| ch.is_ascii_digit());
        let tok = if digit {
            MavenTok::Num(tok.trim_start_matches('0'))
        } else {
            let expanded = match tok {
                "a" if followed_by_digit => "alpha",
                "b" if followed_by_digit => "beta",
                "m" if followed_by_digit => "milestone",
                t => t,
            };
            MavenTok::Qual(expanded)
        };
        items.push((hyphen, tok));
        i += len;
    }
    close_part(&mut items, part_start);
    items
}

fn is_null(t: MavenTok<'_>) -> bool {
    match t {
        MavenTok::Num(n) => n.is_empty(),
        MavenTok::Qual(q) => qual_rank(q) == 5,
    }
}

fn qual_rank(q: &str) -> u8 {
    match q {
        "alpha" => 0,
        "beta" => 1,
        "milestone" => 2,
        "rc" | "cr" => 3,
        "snapshot" => 4,
        "" | "ga" | "final" | "release" => 5,
        "sp" => 6,
        _ => 7,
    }
}

fn cmp_maven_tok(a: MavenTok<'_>, b: MavenTok<'_>) -> Ordering {
    match (a, b) {
        (MavenTok::Num(x), MavenTok::Num(y)) => cmp_digits(x, y),
        (MavenTok::Qual(x), MavenTok::Qual(y)) => qual_rank(x).cmp(&qual_rank(y)).then_with(|| {
            if qual_rank(x) == 7 {
                x.cmp(y)
            } else {
                Ordering::Equal
            }
        }),
        (MavenTok::Num(_), MavenTok::Qual(_)) => Ordering::Greater,
        (MavenTok::Qual(_), MavenTok::Num(_)) => Ordering::Less,
    }
}

/// `.qualifier < -qualifier < -number < .number` when the separators differ.
fn cmp_maven_item(a: MavenItem<'_>, b: MavenItem<'_>) -> Ordering {
    if a.0 == b.0 {
        return cmp_maven_tok(a.1, b.1);
    }
    let rank = |(hyphen, tok): MavenItem<'_>| match (tok, hyphen) {
        (MavenTok::Qual(_), false) => 0,
        (MavenTok::Qual(_), true) => 1,
        (MavenTok::Num(_), true) => 2,
        (MavenTok::Num(_), false) => 3,
    };
    rank(a).cmp(&rank(b))
}

/// Maven `ComparableVersion` order (case-insensitive).
pub(crate) fn compare_maven(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let (x, y) = (maven_items(&a), maven_items(&b));
    for i in 0..x.len().max(y.len()) {
        // The shorter side is padded with the null of the other side's separator.
        let null = |other: MavenItem<'_>| {
            (
                other.0,
                if other.0 {
                    MavenTok::Qual("")
                } else {
                    MavenTok::Num("")
                },
            )
        };
        let ord = match (x.get(i), y.get(i)) {
            (Some(&p), Some(&q)) => cmp_maven_item(p, q),
            (Some(&p), None) => cmp_maven_item(p, null(p)),
            (None, Some(&q)) => cmp_maven_item(null(q), q),
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

// ---------------------------------------------------------------------------------------------
// RPM

/// `rpmvercmp` of one version or release string.
fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let skip = |s: &str| -> usize {
        s.find(|c: char| c.is_ascii_alphanumeric() || c == '~' || c == '^')
            .unwrap_or(s.len())
    };
    let (mut one, mut two) = (a, b);
    loop {
        one = &one[skip(one)..];
        two = &two[skip(two)..];
        if one.starts_with('~') || two.starts_with('~') {
            if !one.starts_with('~') {
                return Ordering::Greater;
            }
            if !two.starts_with('~') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if one.starts_with('^') || two.starts_with('^') {
            if one.is_empty() {
                return Ordering::Less;
            }
            if two.is_empty() {
                return Ordering::Greater;
            }
            if !one.starts_with('^') {
                return Ordering::Greater;
            }
            if !two.starts_with('^') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if one.is_empty() || two.is_empty() {
            break;
        }
        let numeric = one.starts_with(|c: char| c.is_ascii_digit());
        let run = |s: &str| -> usize {
            s.find(|c: char| {
                if numeric {
                    !c.is_ascii_digit()
                } else {
                    !c.is_ascii_alphabetic()
                }
            })
            .unwrap_or(s.len())
        };
        let (la, lb) = (run(one), run(two));
        if lb == 0 {
            // Numeric segments are newer than alphabetic ones.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ord = if numeric {
            cmp_digits(&one[..la], &two[..lb])
        } else {
            one[..la].cmp(&two[..lb])
        };
        if ord != Ordering::Equal {
            return ord;
        }
        one = &one[la..];
        two = &two[lb..];
    }
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (false, _) => Ordering::Greater,
        (true, false) => Ordering::Less,
    }
}

/// `[epoch:]version[-release]`.
fn evr(s: &str) -> (&str, &str, Option<&str>) {
    let (epoch, vr) = match s.split_once(':') {
        Some((e, vr)) if e.bytes().all(|b| b.is_ascii_digit()) => (e, vr),
        _ => ("0", s),
    };
    match vr.rsplit_once('-') {
        Some((v, r)) => (epoch, v, Some(r)),
        None => (epoch, vr, None),
    }
}

/// RPM order of `[epoch:]version[-release]`.
pub(crate) fn compare_rpm(a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = evr(a);
    let (eb, vb, rb) = evr(b);
    cmp_digits(ea, eb)
        .then_with(|| rpmvercmp(va, vb))
        .then_with(|| match (ra, rb) {
            (Some(x), Some(y)) => rpmvercmp(x, y),
            _ => Ordering::Equal,
        })
}

// ---------------------------------------------------------------------------------------------
// Go

/// A Go module or toolchain version as semver: `v`/`go` dropped, missing minor/patch added.
fn go_semver(s: &str) -> Option<semver::Version> {
    let s = s
        .strip_prefix("go")
        .or_else(|| s.strip_prefix(['v', 'V']))
        .unwrap_or(s);
    if let Ok(v) = semver::Version::parse(s) {
        return Some(v);
    }
    // `1.21`, `1.21rc2` (toolchain), `1`: pad the core.
    let core_len = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (core, tail) = s.split_at(core_len);
    let dots = core.matches('.').count();
    if core.is_empty() || core.ends_with('.') || dots > 1 {
        return None;
    }
    let padded = format!("{core}{}", ".0".repeat(2 - dots));
    let tail = match tail {
        "" => String::new(),
        t if t.starts_with(['-', '+']) => t.to_owned(),
        t => format!("-{t}"),
    };
    semver::Version::parse(&format!("{padded}{tail}")).ok()
}

/// Go version order; `None` when either side is not a Go version.
pub(crate) fn compare_go(a: &str, b: &str) -> Option<Ordering> {
    Some(go_semver(a)?.cmp_precedence(&go_semver(b)?))
}
