use super::*;

#[test]
fn issue_and_verify() {
    let issued = issue();
    assert_eq!(parse(&issued.secret_token), Some(issued.token_id.as_str()));
    assert_eq!(issued.secret_token.len(), 4 + 12 + 1 + 32);
    assert!(issued.hash.starts_with("$argon2id$"), "{}", issued.hash);
    assert!(verify(&issued.secret_token, &issued.hash));

    // The same id with another secret.
    let mut wrong = issued.secret_token.clone();
    let last = if wrong.ends_with('A') { "B" } else { "A" };
    wrong.replace_range(wrong.len() - 1.., last);
    assert_eq!(parse(&wrong), Some(issued.token_id.as_str()));
    assert!(!verify(&wrong, &issued.hash));

    // Malformed token or hash: refused without hashing.
    assert!(!verify(&issued.secret_token[1..], &issued.hash));
    assert!(!verify(&issued.secret_token, "not a phc string"));

    // Another issue gives another id and secret.
    let other = issue();
    assert_ne!(other.token_id, issued.token_id);
    assert_ne!(other.secret_token, issued.secret_token);
}

#[test]
fn debug_hides_the_secret() {
    let issued = IssuedToken {
        token_id: "0123456789ab".to_owned(),
        secret_token: "mrd_0123456789ab_SECRETSECRETSECRETSECRETSECRETSE".to_owned(),
        hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
    };
    let debug = format!("{issued:?}");
    assert!(!debug.contains("SECRET"), "{debug}");
    assert!(debug.contains("0123456789ab"), "{debug}");
}

fn check(token: &str, expected: Option<&str>) {
    assert_eq!(parse(token), expected, "{token:?}");
}

#[test]
fn parse_formats() {
    let secret = "abcdefghijklmnopqrstuvwxyzAB-_09";
    check(&format!("mrd_0123456789ab_{secret}"), Some("0123456789ab"));
    check(&format!("mrd_0123456789AB_{secret}"), None); // upper-case id
    check(&format!("mrd_0123456789a_{secret}x"), None); // short id
    check(&format!("mrd_0123456789abc{secret}"), None); // no separator
    check(&format!("mrd_0123456789ab_{secret}x"), None); // long secret
    check(&format!("mrd_0123456789ab_{}", &secret[1..]), None); // short secret
    check(&format!("mrd_0123456789ab_{}=", &secret[1..]), None); // padding
    check(&format!("mrd_0123456789ab_{}é", &secret[2..]), None); // non-ASCII
    check(&format!("mrx_0123456789ab_{secret}"), None);
    check(&format!(" mrd_0123456789ab_{secret}"), None);
    check(&format!("mrd_0123456789ab_{secret} "), None);
    check("", None);
    check("mrd_", None);
}
