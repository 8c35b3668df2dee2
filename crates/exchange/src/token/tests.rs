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

#[test]
fn kinds_have_their_own_prefix_and_never_cross() {
    let user = Kind::User.issue();
    assert!(user.secret_token.starts_with("mru_"), "{user:?}");
    assert_eq!(
        Kind::User.parse(&user.secret_token),
        Some(user.token_id.as_str())
    );
    assert!(Kind::User.verify(&user.secret_token, &user.hash));
    // A user token is no partner token, even with the right hash.
    assert_eq!(parse(&user.secret_token), None);
    assert!(!verify(&user.secret_token, &user.hash));
    let partner = issue();
    assert_eq!(Kind::User.parse(&partner.secret_token), None);
    assert!(!Kind::User.verify(&partner.secret_token, &partner.hash));
}

#[test]
fn secrets_hash_with_argon2id_and_verify() {
    let hash = hash_secret("correct horse battery staple");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(verify_secret("correct horse battery staple", &hash));
    assert!(!verify_secret("correct horse battery stapler", &hash));
    assert!(!verify_secret(
        "correct horse battery staple",
        "not a phc string"
    ));
    // A fresh salt every time.
    assert_ne!(hash_secret("same"), hash_secret("same"));
}

#[test]
fn random_secrets_are_url_safe_and_fresh() {
    let a = random_secret();
    assert_eq!(a.len(), 32);
    assert!(
        a.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{a}"
    );
    assert_ne!(a, random_secret());
}
