//! `meridian user …` on both backends: a user added with `--password-stdin`, listed, given a
//! token that is printed once (never by `user show`) and works until revoked, then disabled.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::{meridian, ok};

const PASSWORD: &str = "correct horse battery";

/// Runs `meridian` against `db` with `input` on its standard input.
fn with_stdin(db: &str, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .args(args)
        .env("MERIDIAN_DB", db)
        .env_remove("MERIDIAN_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the meridian binary runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .expect("writing stdin");
    child.wait_with_output().expect("meridian finishes")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(db: &str, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).expect("JSON output")
}

fn authenticates(db: &str, token: &str) -> Option<String> {
    let mut store = store::Store::open(db).expect("opening the store");
    app::users::authenticate_token(&mut store, token)
        .expect("authenticating")
        .map(|actor| actor.audit_name())
}

#[test]
fn user_add_list_token_show_revoke_disable() {
    for db in test_support::backends("cli user") {
        let url = db.url.as_str();
        let add = [
            "user",
            "add",
            "Ana",
            "--role",
            "analyst",
            "--password-stdin",
        ];
        let out = with_stdin(url, &add, &format!("{PASSWORD}\n"));
        assert!(out.status.success(), "[{}] {}", db.name, stderr(&out));
        assert!(
            stderr(&out).contains("user ana added (analyst)"),
            "{}",
            stderr(&out)
        );

        // Refusals name what is wrong.
        let out = with_stdin(url, &add, &format!("{PASSWORD}\n"));
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("already a user ana"),
            "{}",
            stderr(&out)
        );
        let short = ["user", "add", "bob", "--role", "admin", "--password-stdin"];
        let out = with_stdin(url, &short, "too short\n");
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("/password: the password has 9 characters"),
            "{}",
            stderr(&out)
        );
        let out = with_stdin(url, &["user", "add", "bob", "--role", "admin"], "");
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("--password-stdin"),
            "{}",
            stderr(&out)
        );
        let out = meridian(
            url,
            &["user", "add", "bob", "--role", "root", "--password-stdin"],
        );
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("expected admin, analyst"),
            "{}",
            stderr(&out)
        );

        let list = json(url, &["user", "list", "--json"]);
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(1),
            "[{}] {list}",
            db.name
        );
        assert_eq!(list[0]["name"], "ana");
        assert_eq!(list[0]["role"], "analyst");
        assert_eq!(list[0]["disabled"], false);
        assert!(ok(url, &["user", "list"]).contains("active"));

        // The token is printed once, alone on stdout, and works.
        let out = meridian(url, &["user", "token", "ana", "--label", "ci"]);
        assert!(out.status.success(), "[{}] {}", db.name, stderr(&out));
        let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(token.starts_with("mru_"), "{token}");
        assert!(stderr(&out).contains("shown once"), "{}", stderr(&out));
        assert_eq!(
            authenticates(url, &token).as_deref(),
            Some("user:ana"),
            "[{}]",
            db.name
        );

        let shown = json(url, &["user", "show", "ana", "--json"]);
        let id = shown["tokens"][0]["id"]
            .as_str()
            .expect("token id")
            .to_owned();
        assert!(token.contains(&id));
        assert_eq!(shown["tokens"][0]["label"], "ci");
        let plain = ok(url, &["user", "show", "ana"]);
        assert!(plain.contains(&id) && plain.contains("analyst"), "{plain}");
        for text in [shown.to_string(), plain] {
            assert!(!text.contains(&token), "user show prints the token: {text}");
        }

        ok(url, &["user", "token", "ana", "--revoke", &id]);
        assert_eq!(authenticates(url, &token), None, "[{}] revoked", db.name);
        let shown = json(url, &["user", "show", "ana", "--json"]);
        assert!(shown["tokens"][0]["revoked_at"].is_string(), "{shown}");
        let out = meridian(url, &["user", "token", "ana", "--revoke", &id]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("not found"), "{}", stderr(&out));

        // A new password from stdin; then disabled, the user's new token stops working.
        let out = with_stdin(
            url,
            &["user", "passwd", "ana", "--password-stdin"],
            "another long password\r\n",
        );
        assert!(out.status.success(), "[{}] {}", db.name, stderr(&out));
        let mut store = store::Store::open(url).expect("opening the store");
        let now = time::OffsetDateTime::now_utc();
        app::users::login(&mut store, "ana", "another long password", "cli test", now)
            .expect("the new password works");
        drop(store);
        let token = ok(url, &["user", "token", "ana"]).trim().to_owned();
        assert!(authenticates(url, &token).is_some());
        ok(url, &["user", "disable", "ana"]);
        assert_eq!(authenticates(url, &token), None, "[{}] disabled", db.name);
        assert_eq!(json(url, &["user", "list", "--json"])[0]["disabled"], true);
        let out = meridian(url, &["user", "disable", "nobody"]);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("user nobody not found"),
            "{}",
            stderr(&out)
        );
    }
}

/// The server's request log names who made each request: the user behind a user token, the
/// partner behind a partner token, and nobody for a request without credentials. The token
/// itself never appears.
#[test]
fn the_request_log_names_the_user_or_partner() {
    let db = test_support::backends("request_log").remove(0);
    let added = with_stdin(
        &db.url,
        &[
            "user",
            "add",
            "ana",
            "--role",
            "analyst",
            "--password-stdin",
        ],
        PASSWORD,
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let user_token = ok(&db.url, &["user", "token", "ana"]).trim().to_owned();
    ok(
        &db.url,
        &[
            "partner",
            "add",
            "cert-nl",
            "--name",
            "CERT-NL",
            "--country",
            "NL",
        ],
    );
    let partner_token = ok(&db.url, &["partner", "token", "cert-nl"])
        .trim()
        .to_owned();

    let server = crate::federation::Server::spawn_logging(&db.url, "warn,hub=info,tower_http=info");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let get = |path: &str, token: Option<&str>| {
        let mut request = agent.get(&server.url(path));
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        request
            .call()
            .expect("the server answers")
            .status()
            .as_u16()
    };
    assert_eq!(get("/api/v1/assets?limit=1", Some(&user_token)), 200);
    assert_eq!(get("/taxii2/", Some(&partner_token)), 200);
    assert_eq!(get("/api/v1/assets?limit=2", None), 401);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let log = loop {
        let log = server.log();
        if log.matches("finished processing request").count() >= 3
            || std::time::Instant::now() > deadline
        {
            break log;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let line = |needle: &str| {
        log.lines()
            .find(|l| l.contains(needle) && l.contains("finished processing request"))
            .unwrap_or_else(|| panic!("no request line for {needle}:\n{log}"))
            .to_owned()
    };
    assert!(line("limit=1").contains("actor=user:ana"), "{log}");
    assert!(line("/taxii2/").contains("actor=partner:cert-nl"), "{log}");
    assert!(!line("limit=2").contains("actor="), "{log}");
    assert!(
        !log.contains(&user_token) && !log.contains(&partner_token),
        "{log}"
    );
}
