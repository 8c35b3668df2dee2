//! Users on both backends: case-insensitive names, partner references, disabling and new
//! passwords ending sessions, tokens (touch, revoke), sessions and the login throttle's failures.

use store::{StoreError, StoredSession, User, UserToken};

use crate::exchange::partner;
use crate::open;

fn user(name: &str, partner_id: Option<&str>) -> User {
    User {
        name: name.to_owned(),
        role: if partner_id.is_some() {
            "partner"
        } else {
            "analyst"
        }
        .to_owned(),
        partner_id: partner_id.map(str::to_owned),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        disabled: false,
        created_at: "2026-12-01T10:00:00Z".to_owned(),
    }
}

fn session(key: &str, name: &str, created: &str, expires: &str) -> StoredSession {
    StoredSession {
        secret_sha256: key.to_owned(),
        user_name: name.to_owned(),
        csrf: format!("csrf-{key}"),
        created_at: created.to_owned(),
        expires_at: expires.to_owned(),
        last_seen_at: created.to_owned(),
    }
}

#[test]
fn users_are_unique_ignoring_case_and_name_stored_partners() {
    for db in test_support::backends("store users") {
        let mut store = open(&db);
        assert!(
            store.add_user(&user("ana", None)).expect("add"),
            "[{}]",
            db.name
        );
        assert!(!store.add_user(&user("ana", None)).expect("add again"));
        assert!(
            !store
                .add_user(&user("ANA", None))
                .expect("add in upper case")
        );
        assert_eq!(
            store.user("Ana").expect("get").map(|u| u.name),
            Some("ana".to_owned()),
            "[{}]",
            db.name
        );
        let err = store
            .add_user(&user("bob", Some("cert-xx")))
            .expect_err("unknown partner");
        assert!(
            matches!(&err, StoreError::UnknownPartner(p) if p == "cert-xx"),
            "[{}] {err}",
            db.name
        );
        store.add_partner(&partner("cert-de")).expect("partner");
        assert!(store.add_user(&user("bob", Some("cert-de"))).expect("add"));
        let users = store.users().expect("list");
        assert_eq!(
            users,
            vec![user("ana", None), user("bob", Some("cert-de"))],
            "[{}]",
            db.name
        );

        assert!(
            store
                .set_user_password("BOB", "$argon2id$new")
                .expect("passwd")
        );
        assert!(store.disable_user("ana").expect("disable"));
        assert!(!store.disable_user("nobody").expect("disable unknown"));
        assert!(
            !store
                .set_user_password("nobody", "x")
                .expect("passwd unknown")
        );
        let bob = store.user("bob").expect("get").expect("bob");
        assert_eq!(bob.password_hash, "$argon2id$new");
        assert!(!bob.disabled);
        assert!(store.user("ana").expect("get").expect("ana").disabled);
    }
}

#[test]
fn tokens_are_touched_and_revoked_one_at_a_time() {
    for db in test_support::backends("store user tokens") {
        let mut store = open(&db);
        let token = |id: &str, created: &str| UserToken {
            token_id: id.to_owned(),
            user_name: "ana".to_owned(),
            hash: format!("hash-{id}"),
            label: format!("label {id}"),
            created_at: created.to_owned(),
            last_used_at: None,
            revoked_at: None,
        };
        let err = store
            .add_user_token(&token("0123456789ab", "2026-12-01T10:00:00Z"))
            .expect_err("unknown user");
        assert!(
            matches!(&err, StoreError::UnknownUser(u) if u == "ana"),
            "[{}] {err}",
            db.name
        );
        store.add_user(&user("ana", None)).expect("add");
        store.add_user(&user("bob", None)).expect("add");
        store
            .add_user_token(&token("0123456789ab", "2026-12-01T10:00:00Z"))
            .expect("token");
        store
            .add_user_token(&token("ba9876543210", "2026-12-01T09:00:00Z"))
            .expect("token");

        store
            .touch_user_token("0123456789ab", "2026-12-02T08:00:00Z")
            .expect("touch");
        assert!(
            !store
                .revoke_user_token("bob", "0123456789ab", "2026-12-02T09:00:00Z")
                .expect("revoke other's")
        );
        assert!(
            store
                .revoke_user_token("ANA", "0123456789ab", "2026-12-02T09:00:00Z")
                .expect("revoke")
        );
        assert!(
            !store
                .revoke_user_token("ana", "0123456789ab", "2026-12-02T10:00:00Z")
                .expect("revoke twice")
        );

        let stored = store
            .user_token("0123456789ab")
            .expect("get")
            .expect("stored");
        assert_eq!(
            stored.last_used_at.as_deref(),
            Some("2026-12-02T08:00:00Z"),
            "[{}]",
            db.name
        );
        assert_eq!(stored.revoked_at.as_deref(), Some("2026-12-02T09:00:00Z"));
        let ids: Vec<_> = store
            .user_tokens("ana")
            .expect("list")
            .into_iter()
            .map(|t| t.token_id)
            .collect();
        assert_eq!(
            ids,
            ["ba9876543210", "0123456789ab"],
            "[{}] oldest first",
            db.name
        );
        assert!(store.user_tokens("bob").expect("list").is_empty());
        assert_eq!(store.user_token("ffffffffffff").expect("get"), None);
    }
}

#[test]
fn sessions_are_stored_touched_and_ended() {
    for db in test_support::backends("store sessions") {
        let mut store = open(&db);
        let err = store
            .add_session(&session(
                "k1",
                "ana",
                "2026-12-01T10:00:00Z",
                "2026-12-01T22:00:00Z",
            ))
            .expect_err("unknown user");
        assert!(
            matches!(err, StoreError::UnknownUser(_)),
            "[{}] {err}",
            db.name
        );
        store.add_user(&user("ana", None)).expect("add");
        store.add_user(&user("bob", None)).expect("add");
        store
            .add_session(&session(
                "k1",
                "ana",
                "2026-12-01T10:00:00Z",
                "2026-12-01T22:00:00Z",
            ))
            .expect("k1");
        store
            .add_session(&session(
                "k2",
                "bob",
                "2026-12-01T10:00:00Z",
                "2026-12-02T22:00:00Z",
            ))
            .expect("k2");
        store
            .touch_session("k1", "2026-12-01T10:10:00Z")
            .expect("touch");
        let k1 = store.session("k1").expect("get").expect("k1");
        assert_eq!(k1.last_seen_at, "2026-12-01T10:10:00Z", "[{}]", db.name);
        assert_eq!(k1.csrf, "csrf-k1");

        // A session created at k1's expiry sweeps k1 away, not k2.
        store
            .add_session(&session(
                "k3",
                "ana",
                "2026-12-01T22:00:00Z",
                "2026-12-02T10:00:00Z",
            ))
            .expect("k3");
        assert_eq!(
            store.session("k1").expect("get"),
            None,
            "[{}] expired",
            db.name
        );

        // A new password ends the user's sessions, not the others'.
        store
            .set_user_password("ana", "$argon2id$new")
            .expect("passwd");
        assert_eq!(store.session("k3").expect("get"), None, "[{}]", db.name);
        assert!(store.session("k2").expect("get").is_some());
        assert!(store.disable_user("bob").expect("disable"));
        assert_eq!(
            store.session("k2").expect("get"),
            None,
            "[{}] disabled",
            db.name
        );

        store
            .add_session(&session(
                "k4",
                "ana",
                "2026-12-02T10:00:00Z",
                "2026-12-02T22:00:00Z",
            ))
            .expect("k4");
        assert!(store.delete_session("k4").expect("logout"));
        assert!(!store.delete_session("k4").expect("logout twice"));
    }
}

#[test]
fn login_failures_count_within_the_window_and_are_forgotten() {
    for db in test_support::backends("store login failures") {
        let mut store = open(&db);
        let fail = |store: &mut store::Store, name: &str, at: &str, forget: &str| {
            store
                .add_login_failure(name, "192.0.2.1", at, forget)
                .expect("failure");
        };
        fail(
            &mut store,
            "Ana",
            "2026-12-01T10:00:00Z",
            "2026-12-01T09:45:00Z",
        );
        fail(
            &mut store,
            "ana",
            "2026-12-01T10:05:00Z",
            "2026-12-01T09:50:00Z",
        );
        fail(
            &mut store,
            "ghost",
            "2026-12-01T10:06:00Z",
            "2026-12-01T09:51:00Z",
        );
        assert_eq!(
            store
                .login_failures("ANA", "2026-12-01T09:59:00Z")
                .expect("count"),
            ["2026-12-01T10:00:00Z", "2026-12-01T10:05:00Z"],
            "[{}] case-insensitive, oldest first",
            db.name
        );
        assert_eq!(
            store
                .login_failures("ana", "2026-12-01T10:00:00Z")
                .expect("count"),
            ["2026-12-01T10:05:00Z"]
        );
        // A later failure forgets everything at or before its window's start, of any name.
        fail(
            &mut store,
            "bob",
            "2026-12-01T10:20:00Z",
            "2026-12-01T10:05:00Z",
        );
        assert!(
            store.login_failures("ana", "").expect("count").is_empty(),
            "[{}]",
            db.name
        );
        assert_eq!(store.login_failures("ghost", "").expect("count").len(), 1);
        store.clear_login_failures("GHOST").expect("clear");
        assert!(store.login_failures("ghost", "").expect("count").is_empty());
        assert_eq!(store.login_failures("bob", "").expect("count").len(), 1);
    }
}
