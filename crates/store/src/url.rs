//! Database URLs: which backend, and where.

use std::path::PathBuf;

use crate::{Result, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    SqliteMemory,
    SqliteFile(PathBuf),
    /// `url` without the `schema` parameter, which the postgres crate does not know.
    Postgres {
        url: String,
        schema: Option<String>,
    },
}

impl Target {
    pub(crate) fn parse(url: &str) -> Result<Target> {
        let bad = |reason: &str| StoreError::BadUrl {
            url: redact_url(url),
            reason: reason.to_owned(),
        };
        if url.is_empty() {
            return Err(bad("empty"));
        }
        if matches!(url, "sqlite::memory:" | "sqlite://:memory:" | ":memory:") {
            return Ok(Target::SqliteMemory);
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(bad("no path after sqlite://"));
            }
            return Ok(Target::SqliteFile(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return postgres(url).map_err(|reason| bad(&reason));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(bad(&format!(
                "unsupported scheme {scheme:?} (use sqlite:// or postgres://)"
            )));
        }
        Ok(Target::SqliteFile(PathBuf::from(url)))
    }
}

fn postgres(url: &str) -> Result<Target, String> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok(Target::Postgres {
            url: url.to_owned(),
            schema: None,
        });
    };
    let mut schema = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("schema=") {
            Some(name) => {
                let valid = !name.is_empty()
                    && name.len() <= 63
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !name.as_bytes()[0].is_ascii_digit();
                if !valid {
                    return Err(format!(
                        "schema {name:?} must be 1-63 ASCII letters, digits or _, not starting with a digit"
                    ));
                }
                schema = Some(name.to_owned());
            }
            None => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(Target::Postgres { url, schema })
}

/// A database URL fit to print or log: the password of its user info and the value of any
/// `…password=` query parameter replaced by `***`. Over-redacts rather than leaks: the user
/// info ends at the last `@`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let (head, rest) = url.split_at(scheme_end);
    let mut out = head.to_owned();
    let rest = match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str(userinfo),
            }
            &rest[at..]
        }
        None => rest,
    };
    match rest.split_once('?') {
        None => out.push_str(rest),
        Some((base, query)) => {
            out.push_str(base);
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.to_ascii_lowercase().ends_with("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
        }
    }
    out
}

#[cfg(test)]
mod redact_tests {
    use super::redact_url;

    #[test]
    fn passwords_never_survive() {
        let cases = [
            (
                "postgres://u:secret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            (
                "postgres://u:p@ss@h/db?schema=x",
                "postgres://u:***@h/db?schema=x",
            ),
            (
                "postgresql://h/db?user=u&password=secret&schema=s",
                "postgresql://h/db?user=u&password=***&schema=s",
            ),
            ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db"),
            ("meridian.db", "meridian.db"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_url(url), shown);
            assert!(!redact_url(url).contains("secret"));
        }
    }
}
