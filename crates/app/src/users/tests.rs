//! Users on both backends (`test_support::backends`): name, partner and password rules, tokens,
//! sessions and the login throttle, with time given explicitly.

use time::macros::datetime;

use super::*;

const PASSWORD: &str = "correct horse battery";
const T0: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);

fn admin() -> Actor {
    Actor::Local("root".to_owned())
}

fn partner(id: &str) -> store::Partner {
    store::Partner {
        id: id.to_owned(),
        name: format!("{id} CSIRT"),
        country: "DE".to_owned(),
        constituency_countries: Vec::new(),
        constituency_sectors: Vec::new(),
        trust_tier: 2,
        contacts: Vec::new(),
        public_key: None,
        anonymise: false,
        created_at: "2026-11-22T01:00:00Z".to_owned(),
    }
}

fn new_user(name: &str, role: Role, partner: Option<&str>, password: &str) -> NewUser {
    NewUser {
        name: name.to_owned(),
        role,
        partner: partner.map(str::to_owned),
        password: password.to_owned(),
    }
}

/// Each backend's store with the partner `cert-de` and the analyst `ana`.
fn stores(suite: &str) -> Vec<(test_support::TestDb, Store)> {
    test_support::backends(suite)
        .into_iter()
        .map(|db| {
            let mut store = Store::open(&db.url)
                .unwrap_or_else(|e| panic!("[{}] opening {}: {e}", db.name, db.url));
            store.add_partner(&partner("cert-de")).expect("partner");
            add(
                &mut store,
                &admin(),
                new_user("ana", Role::Analyst, None, PASSWORD),
            )
            .expect("ana");
            (db, store)
        })
        .collect()
}

fn check_name(name: &str, expected: Option<&str>) {
    assert_eq!(valid_name(name).as_deref(), expected, "{name:?}");
}

#[test]
fn names() {
    check_name("ana", Some("ana"));
    check_name("Ana.Lopez_2-x", Some("ana.lopez_2-x"));
    check_name(&"a".repeat(64), Some(&"a".repeat(64)));
    check_name(&"a".repeat(65), None);
    check_name("", None);
    check_name("ana lopez", None);
    check_name("anä", None);
    check_name("ana@cert", None);
    check_name(" ana", None);
}

/// Adds `new` to a store holding `cert-de` and `ana`; the problems' pointers and a word of each
/// message, or `Ok` with the stored name.
fn check_add(new: NewUser, expected: Result<&str, &[(&str, &str)]>) {
    for (db, mut store) in stores("app users add") {
        let got = add(
            &mut store,
            &admin(),
            new_user(&new.name, new.role, new.partner.as_deref(), &new.password),
        );
        match (got, expected) {
            (Ok(info), Ok(name)) => {
                assert_eq!(info.name, name, "[{}]", db.name);
                let stored = store.user(name).expect("read").expect("stored");
                assert_ne!(stored.password_hash, new.password);
                assert!(token::verify_secret(&new.password, &stored.password_hash));
            }
            (Err(Error::Invalid(problems)), Err(expected)) => {
                assert_eq!(problems.len(), expected.len(), "[{}] {problems:?}", db.name);
                for (p, (pointer, word)) in problems.iter().zip(expected) {
                    assert_eq!(p.pointer, *pointer, "{problems:?}");
                    assert!(p.message.contains(word), "{:?} lacks {word:?}", p.message);
                }
            }
            (got, _) => panic!("[{}] {new:?}: {got:?}", db.name),
        }
    }
}

#[test]
fn add_rules() {
    use Role::{Analyst, Partner};
    check_add(new_user("Bob", Analyst, None, PASSWORD), Ok("bob"));
    check_add(
        new_user("eve", Partner, Some("cert-de"), PASSWORD),
        Ok("eve"),
    );
    check_add(
        new_user("eve", Partner, None, PASSWORD),
        Err(&[("/partner", "must name")]),
    );
    check_add(
        new_user("eve", Partner, Some("cert-xx"), PASSWORD),
        Err(&[("/partner", "cert-xx")]),
    );
    check_add(
        new_user("eve", Analyst, Some("cert-de"), PASSWORD),
        Err(&[("/partner", "only partner users")]),
    );
    check_add(
        new_user("eve", Analyst, None, "eleven char"),
        Err(&[("/password", "11 characters")]),
    );
    check_add(
        new_user("eve", Analyst, None, &"x".repeat(1025)),
        Err(&[("/password", "at most")]),
    );
    check_add(
        new_user("twelve", Analyst, None, "twelve chars"),
        Ok("twelve"),
    );
    check_add(
        new_user("e v e", Partner, None, "short"),
        Err(&[
            ("/name", "not a user name"),
            ("/partner", "must name"),
            ("/password", "at least 12"),
        ]),
    );
}

#[test]
fn names_are_unique_ignoring_case_and_only_admins_add() {
    for (db, mut store) in stores("app users unique") {
        let err = add(
            &mut store,
            &admin(),
            new_user("ANA", Role::Admin, None, PASSWORD),
        )
        .expect_err("taken");
        assert!(
            matches!(&err, Error::Conflict(m) if m.contains("ana")),
            "[{}] {err}",
            db.name
        );
        let analyst = Actor::User {
            name: "ana".to_owned(),
            role: Role::Analyst,
            partner: None,
        };
        let err = add(
            &mut store,
            &analyst,
            new_user("bob", Role::Admin, None, PASSWORD),
        )
        .expect_err("analysts add no users");
        assert!(matches!(err, Error::Forbidden(_)), "[{}] {err}", db.name);
        assert!(matches!(
            list(&mut store, &analyst),
            Err(Error::Forbidden(_))
        ));
        // Users may see themselves, not others.
        assert_eq!(
            show(&mut store, &analyst, "ana").expect("self").user.role,
            Role::Analyst
        );
        add(
            &mut store,
            &admin(),
            new_user("bob", Role::Coordinator, None, PASSWORD),
        )
        .expect("bob");
        assert!(matches!(
            show(&mut store, &analyst, "bob"),
            Err(Error::Forbidden(_))
        ));
        let names: Vec<_> = list(&mut store, &admin())
            .expect("list")
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(names, ["ana", "bob"], "[{}]", db.name);
        let err = show(&mut store, &admin(), "carol").expect_err("unknown");
        assert_eq!(err.to_string(), "user carol not found");
    }
}

#[test]
fn tokens_authenticate_until_revoked_or_the_user_is_disabled() {
    for (db, mut store) in stores("app user tokens") {
        let issued = issue_token(&mut store, &admin(), "Ana", "laptop").expect("issue");
        assert_eq!(issued.user, "ana");
        assert!(
            issued.token.starts_with(&format!("mru_{}_", issued.id)),
            "{issued:?}"
        );
        assert!(
            !format!("{issued:?}").contains(&issued.token),
            "Debug shows the token"
        );
        let actor = authenticate_token(&mut store, &issued.token).expect("auth");
        assert_eq!(
            actor,
            Some(Actor::User {
                name: "ana".to_owned(),
                role: Role::Analyst,
                partner: None
            }),
            "[{}]",
            db.name
        );
        let detail = show(&mut store, &admin(), "ana").expect("show");
        assert_eq!(detail.tokens.len(), 1);
        assert_eq!(detail.tokens[0].id, issued.id);
        assert_eq!(detail.tokens[0].label, "laptop");
        assert!(
            detail.tokens[0].last_used_at.is_some(),
            "[{}] use recorded",
            db.name
        );

        // A wrong secret, a partner-style token, garbage: nobody.
        let mut wrong = issued.token.clone();
        let last = if wrong.ends_with('A') { "B" } else { "A" };
        wrong.replace_range(wrong.len() - 1.., last);
        assert_eq!(authenticate_token(&mut store, &wrong).expect("auth"), None);
        let partner_style = issued.token.replacen("mru_", "mrd_", 1);
        assert_eq!(
            authenticate_token(&mut store, &partner_style).expect("auth"),
            None
        );
        assert_eq!(authenticate_token(&mut store, "").expect("auth"), None);

        // Revoked: refused; revoking again is not found.
        let second = issue_token(&mut store, &admin(), "ana", "").expect("issue");
        revoke_token(&mut store, &admin(), "ana", &issued.id).expect("revoke");
        assert_eq!(
            authenticate_token(&mut store, &issued.token).expect("auth"),
            None,
            "[{}]",
            db.name
        );
        let err = revoke_token(&mut store, &admin(), "ana", &issued.id).expect_err("twice");
        assert!(matches!(err, Error::NotFound { .. }), "{err}");

        // Disabled: every token refused, no new ones.
        assert!(
            authenticate_token(&mut store, &second.token)
                .expect("auth")
                .is_some()
        );
        // An administrator signed in cannot disable themself; another one (or the local
        // administrator) can.
        let signed_in = |name: &str| Actor::User {
            name: name.to_owned(),
            role: Role::Admin,
            partner: None,
        };
        let err = disable(&mut store, &signed_in("ana"), "Ana").expect_err("self");
        assert!(matches!(err, Error::Conflict(_)), "{err}");
        assert!(
            authenticate_token(&mut store, &second.token)
                .expect("auth")
                .is_some(),
            "[{}] still enabled",
            db.name
        );
        disable(&mut store, &signed_in("root"), "ana").expect("disable");
        assert_eq!(
            authenticate_token(&mut store, &second.token).expect("auth"),
            None,
            "[{}]",
            db.name
        );
        let err = issue_token(&mut store, &admin(), "ana", "").expect_err("disabled");
        assert!(matches!(err, Error::Conflict(_)), "{err}");
    }
}

#[test]
fn token_labels_are_checked_and_users_manage_their_own_tokens() {
    for (db, mut store) in stores("app user token rules") {
        let err = issue_token(&mut store, &admin(), "ana", "a\nb").expect_err("control char");
        assert!(
            matches!(&err, Error::Invalid(p) if p[0].pointer == "/label"),
            "{err}"
        );
        let err = issue_token(&mut store, &admin(), "ana", &"l".repeat(201)).expect_err("long");
        assert!(matches!(err, Error::Invalid(_)), "{err}");
        let ana = Actor::User {
            name: "ana".to_owned(),
            role: Role::Analyst,
            partner: None,
        };
        let own = issue_token(&mut store, &ana, "ana", "own").expect("own token");
        revoke_token(&mut store, &ana, "ana", &own.id).expect("own revoke");
        add(
            &mut store,
            &admin(),
            new_user("bob", Role::Analyst, None, PASSWORD),
        )
        .expect("bob");
        let err = issue_token(&mut store, &ana, "bob", "").expect_err("other's token");
        assert!(matches!(err, Error::Forbidden(_)), "[{}] {err}", db.name);
    }
}

#[test]
fn sessions_end_after_idle_time_and_absolute_lifetime() {
    for (db, mut store) in stores("app sessions") {
        let s = login(&mut store, "Ana", PASSWORD, "192.0.2.1", T0).expect("login");
        assert_eq!(s.expires, T0 + SESSION_LIFETIME);
        assert!(
            !format!("{s:?}").contains(&s.secret),
            "Debug shows the secret"
        );
        let stored = store
            .session(&secret_key(&s.secret))
            .expect("read")
            .expect("stored");
        assert_ne!(
            stored.secret_sha256, s.secret,
            "the secret itself is not stored"
        );

        let (actor, csrf) = session(&mut store, &s.secret, T0)
            .expect("read")
            .expect("live");
        assert_eq!(actor.audit_name(), "user:ana", "[{}]", db.name);
        assert_eq!(csrf, s.csrf);
        assert_eq!(
            session(&mut store, "another secret", T0).expect("read"),
            None
        );

        // Used every 29 minutes it lives until the absolute end, not beyond.
        let mut at = T0;
        while at + Duration::minutes(29) < T0 + SESSION_LIFETIME {
            at += Duration::minutes(29);
            assert!(
                session(&mut store, &s.secret, at).expect("read").is_some(),
                "[{}] {at}",
                db.name
            );
        }
        assert_eq!(
            session(&mut store, &s.secret, T0 + SESSION_LIFETIME).expect("read"),
            None
        );

        // 30 idle minutes end it, and it stays ended.
        let s = login(&mut store, "ana", PASSWORD, "192.0.2.1", T0).expect("login");
        let idle = T0 + SESSION_IDLE;
        assert_eq!(
            session(&mut store, &s.secret, idle).expect("read"),
            None,
            "[{}]",
            db.name
        );
        assert_eq!(
            session(&mut store, &s.secret, T0).expect("read"),
            None,
            "deleted"
        );

        // Logout, a new password, disabling: over.
        let s = login(&mut store, "ana", PASSWORD, "192.0.2.1", T0).expect("login");
        assert!(logout(&mut store, &s.secret).expect("logout"));
        assert!(!logout(&mut store, &s.secret).expect("logout twice"));
        assert_eq!(session(&mut store, &s.secret, T0).expect("read"), None);
        let s = login(&mut store, "ana", PASSWORD, "192.0.2.1", T0).expect("login");
        set_password(&mut store, &admin(), "ana", "a brand new password").expect("passwd");
        assert_eq!(
            session(&mut store, &s.secret, T0).expect("read"),
            None,
            "[{}]",
            db.name
        );
        let s = login(&mut store, "ana", "a brand new password", "192.0.2.1", T0).expect("login");
        disable(&mut store, &admin(), "ana").expect("disable");
        assert_eq!(
            session(&mut store, &s.secret, T0).expect("read"),
            None,
            "[{}]",
            db.name
        );
        let err = login(&mut store, "ana", "a brand new password", "192.0.2.1", T0)
            .expect_err("disabled");
        assert!(matches!(err, LoginError::BadCredentials), "{err}");
    }
}

#[test]
fn wrong_passwords_and_unknown_users_are_the_same_failure() {
    for (db, mut store) in stores("app login failures") {
        for (name, password) in [
            ("ana", "not the password"),
            ("nobody", PASSWORD),
            ("not a name!", PASSWORD),
        ] {
            let err = login(&mut store, name, password, "192.0.2.1", T0).expect_err("refused");
            assert!(
                matches!(err, LoginError::BadCredentials),
                "[{}] {name}: {err}",
                db.name
            );
            assert_eq!(err.to_string(), "unknown user or wrong password");
        }
    }
}

#[test]
fn five_failures_within_the_window_throttle_the_name() {
    for (db, mut store) in stores("app login throttle") {
        let minute = Duration::minutes(1);
        for i in 0..5 {
            let err = login(
                &mut store,
                "ana",
                "wrong password!",
                "192.0.2.1",
                T0 + minute * i,
            )
            .expect_err("wrong");
            assert!(
                matches!(err, LoginError::BadCredentials),
                "[{}] {err}",
                db.name
            );
        }
        // Even the right password waits until the first failure leaves the window.
        let err = login(&mut store, "ANA", PASSWORD, "192.0.2.9", T0 + minute * 5)
            .expect_err("throttled");
        let LoginError::Throttled { retry_at } = err else {
            panic!("[{}] {err}", db.name)
        };
        assert_eq!(retry_at, T0 + LOGIN_WINDOW);
        assert!(matches!(
            login(
                &mut store,
                "ana",
                PASSWORD,
                "192.0.2.9",
                T0 + LOGIN_WINDOW - minute
            ),
            Err(LoginError::Throttled { .. })
        ));
        login(&mut store, "ana", PASSWORD, "192.0.2.9", T0 + LOGIN_WINDOW).expect("window passed");
        // A success forgets the failures.
        assert!(
            store.login_failures("ana", "").expect("read").is_empty(),
            "[{}]",
            db.name
        );

        // Unknown names are counted (and throttled) the same way.
        for i in 0..5 {
            let _ = login(&mut store, "ghost", PASSWORD, "192.0.2.1", T0 + minute * i);
        }
        let err = login(&mut store, "ghost", PASSWORD, "192.0.2.1", T0 + minute * 5)
            .expect_err("throttled");
        assert!(
            matches!(err, LoginError::Throttled { .. }),
            "[{}] {err}",
            db.name
        );
        // Other names are not.
        add(
            &mut store,
            &admin(),
            new_user("bob", Role::Analyst, None, PASSWORD),
        )
        .expect("bob");
        login(&mut store, "bob", PASSWORD, "192.0.2.1", T0 + minute * 5).expect("bob logs in");
    }
}
