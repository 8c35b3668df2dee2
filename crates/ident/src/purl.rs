//! Package URL (purl) per the purl specification: `pkg:type/namespace/name@version?qualifiers#subpath`.
//!
//! Own parser (no `packageurl` dependency): it never panics, tolerates surrounding whitespace
//! and a `pkg://` prefix, and drops empty qualifiers and `.`/`..` subpath segments as the spec says.
//!
//! Normalisation follows the spec's per-type rules that matter for matching: the type is always
//! lowercase; namespaces are lowercased for `npm`, `github`, `gitlab`, `bitbucket`, `golang`,
//! `composer`, `deb`, `apk`, `alpm`, `rpm`, `qpkg`, `hex`, `luarocks`, `pub` and `pypi`; names for
//! the same types except `rpm`, `qpkg` and `luarocks`; `pypi` names also turn `_` into `-`. Other
//! types (`maven`, `nuget`, `generic`…) keep their case. Components are percent-decoded on parse
//! and encoded on [`Display`](std::fmt::Display).

use std::collections::BTreeMap;
use std::fmt;

use crate::IdentError;

/// A parsed, normalised package URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: BTreeMap<String, String>,
    pub subpath: Option<String>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str, keep: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "-._~".contains(c) || keep.contains(&c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn lowercase_namespace(ty: &str) -> bool {
    matches!(
        ty,
        "npm"
            | "github"
            | "bitbucket"
            | "golang"
            | "composer"
            | "deb"
            | "apk"
            | "rpm"
            | "alpm"
            | "qpkg"
            | "hex"
            | "luarocks"
            | "pub"
            | "pypi"
            | "gitlab"
    )
}

fn lowercase_name(ty: &str) -> bool {
    matches!(
        ty,
        "npm"
            | "github"
            | "bitbucket"
            | "golang"
            | "composer"
            | "deb"
            | "apk"
            | "alpm"
            | "hex"
            | "pub"
            | "pypi"
            | "gitlab"
    )
}

impl Purl {
    /// Parse and normalise. Leading/trailing whitespace is ignored; `pkg:` is case-insensitive.
    pub fn parse(input: &str) -> Result<Purl, IdentError> {
        let err = || IdentError::Purl(input.chars().take(200).collect());
        let s = input.trim();
        let scheme = s.get(..4).ok_or_else(err)?;
        if !scheme.eq_ignore_ascii_case("pkg:") {
            return Err(err());
        }
        let rest = s[4..].trim_start_matches('/');
        let (rest, subpath) = match rest.split_once('#') {
            Some((r, sp)) => {
                // Decoded first, so that an encoded `/` (`%2F`) or `.` cannot make an empty,
                // `.` or `..` segment that the formatted purl would lose when read back.
                let sp: Vec<String> = sp
                    .split('/')
                    .map(percent_decode)
                    .flat_map(|seg| {
                        seg.split('/')
                            .filter(|seg| !seg.is_empty() && *seg != "." && *seg != "..")
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                (r, (!sp.is_empty()).then(|| sp.join("/")))
            }
            None => (rest, None),
        };
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => {
                let mut map = BTreeMap::new();
                for pair in q.split('&') {
                    if let Some((k, v)) = pair.split_once('=') {
                        let v = percent_decode(v);
                        if !k.is_empty() && !v.is_empty() {
                            map.insert(k.to_ascii_lowercase(), v);
                        }
                    }
                }
                (r, map)
            }
            None => (rest, BTreeMap::new()),
        };
        let rest = rest.trim_end_matches('/');
        // The version is after the last '@' of the last path segment (npm scopes use "%40").
        let (path, version) = match rest.rfind('@') {
            Some(at) if !rest[at..].contains('/') => {
                (&rest[..at], Some(percent_decode(&rest[at + 1..])))
            }
            _ => (rest, None),
        };
        let (ty, path) = path.split_once('/').ok_or_else(err)?;
        let ty = ty.to_ascii_lowercase();
        if ty.is_empty()
            || !ty.starts_with(|c: char| c.is_ascii_alphabetic())
            || !ty
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c))
        {
            return Err(err());
        }
        let segments: Vec<&str> = path.split('/').filter(|seg| !seg.is_empty()).collect();
        let (name, ns) = segments.split_last().ok_or_else(err)?;
        let mut name = percent_decode(name);
        let mut namespace = (!ns.is_empty())
            .then(|| {
                ns.iter()
                    .map(|seg| percent_decode(seg))
                    .flat_map(|seg| {
                        // An encoded `/` splits the segment, as the formatted purl would.
                        seg.split('/')
                            .filter(|seg| !seg.is_empty())
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .filter(|ns| !ns.is_empty());
        if name.is_empty() {
            return Err(err());
        }
        if lowercase_namespace(&ty) {
            namespace = namespace.map(|n| n.to_lowercase());
        }
        if lowercase_name(&ty) {
            name = name.to_lowercase();
        }
        if ty == "pypi" {
            name = name.replace('_', "-");
        }
        Ok(Purl {
            ty,
            namespace,
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
            subpath,
        })
    }

    /// `type/namespace/name`, without version, qualifiers or subpath: the key affected packages
    /// are indexed under. A `pypi` name is normalised as PEP 503 says (runs of `-`, `_`, `.` are
    /// one `-`), so `zope.interface` and `Zope_Interface` share a key.
    pub fn key(&self) -> String {
        let name = if self.ty == "pypi" {
            let mut n = String::with_capacity(self.name.len());
            for c in self.name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !n.ends_with('-') {
                        n.push('-');
                    }
                } else {
                    n.push(c);
                }
            }
            n
        } else {
            self.name.clone()
        };
        match &self.namespace {
            Some(ns) => format!("{}/{}/{}", self.ty, ns, name),
            None => format!("{}/{}", self.ty, name),
        }
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.ty)?;
        if let Some(ns) = &self.namespace {
            for seg in ns.split('/') {
                write!(f, "{}/", percent_encode(seg, &[]))?;
            }
        }
        write!(f, "{}", percent_encode(&self.name, &[]))?;
        if let Some(v) = &self.version {
            write!(f, "@{}", percent_encode(v, &[':', '+']))?;
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            write!(
                f,
                "{}{}={}",
                if i == 0 { '?' } else { '&' },
                k,
                percent_encode(v, &[':', '/'])
            )?;
        }
        if let Some(sp) = &self.subpath {
            write!(f, "#{}", percent_encode(sp, &['/']))?;
        }
        Ok(())
    }
}
