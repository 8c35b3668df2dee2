//! CPE 2.3 formatted strings (NISTIR 7695 §6.2) and, leniently, CPE 2.2 URIs (§6.1).
//!
//! Values are kept in a canonical formatted-string form: lowercase, every character other than
//! letters, digits, `_`, `-` and `.` quoted with `\`, and unquoted `*` / `?` kept as wildcards.
//! Two values are equal exactly when their canonical forms are.
//!
//! Matching ([`Cpe::matches`]) is the "is this inventory name covered by this advisory name"
//! question, attribute by attribute (a pragmatic reading of NISTIR 7696 name matching):
//! ANY on either side matches (an inventory name that does not say is not excluded), NA matches
//! only NA, and a value matches when the advisory's value, as a pattern with its wildcards,
//! matches the inventory's value (or the other way round when only the inventory has wildcards).

use std::fmt;

use crate::IdentError;

/// The `part` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CpePart {
    Application,
    OperatingSystem,
    Hardware,
    Any,
}

impl CpePart {
    fn as_str(self) -> &'static str {
        match self {
            CpePart::Application => "a",
            CpePart::OperatingSystem => "o",
            CpePart::Hardware => "h",
            CpePart::Any => "*",
        }
    }
}

/// One attribute value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CpeValue {
    /// `*`: any value.
    Any,
    /// `-`: not applicable.
    Na,
    /// Canonical formatted-string text (see the module docs).
    Value(String),
}

impl CpeValue {
    /// The value with quoting removed (`1\.0` -> `1.0`); `None` for ANY and NA.
    pub fn unquoted(&self) -> Option<String> {
        match self {
            CpeValue::Value(v) => Some(tokens(v).iter().map(Token::char).collect()),
            _ => None,
        }
    }

    fn as_fs(&self) -> &str {
        match self {
            CpeValue::Any => "*",
            CpeValue::Na => "-",
            CpeValue::Value(v) => v,
        }
    }

    fn has_wildcards(&self) -> bool {
        matches!(self, CpeValue::Value(v) if tokens(v).iter().any(|t| matches!(t, Token::Star | Token::Question)))
    }

    /// Does `self` (the advisory side) cover `target` (the inventory side)?
    pub fn matches(&self, target: &CpeValue) -> bool {
        match (self, target) {
            (CpeValue::Any, _) | (_, CpeValue::Any) => true,
            (CpeValue::Na, CpeValue::Na) => true,
            (CpeValue::Na, _) | (_, CpeValue::Na) => false,
            (CpeValue::Value(a), CpeValue::Value(b)) if a == b => true,
            (CpeValue::Value(a), CpeValue::Value(b)) => {
                if self.has_wildcards() {
                    wildcard_match(&tokens(a), &tokens(b))
                } else if target.has_wildcards() {
                    wildcard_match(&tokens(b), &tokens(a))
                } else {
                    false
                }
            }
        }
    }

    /// Canonicalise one formatted-string value. `None` for malformed text.
    fn from_fs(raw: &str) -> Option<CpeValue> {
        match raw {
            "" | "*" => return Some(CpeValue::Any),
            "-" => return Some(CpeValue::Na),
            _ => {}
        }
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    let q = chars.next()?;
                    push_literal(&mut out, q.to_ascii_lowercase());
                }
                '*' | '?' => out.push(c),
                c if c.is_ascii_graphic() => push_literal(&mut out, c.to_ascii_lowercase()),
                _ => return None,
            }
        }
        // A quoted lone hyphen (`\-`) is the literal value "-", not NA: it stays quoted.
        if out == "-" {
            out.insert(0, '\\');
        }
        Some(CpeValue::Value(out))
    }

    /// Canonicalise a plain (unquoted) value, such as a CPE 2.2 URI component after percent-decoding.
    fn from_plain(raw: &str) -> Option<CpeValue> {
        match raw {
            "" | "*" => return Some(CpeValue::Any),
            "-" => return Some(CpeValue::Na),
            _ => {}
        }
        let mut out = String::with_capacity(raw.len());
        for c in raw.chars() {
            if !c.is_ascii_graphic() {
                return None;
            }
            push_literal(&mut out, c.to_ascii_lowercase());
        }
        Some(CpeValue::Value(out))
    }
}

fn push_literal(out: &mut String, c: char) {
    if !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') {
        out.push('\\');
    }
    out.push(c);
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Token {
    Lit(char),
    Star,
    Question,
}

impl Token {
    fn char(&self) -> char {
        match self {
            Token::Lit(c) => *c,
            Token::Star => '*',
            Token::Question => '?',
        }
    }
}

fn tokens(canonical: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(canonical.len());
    let mut chars = canonical.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => Token::Lit(chars.next().unwrap_or('\\')),
            '*' => Token::Star,
            '?' => Token::Question,
            c => Token::Lit(c),
        });
    }
    out
}

/// Glob match of `pattern` (with `*`, `?`) against the literal characters of `text`.
/// Iterative with one backtrack point, so linear-ish and free of recursion.
fn wildcard_match(pattern: &[Token], text: &[Token]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::Question) => {
                p += 1;
                t += 1;
            }
            Some(Token::Lit(c)) if text[t].char() == *c => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|tok| *tok == Token::Star)
}

/// A CPE 2.3 name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpe {
    pub part: CpePart,
    pub vendor: CpeValue,
    pub product: CpeValue,
    pub version: CpeValue,
    pub update: CpeValue,
    pub edition: CpeValue,
    pub language: CpeValue,
    pub sw_edition: CpeValue,
    pub target_sw: CpeValue,
    pub target_hw: CpeValue,
    pub other: CpeValue,
}

/// Split on `:` that is not quoted by `\`.
fn split_unquoted(s: &str) -> Vec<&str> {
    let mut parts = Vec::with_capacity(13);
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ':' => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// `%XX` escapes decoded; `None` when an escape is malformed or the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Cpe {
    /// Parse a CPE 2.3 formatted string (`cpe:2.3:a:vendor:product:…`) or a CPE 2.2 URI
    /// (`cpe:/a:vendor:product:version`). Surrounding whitespace is ignored. A 2.3 string with fewer
    /// than 11 attributes is padded with ANY (seen in hand-written data); more is an error.
    pub fn parse(input: &str) -> Result<Cpe, IdentError> {
        let err = || IdentError::Cpe(input.chars().take(200).collect());
        let s = input.trim();
        let lower_prefix = s.get(..5).map(str::to_ascii_lowercase).ok_or_else(err)?;
        let (values, plain) = if lower_prefix == "cpe:/" {
            let parts: Vec<&str> = s[5..].split(':').collect();
            if parts.len() > 7 {
                return Err(err());
            }
            let decoded: Vec<String> = parts
                .iter()
                .map(|p| percent_decode(p))
                .collect::<Option<_>>()
                .ok_or_else(err)?;
            (decoded, true)
        } else if s
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("cpe:2.3:"))
        {
            let parts = split_unquoted(&s[8..]);
            if parts.len() > 11 {
                return Err(err());
            }
            (parts.into_iter().map(str::to_owned).collect(), false)
        } else {
            return Err(err());
        };
        let part = match values.first().map(|p| p.to_ascii_lowercase()).as_deref() {
            Some("a") => CpePart::Application,
            Some("o") => CpePart::OperatingSystem,
            Some("h") => CpePart::Hardware,
            Some("*") | Some("") | None => CpePart::Any,
            Some(_) => return Err(err()),
        };
        let mut attrs = Vec::with_capacity(10);
        for i in 1..11 {
            let raw = values.get(i).map(String::as_str).unwrap_or("*");
            let v = if plain {
                CpeValue::from_plain(raw)
            } else {
                CpeValue::from_fs(raw)
            };
            attrs.push(v.ok_or_else(err)?);
        }
        let mut it = attrs.into_iter();
        let mut next = || it.next().unwrap_or(CpeValue::Any);
        Ok(Cpe {
            part,
            vendor: next(),
            product: next(),
            version: next(),
            update: next(),
            edition: next(),
            language: next(),
            sw_edition: next(),
            target_sw: next(),
            target_hw: next(),
            other: next(),
        })
    }

    fn attributes(&self) -> [&CpeValue; 10] {
        [
            &self.vendor,
            &self.product,
            &self.version,
            &self.update,
            &self.edition,
            &self.language,
            &self.sw_edition,
            &self.target_sw,
            &self.target_hw,
            &self.other,
        ]
    }

    fn part_matches(&self, target: &Cpe) -> bool {
        self.part == CpePart::Any || target.part == CpePart::Any || self.part == target.part
    }

    /// Does this (advisory) name cover `target` (an inventory name)? See the module docs.
    pub fn matches(&self, target: &Cpe) -> bool {
        self.part_matches(target)
            && self
                .attributes()
                .iter()
                .zip(target.attributes())
                .all(|(a, b)| a.matches(b))
    }

    /// As [`Cpe::matches`], but leaving the version attribute to a range check by the caller,
    /// and taking two vendors that are one ([`crate::vendor_key`]: `php` and `php_group`) as
    /// the same.
    pub fn matches_ignoring_version(&self, target: &Cpe) -> bool {
        let same_vendor = |a: &CpeValue, b: &CpeValue| {
            a.matches(b)
                || a.unquoted()
                    .zip(b.unquoted())
                    .is_some_and(|(a, b)| crate::vendor_key(&a) == crate::vendor_key(&b))
        };
        self.part_matches(target)
            && self
                .attributes()
                .iter()
                .zip(target.attributes())
                .enumerate()
                .all(|(i, (a, b))| match i {
                    0 => same_vendor(a, b),
                    2 => true,
                    _ => a.matches(b),
                })
    }
}

impl fmt::Display for Cpe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cpe:2.3:{}", self.part.as_str())?;
        for a in self.attributes() {
            write!(f, ":{}", a.as_fs())?;
        }
        Ok(())
    }
}
