//! The web UI at `/` through a real server on 127.0.0.1, on SQLite and PostgreSQL, over a
//! small demo world: every screen for the roles that may open it and refused (or redirected)
//! for the others, forms refused without the session's CSRF token, and a partner user who
//! never sees an object its TLP and agreements do not release.

use app::{Actor, Role};
use serde_json::Value;
use store::{NewStixObject, NotificationFilter, Store, Tlp};

use crate::common::{Hub, indicator};

/// A browser without redirects followed: status, Location, Set-Cookie and the page.
struct Page {
    status: u16,
    location: String,
    cookie: Option<String>,
    csp: String,
    cache: String,
    body: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn page(mut response: ureq::http::Response<ureq::Body>) -> Page {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let location = header("location");
    let csp = header("content-security-policy");
    let cache = header("cache-control");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_owned());
    Page {
        status: response.status().as_u16(),
        location,
        cookie,
        csp,
        cache,
        body: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn get(hub: &Hub, cookie: &str, path: &str) -> Page {
    page(
        agent()
            .get(hub.url(path))
            .header("Cookie", cookie)
            .call()
            .expect("the request completes"),
    )
}

fn post(hub: &Hub, cookie: &str, path: &str, form: &[(&str, &str)]) -> Page {
    let body = serde_urlencoded::to_string(form).expect("a form");
    page(
        agent()
            .post(hub.url(path))
            .header("Cookie", cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(body.as_str())
            .expect("the request completes"),
    )
}

/// A form's answer: a redirect to a page that says `notice`.
/// Also checks that the notice is sealed to the session: the same page without the seal, or
/// with the text changed under the seal, shows no notice.
fn redirected_with(hub: &Hub, cookie: &str, answer: &Page, notice: &str) {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let shown = get(hub, cookie, &answer.location);
    assert!(
        shown.body.contains(notice),
        "{notice:?} after the form: {}",
        shown.body
    );
    let (path, query) = answer.location.split_once('?').expect("a query");
    let unsealed: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("seal="))
        .collect();
    let forged: Vec<String> = query
        .split('&')
        .map(|p| match p.strip_prefix("done=") {
            Some(_) => "done=Call+%2B1+555+0100+to+keep+your+account".to_owned(),
            None => p.to_owned(),
        })
        .collect();
    for crafted in [
        format!("{path}?{}", unsealed.join("&")),
        format!("{path}?{}", forged.join("&")),
    ] {
        let page = get(hub, cookie, &crafted);
        assert_eq!(page.status, 200, "{crafted}");
        assert!(
            !page.body.contains("role=\"status\""),
            "{crafted} shows a notice: {}",
            page.body
        );
    }
}

/// A logged-in user: the session cookie and the CSRF token of its forms.
struct Session {
    cookie: String,
    csrf: String,
}

fn login(hub: &Hub, role: Role) -> Session {
    let name = format!("web-{}", role.as_str());
    let password = format!("{name}-password-long-enough");
    let opened = post(
        hub,
        "",
        "/login",
        &[("name", &name), ("password", &password), ("next", "/")],
    );
    assert_eq!(opened.status, 303, "{role}: {}", opened.body);
    let cookie = opened.cookie.expect("a session cookie");
    let start = if role == Role::Partner {
        "/portal"
    } else {
        "/"
    };
    let home = get(hub, &cookie, start);
    assert_eq!(home.status, 200, "{role}: {}", home.body);
    let csrf = home
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF field")
        .to_owned();
    Session { cookie, csrf }
}

/// The planted objects a partner must never see: TLP:RED, and TLP:AMBER for another partner.
const RED: &str = "indicator--00000000-0000-4000-8000-000000000901";
const AMBER: &str = "indicator--00000000-0000-4000-8000-000000000902";

/// The demo world (home US) with a stored ranking, a user per role (the partner user speaks for
/// `cert-de`) and two objects not released to `cert-de` in a collection it reads. Returns a
/// foreign asset of the ranking and the collection.
/// A server over the demo [`world`].
fn demo_hub(db: &test_support::TestDb) -> Hub {
    let mut store = Store::open(&db.url).expect("store");
    world(&mut store);
    drop(store);
    Hub::start(&db.url)
}

fn world(store: &mut Store) -> (String, String) {
    let local = Actor::Local("test".to_owned());
    app::demo::build(
        store,
        &local,
        &app::demo::DemoOptions {
            seed: 7,
            assets: 1000,
            home: *b"US",
            reset: true,
        },
        &(),
        &|_| Ok(()),
    )
    .expect("demo");
    let engine = app::analysis::Engine::load(store, *b"US", &()).expect("engine");
    let scores = app::analysis::scores(store, &engine, &()).expect("scores");
    let ranked = app::analysis::rank(store, &engine, &scores, true, &local).expect("rank");
    for role in Role::ALL {
        let name = format!("web-{}", role.as_str());
        app::users::add(
            store,
            &local,
            app::users::NewUser {
                password: format!("{name}-password-long-enough"),
                name,
                role,
                partner: (role == Role::Partner).then(|| "cert-de".to_owned()),
            },
        )
        .expect("add user");
    }
    for (name, countries) in [("taiwan", "TW"), ("gulf", "AE")] {
        let scenario = model::Scenario {
            name: name.to_owned(),
            description: String::new(),
            assets: Vec::new(),
            countries: vec![countries.to_owned()],
            circles: Vec::new(),
            cves: Vec::new(),
        };
        app::analysis::save_scenario(store, &scenario, &local).expect("a scenario");
    }
    let release = app::sharing::Release::load(store, "cert-de").expect("release");
    let readable = store
        .collections()
        .expect("collections")
        .into_iter()
        .find(|c| release.can_read(&c.id))
        .expect("the demo shares a collection with cert-de")
        .id;
    let red = indicator(901, "2026-02-01T00:00:00.000Z", Some(Tlp::Red));
    let amber = indicator(902, "2026-02-01T00:00:00.000Z", Some(Tlp::Amber));
    let texts = [red.to_string(), amber.to_string()];
    let fr = ["cert-fr".to_owned()];
    let rows = [
        (&red, Tlp::Red, &[] as &[String], &texts[0]),
        (&amber, Tlp::Amber, &fr[..], &texts[1]),
    ]
    .map(
        |(o, tlp, recipients, json): (&Value, Tlp, &[String], &String)| NewStixObject {
            object_id: o["id"].as_str().unwrap_or(""),
            object_type: "indicator",
            spec_version: "2.1",
            version: "2026-02-01T00:00:00.000Z",
            tlp: Some(tlp),
            recipients,
            submitter: None,
            source: None,
            json,
        },
    );
    store.add_objects(&readable, &rows).expect("add objects");
    (ranked.rows[0].asset.clone(), readable)
}

/// Every screen, by who may open it: `Some(true)` shown, `Some(false)` refused (403), `None`
/// sent elsewhere (303).
fn expected(role: Role, path: &str) -> Option<bool> {
    let staff = role != Role::Partner;
    match path {
        "/" if !staff => None,
        "/portal" => Some(!staff),
        p if p.starts_with("/admin") => Some(role == Role::Admin),
        "/coordination/new" => Some(matches!(role, Role::Admin | Role::Coordinator)),
        "/intel/cvd/new" => Some(matches!(role, Role::Admin | Role::Analyst)),
        p if p.starts_with("/scenarios") => Some(matches!(role, Role::Admin | Role::Analyst)),
        _ => Some(staff),
    }
}

#[test]
fn web_every_screen_by_role() {
    for db in test_support::backends("hub web screens") {
        let mut store = Store::open(&db.url).expect("store");
        let (asset, _) = world(&mut store);
        drop(store);
        let hub = Hub::start(&db.url);
        let asset_page = format!("/atlas/{asset}");
        let scenario = format!("/scenarios?assets={asset}");
        let screens = [
            "/",
            "/atlas",
            "/atlas?q=CABLE",
            "/map",
            asset_page.as_str(),
            "/priorities",
            "/priorities?country=de",
            "/intel",
            "/exchange",
            scenario.as_str(),
            "/coordination",
            "/coordination?kind=activity&partner=CERT-FR",
            "/coordination/new",
            "/coordination/deconfliction",
            "/measures",
            "/measures/2.3b",
            "/measures/review?quarter=2026Q3",
            "/portal",
            "/intel/false-positives",
            "/intel/cvd",
            "/intel/cvd?state=published",
            "/intel/cvd/new",
            "/scenarios/montecarlo",
            "/scenarios/montecarlo?trials=50&foreign_probability=0.02&seed=1",
            "/admin/users",
            "/admin/users?role=partner",
            "/admin/users/web-analyst",
            "/admin/audit",
            "/admin/audit?action=user.add",
            "/admin/audit/verify",
        ];
        let anonymous = get(&hub, "", "/priorities?country=DE");
        assert_eq!(anonymous.status, 303, "[{}]", db.name);
        assert_eq!(
            anonymous.location,
            "/login?next=%2Fpriorities%3Fcountry%3DDE"
        );
        for role in Role::ALL {
            let session = login(&hub, role);
            for path in screens {
                let shown = get(&hub, &session.cookie, path);
                assert!(
                    shown.csp.contains("default-src 'none'"),
                    "[{}] {role} {path}: {}",
                    db.name,
                    shown.csp
                );
                match expected(role, path) {
                    Some(true) => {
                        assert_eq!(
                            shown.status, 200,
                            "[{}] {role} {path}: {}",
                            db.name, shown.body
                        );
                        assert!(shown.body.contains("<main id=\"main\">"), "{path}");
                    }
                    Some(false) => assert_eq!(shown.status, 403, "[{}] {role} {path}", db.name),
                    None => assert_eq!(
                        (shown.status, shown.location.as_str()),
                        (303, "/portal"),
                        "[{}] {role} {path}",
                        db.name
                    ),
                }
            }
            // The navigation offers exactly the areas the role may open.
            let start = get(
                &hub,
                &session.cookie,
                if role == Role::Partner {
                    "/portal"
                } else {
                    "/"
                },
            );
            for (link, path) in [
                ("href=\"/atlas\"", "/atlas"),
                ("href=\"/scenarios\"", "/scenarios"),
                ("href=\"/portal\"", "/portal"),
                ("href=\"/admin/users\"", "/admin/users"),
            ] {
                assert_eq!(
                    start.body.contains(link),
                    expected(role, path) == Some(true),
                    "[{}] {role}: the link to {path}",
                    db.name
                );
            }
        }
        // The asset page explains the rank: the formula, the factors and the SVG graph.
        let analyst = login(&hub, Role::Analyst);
        let shown = get(&hub, &analyst.cookie, &asset_page);
        for part in [
            "Why it ranks here",
            "impact × (1 + exposure) × (1 + threat)",
            "<svg",
            "Rank <strong>1</strong>",
        ] {
            assert!(
                shown.body.contains(part),
                "[{}] {part} on {asset_page}",
                db.name
            );
        }
        // Each list exports the rows it shows as CSV.
        let csv = get(&hub, &analyst.cookie, "/priorities?country=de&format=csv");
        assert_eq!(csv.status, 200, "[{}] {}", db.name, csv.body);
        let mut lines = csv.body.lines();
        assert_eq!(
            lines.next(),
            Some("rank,movement,asset,country,impact,exposure,threat,priority")
        );
        assert!(lines.clone().count() > 0, "[{}] rows", db.name);
        assert!(
            lines.all(|l| l.split(',').nth(3) == Some("DE")),
            "[{}] only DE",
            db.name
        );
        let page = get(&hub, &analyst.cookie, "/priorities?country=de");
        assert!(
            page.body
                .contains("href=\"/priorities?country=de&amp;format=csv\""),
            "[{}]",
            db.name
        );
        let compared = get(
            &hub,
            &analyst.cookie,
            "/scenarios?scenario=taiwan&compare=gulf",
        );
        assert_eq!(compared.status, 200, "[{}] {}", db.name, compared.body);
        assert!(
            compared.body.contains("taiwan compared with gulf"),
            "[{}]",
            db.name
        );
        let missing = get(
            &hub,
            &analyst.cookie,
            "/scenarios?scenario=taiwan&compare=nope",
        );
        assert_eq!(missing.status, 404, "[{}]", db.name);
        let ran = get(&hub, &analyst.cookie, &scenario);
        assert!(
            ran.body.contains("assets fail at t = 0"),
            "[{}] {}",
            db.name,
            ran.body
        );
        let unknown = get(&hub, &analyst.cookie, "/atlas?country=XX");
        assert_eq!(unknown.status, 200);
        assert!(
            unknown.body.contains("unknown country &quot;XX&quot;"),
            "[{}]",
            db.name
        );
        assert_eq!(
            get(&hub, &analyst.cookie, "/atlas/nope:nothing").status,
            404
        );
    }
}

#[test]
fn web_forms_need_the_session_csrf_token() {
    for db in test_support::backends("hub web csrf") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        let own = app::notifications::list(
            &mut store,
            &NotificationFilter {
                partner_id: Some("cert-de".to_owned()),
                ..Default::default()
            },
        )
        .expect("notifications");
        let (notification, to) = own
            .iter()
            .find_map(|n| {
                ["acknowledged", "mitigated", "exploited"]
                    .into_iter()
                    .find(|to| exchange::notification::can_advance_named(&n.state, to))
                    .map(|to| (n.id.clone(), to))
            })
            .expect("a notification to cert-de the partner may report on");
        let findings = app::intel::with_context(&mut store, *b"US", &(), |store, context| {
            app::intel::findings(store, context, &Default::default())
        })
        .expect("findings");
        let finding = findings
            .rows
            .into_iter()
            .find(|f| f.active())
            .expect("a finding");
        drop(store);
        let hub = Hub::start(&db.url);

        let analyst = login(&hub, Role::Analyst);
        let mark = |csrf: &str| {
            post(
                &hub,
                &analyst.cookie,
                "/intel/false-positive",
                &[
                    ("csrf", csrf),
                    ("asset", &finding.asset),
                    ("cve", &finding.cve),
                    ("item", &finding.item),
                    ("note", "not ours"),
                ],
            )
        };
        assert_eq!(mark("").status, 403, "[{}] no token", db.name);
        assert_eq!(mark("forged").status, 403, "[{}] a wrong token", db.name);
        redirected_with(
            &hub,
            &analyst.cookie,
            &mark(&analyst.csrf),
            "Marked as a false positive",
        );
        let bad = post(
            &hub,
            &analyst.cookie,
            "/intel/false-positive",
            &[
                ("csrf", &analyst.csrf),
                ("asset", &finding.asset),
                ("cve", "CVE-nope"),
            ],
        );
        assert_eq!(bad.status, 422, "[{}] {}", db.name, bad.body);
        assert!(
            bad.body.contains("is not a vulnerability id"),
            "[{}]",
            db.name
        );
        let confirm = post(
            &hub,
            &analyst.cookie,
            "/intel/confirm",
            &[
                ("csrf", &analyst.csrf),
                ("asset", &finding.asset),
                ("cve", &finding.cve),
                ("item", &finding.item),
                ("note", "seen on site"),
            ],
        );
        redirected_with(&hub, &analyst.cookie, &confirm, "Confirmed");

        let partner = login(&hub, Role::Partner);
        let path = format!("/portal/notifications/{notification}");
        let refused = post(&hub, &partner.cookie, &path, &[("to", to)]);
        assert_eq!(refused.status, 403, "[{}]", db.name);
        let reported = post(
            &hub,
            &partner.cookie,
            &path,
            &[("csrf", &partner.csrf), ("to", to)],
        );
        redirected_with(
            &hub,
            &partner.cookie,
            &reported,
            &format!("Notification {notification} is now {to}."),
        );
        // The incident form fails like the partner API, next to the field, and stores nothing.
        let report = |severity: &str| {
            post(
                &hub,
                &partner.cookie,
                "/portal/incidents",
                &[
                    ("csrf", partner.csrf.as_str()),
                    ("assets", "fdc:de:erlangen-6"),
                    ("kind", "cyber"),
                    ("category", "intrusion"),
                    ("severity", severity),
                    ("occurred_at", "2026-01-03T08:00:00Z"),
                ],
            )
        };
        let refused = report("9");
        assert_eq!(refused.status, 422, "[{}] {}", db.name, refused.body);
        assert!(
            refused.body.contains("9 is not a severity 1..5"),
            "[{}]",
            db.name
        );
        redirected_with(
            &hub,
            &partner.cookie,
            &report("4"),
            "Incident report stored: INC-",
        );
        // An analyst may not report for a partner, token or not.
        let staff = post(
            &hub,
            &analyst.cookie,
            &path,
            &[("csrf", &analyst.csrf), ("to", "mitigated")],
        );
        assert_eq!(staff.status, 403, "[{}]", db.name);

        assert_eq!(post(&hub, &analyst.cookie, "/logout", &[]).status, 403);
        let out = post(&hub, &analyst.cookie, "/logout", &[("csrf", &analyst.csrf)]);
        assert_eq!((out.status, out.location.as_str()), (303, "/login"));
        assert_eq!(
            get(&hub, &analyst.cookie, "/").status,
            303,
            "[{}] the session has ended",
            db.name
        );
    }
}

#[test]
fn web_collection_page_shows_tlp_badges_through_the_release_decision() {
    for db in test_support::backends("hub web collection") {
        let mut store = Store::open(&db.url).expect("store");
        let (_, collection) = world(&mut store);
        drop(store);
        let hub = Hub::start(&db.url);
        let analyst = login(&hub, Role::Analyst);
        let overview = get(&hub, &analyst.cookie, "/exchange");
        assert!(
            overview
                .body
                .contains(&format!("href=\"/exchange/collections/{collection}\"")),
            "[{}] the exchange lists the collection",
            db.name
        );
        let path = format!("/exchange/collections/{collection}");
        let page = get(&hub, &analyst.cookie, &path);
        assert_eq!(page.status, 200, "[{}] {}", db.name, page.body);
        // The AMBER object for cert-fr is staff-readable and badged; the RED one names no
        // recipient, so no user sees it, staff included.
        assert!(page.body.contains(AMBER), "[{}] {}", db.name, page.body);
        assert!(page.body.contains("TLP:AMBER"), "[{}]", db.name);
        assert!(
            !page.body.contains(RED),
            "[{}] a RED object without recipients",
            db.name
        );
        let partner = login(&hub, Role::Partner);
        assert_eq!(
            get(&hub, &partner.cookie, &path).status,
            403,
            "[{}]",
            db.name
        );
        assert_eq!(
            get(&hub, &analyst.cookie, "/exchange/collections/nope").status,
            404,
            "[{}]",
            db.name
        );
    }
}

#[test]
fn web_partner_never_sees_unreleased_objects() {
    for db in test_support::backends("hub web release") {
        let mut store = Store::open(&db.url).expect("store");
        let (_, collection) = world(&mut store);
        let others: Vec<String> =
            app::notifications::list(&mut store, &NotificationFilter::default())
                .expect("notifications")
                .into_iter()
                .filter(|n| n.partner_id != "cert-de")
                .map(|n| n.id)
                .collect();
        assert!(!others.is_empty(), "the demo notifies other partners too");
        drop(store);
        let hub = Hub::start(&db.url);
        let partner = login(&hub, Role::Partner);
        let portal = get(&hub, &partner.cookie, "/portal");
        assert_eq!(portal.status, 200);
        assert!(
            portal.body.contains(&collection),
            "[{}] what is released is listed",
            db.name
        );
        for hidden in [RED, AMBER, "indicator 901", "indicator 902"] {
            assert!(
                !portal.body.contains(hidden),
                "[{}] {hidden} shown to cert-de",
                db.name
            );
        }
        for id in &others {
            assert!(
                !portal.body.contains(&format!("<code>{id}</code>")),
                "[{}] {id} of another partner",
                db.name
            );
        }
        for path in [
            "/atlas?q=indicator",
            "/exchange",
            "/intel?cve=CVE",
            "/priorities",
        ] {
            let refused = get(&hub, &partner.cookie, path);
            assert_eq!(refused.status, 403, "[{}] {path}", db.name);
            assert!(!refused.body.contains(RED) && !refused.body.contains(AMBER));
        }
        // Staff see the objects' notifications on the exchange board, the partner does not.
        let analyst = login(&hub, Role::Analyst);
        let board = get(&hub, &analyst.cookie, "/exchange");
        assert!(
            others.iter().all(|id| board.body.contains(id.as_str())),
            "[{}]",
            db.name
        );
    }
}

#[test]
fn web_dashboard_tells_what_changed_since_the_previous_login() {
    for db in test_support::backends("hub web changes") {
        let hub = demo_hub(&db);
        let first = login(&hub, Role::Analyst);
        let shown = get(&hub, &first.cookie, "/");
        assert!(
            shown.body.contains("This is your first visit"),
            "[{}]",
            db.name
        );

        let mut store = Store::open(&db.url).expect("store");
        let added = app::incidents::add(
            &mut store,
            &Actor::Local("test".to_owned()),
            app::incidents::NewIncident {
                partner: "cert-de".to_owned(),
                assets: vec!["fdc:de:erlangen-6".to_owned()],
                kind: store::IncidentKind::Cyber,
                category: "intrusion".to_owned(),
                occurred_at: app::incidents::now(),
                severity: 4,
                description: String::new(),
            },
        )
        .expect("an incident");
        drop(store);
        let second = login(&hub, Role::Analyst);
        let shown = get(&hub, &second.cookie, "/");
        assert!(
            shown.body.contains("Since your previous login"),
            "[{}]",
            db.name
        );
        assert!(
            shown
                .body
                .contains(&format!("<code>{}</code> on", added[0].0)),
            "[{}] the new incident is listed: {}",
            db.name,
            shown.body
        );
    }
}

/// The open deconfliction flags' ids, from the queue page.
fn open_flags(hub: &Hub, cookie: &str) -> Vec<String> {
    let queue = get(hub, cookie, "/coordination/deconfliction");
    assert_eq!(queue.status, 200, "{}", queue.body);
    queue
        .body
        .split("action=\"/coordination/deconfliction/")
        .skip(1)
        .filter_map(|rest| rest.split('/').next())
        .filter(|id| id.starts_with("FLAG-"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn web_coordinator_records_an_activity_resolves_a_flag_and_sets_a_target() {
    for db in test_support::backends("hub web coordination") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        let before = app::coordination::list(&mut store, Some("activity"))
            .expect("activities")
            .len();
        drop(store);
        let hub = Hub::start(&db.url);
        let coordinator = login(&hub, Role::Coordinator);
        let analyst = login(&hub, Role::Analyst);

        let register = get(&hub, &coordinator.cookie, "/coordination");
        assert!(
            register.body.contains("ACT-"),
            "[{}] {}",
            db.name,
            register.body
        );
        assert_eq!(
            get(&hub, &coordinator.cookie, "/coordination?kind=nope").status,
            400,
            "[{}]",
            db.name
        );
        // A refused activity: each problem beside its field, nothing stored.
        let activity = |end: &str, csrf: &str, cookie: &str| {
            post(
                &hub,
                cookie,
                "/coordination/activities",
                &[
                    ("csrf", csrf),
                    ("title", "Web test exercise"),
                    ("type", "exercise"),
                    ("office", "Web Office"),
                    ("partners", "cert-fr, cert-de"),
                    ("countries", "fr"),
                    ("objectives", "2.3"),
                    ("start", "2026-11-02"),
                    ("end", end),
                    ("status", "planned"),
                ],
            )
        };
        let refused = activity("2026-13-40", &coordinator.csrf, &coordinator.cookie);
        assert_eq!(refused.status, 422, "[{}] {}", db.name, refused.body);
        assert!(
            refused.body.contains("id=\"a-end-error\""),
            "[{}] the problem is beside the end date: {}",
            db.name,
            refused.body
        );
        assert!(
            refused.body.contains("value=\"Web test exercise\""),
            "[{}] the form keeps what was typed",
            db.name
        );
        assert_eq!(
            activity("2026-11-04", &analyst.csrf, &analyst.cookie).status,
            403,
            "[{}] analysts do not change the register",
            db.name
        );
        let stored = activity("2026-11-04", &coordinator.csrf, &coordinator.cookie);
        assert_eq!(stored.status, 303, "[{}] {}", db.name, stored.body);
        assert!(
            stored.location.starts_with("/coordination/records/ACT-"),
            "[{}] {}",
            db.name,
            stored.location
        );
        let shown = get(&hub, &coordinator.cookie, &stored.location);
        for part in ["Web test exercise", "cert-fr, cert-de", "FR", "Web Office"] {
            assert!(
                shown.body.contains(part),
                "[{}] {part}: {}",
                db.name,
                shown.body
            );
        }
        let mut store = Store::open(&db.url).expect("store");
        assert_eq!(
            app::coordination::list(&mut store, Some("activity"))
                .expect("activities")
                .len(),
            before + 1,
            "[{}] one activity stored, none by the refused forms",
            db.name
        );
        drop(store);

        // Resolving a flag: analysts may read the queue but not resolve; the note is required.
        let open = open_flags(&hub, &coordinator.cookie);
        assert!(!open.is_empty(), "[{}] the demo plants conflicts", db.name);
        let flag = &open[0];
        let path = format!("/coordination/deconfliction/{flag}/resolve");
        let resolve = |session: &Session, note: &str| {
            post(
                &hub,
                &session.cookie,
                &path,
                &[
                    ("csrf", session.csrf.as_str()),
                    ("resolution", "keep"),
                    ("note", note),
                ],
            )
        };
        assert_eq!(resolve(&analyst, "fine").status, 403, "[{}]", db.name);
        let no_note = resolve(&coordinator, " ");
        assert_eq!(no_note.status, 422, "[{}] {}", db.name, no_note.body);
        redirected_with(
            &hub,
            &coordinator.cookie,
            &resolve(&coordinator, "different audiences"),
            &format!("{flag} resolved: keep."),
        );
        assert!(
            !open_flags(&hub, &coordinator.cookie).contains(flag),
            "[{}] {flag} is no longer open",
            db.name
        );
        assert_eq!(resolve(&coordinator, "again").status, 409, "[{}]", db.name);

        // A target: set by the coordinator, shown on the measure, refused to the analyst.
        let target = |session: &Session, value: &str| {
            post(
                &hub,
                &session.cookie,
                "/measures/targets",
                &[
                    ("csrf", session.csrf.as_str()),
                    ("measure", "2.3b"),
                    ("quarter", "2026Q3"),
                    ("target", value),
                ],
            )
        };
        assert_eq!(target(&analyst, "80").status, 403, "[{}]", db.name);
        assert_eq!(
            target(&coordinator, "180").status,
            422,
            "[{}] a percentage above 100",
            db.name
        );
        redirected_with(
            &hub,
            &coordinator.cookie,
            &target(&coordinator, "80"),
            "Target of 2.3b for 2026Q3 set to 80.",
        );
        let measure = get(&hub, &analyst.cookie, "/measures/2.3b?quarter=2026Q3");
        assert!(
            measure.body.contains("<td>80</td>"),
            "[{}] {}",
            db.name,
            measure.body
        );
        assert!(
            measure.body.contains("<svg class=\"trend\""),
            "[{}]",
            db.name
        );
        let csv = get(
            &hub,
            &analyst.cookie,
            "/measures/2.3b?quarter=2026Q3&format=csv",
        );
        let mut lines = csv.body.lines();
        assert_eq!(
            lines.next(),
            Some("measure,quarter,record"),
            "[{}]",
            db.name
        );
        assert!(
            lines.all(|l| l.starts_with("2.3b,2026Q3,ASM-")),
            "[{}] 2.3b counts competency assessments",
            db.name
        );
        let review = get(&hub, &analyst.cookie, "/measures/review?quarter=2026Q3");
        assert_eq!(
            review.body.matches("<svg class=\"trend\"").count(),
            20,
            "[{}] every measure with its trend",
            db.name
        );
        assert_eq!(
            get(&hub, &analyst.cookie, "/measures/9.9z").status,
            404,
            "[{}]",
            db.name
        );
    }
}

#[test]
fn web_coordination_forms_refuse_forged_nul_and_oversized_posts_storing_nothing() {
    for db in test_support::backends("hub web coordination attacks") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        let count =
            |store: &mut Store| app::coordination::list(store, None).expect("records").len();
        let before = count(&mut store);
        let flags_before =
            app::coordination::deconflict::open_count(&mut store, &Actor::Local("test".to_owned()))
                .expect("flags");
        drop(store);
        let hub = Hub::start(&db.url);
        let coordinator = login(&hub, Role::Coordinator);
        let activity = |csrf: &str, title: &str| {
            post(
                &hub,
                &coordinator.cookie,
                "/coordination/activities",
                &[
                    ("csrf", csrf),
                    ("title", title),
                    ("type", "exercise"),
                    ("office", "Attack Office"),
                    ("partners", "cert-fr"),
                    ("objectives", "2.3"),
                    ("start", "2026-11-02"),
                    ("end", "2026-11-03"),
                    ("status", "planned"),
                ],
            )
        };
        assert_eq!(activity("", "x").status, 403, "[{}] no token", db.name);
        assert_eq!(
            activity("forged", "x").status,
            403,
            "[{}] a wrong token",
            db.name
        );
        let nul = activity(&coordinator.csrf, "bad\0title");
        assert_eq!(nul.status, 422, "[{}] {}", db.name, nul.body);
        let huge = "x".repeat(64 << 20);
        assert_eq!(
            activity(&coordinator.csrf, &huge).status,
            413,
            "[{}] a form over the body limit",
            db.name
        );
        // Resolving, running and targets with a forged token.
        for path in [
            "/coordination/deconfliction/run",
            "/coordination/deconfliction/FLAG-x/resolve",
            "/measures/targets",
            "/coordination/records/ACT-000001/delete",
        ] {
            let refused = post(&hub, &coordinator.cookie, path, &[("csrf", "forged")]);
            assert_eq!(refused.status, 403, "[{}] {path}", db.name);
        }
        let mut store = Store::open(&db.url).expect("store");
        assert_eq!(count(&mut store), before, "[{}] nothing stored", db.name);
        assert_eq!(
            app::coordination::deconflict::open_count(&mut store, &Actor::Local("test".to_owned()))
                .expect("flags"),
            flags_before,
            "[{}] no flag resolved",
            db.name
        );
    }
}

/// The fields of the web form that opens a CVD case, `country` and `embargo` as given.
fn cvd_form<'a>(csrf: &'a str, country: &'a str, embargo: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("title", "Web test router RCE"),
        ("cves", "cve-2026-0001, CVE-2026-0002"),
        ("reporter", "researcher@example.org"),
        ("vendor", "Acme"),
        ("vendor_country", country),
        ("vendor_csirt", "CERT-Bund"),
        ("products", "Acme/Router/<2.4.1\r\nAcme/Gateway/*"),
        ("embargo", embargo),
        ("tlp", "AMBER+STRICT"),
        ("remediation", "Update to 2.4.1"),
        ("notes", "working notes"),
    ]
}

#[test]
fn web_analyst_opens_advances_and_downloads_a_cvd_case() {
    for db in test_support::backends("hub web cvd") {
        let hub = demo_hub(&db);
        let analyst = login(&hub, Role::Analyst);
        let coordinator = login(&hub, Role::Coordinator);
        let partner = login(&hub, Role::Partner);
        let stored = || {
            let mut store = Store::open(&db.url).expect("store");
            app::cvd::cases(&mut store).expect("cases")
        };

        // Refused: no CSRF token, a coordinator, bad fields; nothing stored.
        let no_token = post(
            &hub,
            &analyst.cookie,
            "/intel/cvd",
            &cvd_form("", "DE", "2999-01-01"),
        );
        assert_eq!(no_token.status, 403, "[{}] {}", db.name, no_token.body);
        let coordinator_post = post(
            &hub,
            &coordinator.cookie,
            "/intel/cvd",
            &cvd_form(&coordinator.csrf, "DE", "2999-01-01"),
        );
        assert_eq!(coordinator_post.status, 403, "[{}]", db.name);
        let mut bad = cvd_form(&analyst.csrf, "Germany", "31/12/2999");
        bad[7] = ("products", "Acme/Router/<2.4.1\r\njust a name");
        let refused = post(&hub, &analyst.cookie, "/intel/cvd", &bad);
        assert_eq!(refused.status, 422, "[{}] {}", db.name, refused.body);
        for part in [
            "id=\"c-vendor_country-error\"",
            "id=\"c-embargo-error\"",
            "id=\"c-products-error\"",
            "value=\"Web test router RCE\"",
        ] {
            assert!(
                refused.body.contains(part),
                "[{}] {part}: {}",
                db.name,
                refused.body
            );
        }
        assert!(stored().is_empty(), "[{}] nothing stored", db.name);

        // Opened through the form.
        let opened = post(
            &hub,
            &analyst.cookie,
            "/intel/cvd",
            &cvd_form(&analyst.csrf, "de", "2999-01-01"),
        );
        assert_eq!(opened.status, 303, "[{}] {}", db.name, opened.body);
        let cases = stored();
        assert_eq!(cases.len(), 1, "[{}]", db.name);
        let case = &cases[0];
        assert_eq!(case.case.cves, ["CVE-2026-0001", "CVE-2026-0002"]);
        assert_eq!(case.case.vendor_country, "DE");
        assert_eq!(case.case.tlp, Tlp::AmberStrict);
        assert_eq!(case.case.products.len(), 2);
        let page = format!("/intel/cvd/{}", case.id);
        assert!(opened.location.starts_with(&page), "{}", opened.location);
        redirected_with(&hub, &analyst.cookie, &opened, "opened: reported");

        // Listed, filtered by state and exported; read by a coordinator, who may not move it.
        let list = get(&hub, &coordinator.cookie, "/intel/cvd");
        assert_eq!(list.status, 200, "[{}] {}", db.name, list.body);
        assert!(list.body.contains(&case.id) && list.body.contains("TLP:AMBER+STRICT"));
        let published = get(&hub, &coordinator.cookie, "/intel/cvd?state=published");
        assert!(!published.body.contains(&case.id), "[{}]", db.name);
        let csv = get(
            &hub,
            &coordinator.cookie,
            "/intel/cvd?state=reported&format=csv",
        );
        let mut lines = csv.body.lines();
        assert!(
            lines
                .next()
                .is_some_and(|h| h.starts_with("id,state,tlp,cves"))
        );
        assert_eq!(
            lines
                .next()
                .map(|l| l.split(',').take(3).collect::<Vec<_>>()),
            Some(vec![case.id.as_str(), "reported", "AMBER+STRICT"]),
            "[{}] {}",
            db.name,
            csv.body
        );
        let shown = get(&hub, &coordinator.cookie, &page);
        assert_eq!(shown.status, 200, "[{}] {}", db.name, shown.body);
        assert!(shown.body.contains("researcher@example.org"));
        assert!(
            !shown.body.contains("/advance"),
            "[{}] no move for a coordinator",
            db.name
        );
        let advance = format!("{page}/advance");
        let moved = |session: &Session, to: &str, force: &str| {
            post(
                &hub,
                &session.cookie,
                &advance,
                &[("csrf", &session.csrf), ("to", to), ("force", force)],
            )
        };
        assert_eq!(moved(&coordinator, "vendor_notified", "").status, 403);

        // Partners never see a CVD screen.
        for path in [
            "/intel/cvd",
            page.as_str(),
            &format!("{page}/csaf"),
            "/intel/cvd/new",
        ] {
            assert_eq!(
                get(&hub, &partner.cookie, path).status,
                403,
                "[{}] {path}",
                db.name
            );
        }
        assert_eq!(moved(&partner, "vendor_notified", "").status, 403);

        // Forward, then refused moves, each saying why on the case page.
        let forward = moved(&analyst, "vendor_notified", "");
        redirected_with(&hub, &analyst.cookie, &forward, "is now vendor notified");
        let back = moved(&analyst, "reported", "");
        // REST's status for a move back (409), the store's words on the case page.
        assert_eq!(back.status, 409, "[{}] {}", db.name, back.body);
        assert!(
            back.body.contains("The case was not moved") && back.body.contains("cannot move back"),
            "{}",
            back.body
        );
        let unknown = moved(&analyst, "done", "");
        assert_eq!(unknown.status, 422, "[{}] {}", db.name, unknown.body);
        assert!(
            unknown.body.contains("&quot;done&quot; is not a state"),
            "{}",
            unknown.body
        );
        let embargoed = moved(&analyst, "published", "");
        assert_eq!(embargoed.status, 409, "[{}]", db.name);
        assert!(
            embargoed.body.contains("under embargo until 2999-01-01"),
            "{}",
            embargoed.body
        );
        let no_token = post(
            &hub,
            &analyst.cookie,
            &advance,
            &[("to", "published"), ("force", "yes")],
        );
        assert_eq!(no_token.status, 403, "[{}]", db.name);
        assert_eq!(stored()[0].state, store::CvdState::VendorNotified);
        let csaf = format!("{page}/csaf");
        assert_eq!(
            get(&hub, &analyst.cookie, &csaf).status,
            409,
            "[{}] unpublished",
            db.name
        );

        // Published under a forced embargo: the advisory is REST's, byte for byte.
        let forced = moved(&analyst, "published", "yes");
        redirected_with(&hub, &analyst.cookie, &forced, "is now published");
        let download = get(&hub, &coordinator.cookie, &csaf);
        assert_eq!(download.status, 200, "[{}] {}", db.name, download.body);
        let rest = get(
            &hub,
            &coordinator.cookie,
            &format!("/api/v1/cvd/{}/csaf", case.id),
        );
        assert_eq!(rest.status, 200, "[{}] {}", db.name, rest.body);
        assert_eq!(download.body, rest.body, "[{}] the same advisory", db.name);
        let document: Value = serde_json::from_str(&download.body).expect("JSON");
        assert_eq!(document["document"]["tracking"]["id"], case.id.as_str());
        assert_eq!(
            document["document"]["distribution"]["tlp"]["label"],
            "AMBER"
        );
        let history: Vec<_> = stored()[0].history.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            history,
            [
                store::CvdState::Reported,
                store::CvdState::VendorNotified,
                store::CvdState::Published
            ],
            "[{}]",
            db.name
        );
        let timeline = get(&hub, &analyst.cookie, &page);
        assert!(
            timeline.body.contains("Download the advisory"),
            "[{}]",
            db.name
        );
        assert!(
            !timeline.body.contains("/advance"),
            "[{}] nowhere left to move",
            db.name
        );
    }
}

/// Of the active checked findings that `keep`, the one whose CVE has the fewest findings, so
/// that all of them are on one page of `/intel`.
fn lone_checked_finding(
    store: &mut Store,
    keep: impl Fn(&app::intel::FindingRow) -> bool,
) -> app::intel::FindingRow {
    let rows = app::intel::with_context(store, *b"US", &(), |store, context| {
        app::intel::findings(store, context, &Default::default())
    })
    .expect("findings")
    .rows;
    let per_cve = |cve: &str| rows.iter().filter(|r| r.cve == cve).count();
    rows.iter()
        .filter(|f| f.active() && f.state == app::intel::FindingState::Checked && keep(f))
        .min_by_key(|f| per_cve(&f.cve))
        .expect("a checked finding")
        .clone()
}

#[test]
fn web_analyst_unmarks_a_false_positive_and_it_is_triaged_again() {
    for db in test_support::backends("hub web unmark") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        let finding = lone_checked_finding(&mut store, |_| true);
        drop(store);
        let hub = Hub::start(&db.url);
        let analyst = login(&hub, Role::Analyst);
        let triaged = || {
            let csv = get(
                &hub,
                &analyst.cookie,
                &format!("/intel?cve={}&format=csv", finding.cve),
            );
            assert_eq!(csv.status, 200, "[{}] {}", db.name, csv.body);
            let mut lines = csv.body.lines();
            let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
            let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
            let (asset, item) = (column("asset"), column("item"));
            lines.any(|l| {
                let fields: Vec<&str> = l.split(',').collect();
                fields.get(asset) == Some(&finding.asset.as_str())
                    && fields.get(item) == Some(&finding.item.as_str())
            })
        };
        assert!(triaged(), "[{}] triaged before", db.name);
        let marked = post(
            &hub,
            &analyst.cookie,
            "/intel/false-positive",
            &[
                ("csrf", &analyst.csrf),
                ("asset", &finding.asset),
                ("cve", &finding.cve),
                ("item", &finding.item),
                ("note", "web test: not deployed"),
            ],
        );
        assert_eq!(marked.status, 303, "[{}] {}", db.name, marked.body);
        assert!(!triaged(), "[{}] hidden once marked", db.name);
        let listed = get(&hub, &analyst.cookie, "/intel/false-positives");
        assert_eq!(listed.status, 200, "[{}] {}", db.name, listed.body);
        assert!(
            listed.body.contains("web test: not deployed"),
            "{}",
            listed.body
        );
        assert!(
            listed.body.contains("action=\"/intel/unmark\""),
            "{}",
            listed.body
        );
        let csv = get(&hub, &analyst.cookie, "/intel/false-positives?format=csv");
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines.len(), 2, "[{}] {}", db.name, csv.body);
        assert_eq!(lines[0], "cve,asset,item,note,marked_at");
        assert!(
            lines[1].starts_with(&format!("{},{},", finding.cve, finding.asset))
                && lines[1].contains(",web test: not deployed,"),
            "[{}] {}",
            db.name,
            csv.body
        );
        let coordinator = login(&hub, Role::Coordinator);
        let read_only = get(&hub, &coordinator.cookie, "/intel/false-positives");
        assert!(read_only.body.contains("web test: not deployed"));
        assert!(
            !read_only.body.contains("/intel/unmark"),
            "[{}] coordinators do not unmark",
            db.name
        );

        let unmark = |session: &Session, csrf: &str| {
            post(
                &hub,
                &session.cookie,
                "/intel/unmark",
                &[
                    ("csrf", csrf),
                    ("asset", &finding.asset),
                    ("cve", &finding.cve),
                    ("item", &finding.item),
                ],
            )
        };
        assert_eq!(unmark(&analyst, "").status, 403, "[{}] no token", db.name);
        assert_eq!(
            unmark(&coordinator, &coordinator.csrf).status,
            403,
            "[{}]",
            db.name
        );
        assert!(!triaged(), "[{}] still marked after the refusals", db.name);
        let unmarked = unmark(&analyst, &analyst.csrf);
        redirected_with(
            &hub,
            &analyst.cookie,
            &unmarked,
            "No longer a false positive",
        );
        assert!(triaged(), "[{}] triaged again", db.name);
        assert!(
            get(&hub, &analyst.cookie, "/intel/false-positives")
                .body
                .contains("No finding is marked as a false positive."),
            "[{}]",
            db.name
        );
        assert_eq!(
            unmark(&analyst, &analyst.csrf).status,
            404,
            "[{}] nothing left to unmark",
            db.name
        );
        let mut store = Store::open(&db.url).expect("store");
        let removed = store
            .audit_list(&store::AuditFilter {
                actor: None,
                action: Some("finding.false_positive_removed".to_owned()),
                after: None,
                limit: 10,
            })
            .expect("audit");
        assert!(
            removed.len() == 1 && removed[0].actor.contains("web-analyst"),
            "[{}] audited: {removed:?}",
            db.name
        );
    }
}

/// The row of the table `id` on `page` whose cells include `<code>key</code>`.
#[test]
fn web_intel_marks_a_finding_under_investigation_with_its_note() {
    for db in test_support::backends("hub web investigation") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        // On a purl or CPE: what VEX statements name.
        let finding = lone_checked_finding(&mut store, |f| {
            f.item.starts_with("pkg:") || f.item.starts_with("cpe:")
        });
        assert!(finding.under_investigation.is_none(), "[{}]", db.name);
        let vex = serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.org/vex/web-investigation",
            "author": "vendor PSIRT",
            "timestamp": "2099-01-01T00:00:00Z",
            "version": 1,
            "statements": [{
                "vulnerability": { "name": finding.cve },
                "products": [{ "@id": finding.item }],
                "status": "under_investigation",
                "impact_statement": "web test: the vendor is reproducing it",
            }],
        });
        app::intel::import_documents(
            &mut store,
            vec![(
                "vex.json".to_owned(),
                serde_json::to_vec(&vex).expect("JSON"),
            )],
            None,
            &(),
            &Actor::Local("test".to_owned()),
        )
        .expect("the OpenVEX document imports");
        drop(store);
        let hub = Hub::start(&db.url);
        let analyst = login(&hub, Role::Analyst);
        let page = get(
            &hub,
            &analyst.cookie,
            &format!("/intel?cve={}", finding.cve),
        );
        assert_eq!(page.status, 200, "[{}] {}", db.name, page.body);
        let marked = page
            .body
            .split("<tr>")
            .find(|row| row.contains(&format!("<code>{}</code>", finding.item)))
            .unwrap_or_else(|| panic!("[{}] no row for {}: {}", db.name, finding.item, page.body));
        assert!(
            marked.contains("<strong>Under investigation</strong> by")
                && marked.contains("web test: the vendor is reproducing it"),
            "[{}] {marked}",
            db.name
        );
    }
}

fn table_row<'a>(page: &'a str, id: &str, key: &str) -> Option<&'a str> {
    let table = page
        .split(&format!("<table class=\"list\" id=\"{id}\">"))
        .nth(1)
        .or_else(|| page.split(&format!("<table id=\"{id}\">")).nth(1))?;
    let table = table.split("</table>").next()?;
    table
        .split("<tr>")
        .find(|row| row.contains(&format!("<code>{key}</code>")))
}

#[test]
fn web_analyst_saves_a_circle_scenario_and_runs_montecarlo() {
    for db in test_support::backends("hub web scenarios") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        let engine = app::analysis::Engine::load(&mut store, *b"US", &()).expect("engine");
        let located = (0..engine.atlas.asset_count() as u32)
            .find(|&a| {
                !engine.atlas.lat[a as usize].is_nan() && !engine.atlas.lon[a as usize].is_nan()
            })
            .expect("a located asset");
        let (id, lat, lon) = (
            engine.id(located).to_owned(),
            f64::from(engine.atlas.lat[located as usize]),
            f64::from(engine.atlas.lon[located as usize]),
        );
        let circle = format!("{lat},{lon},1");
        let scenario = model::Scenario {
            circles: vec![model::Circle::parse(&circle).expect("a circle")],
            ..Default::default()
        };
        let expected =
            app::analysis::run_scenario(&engine, &scenario, &Default::default()).expect("run");
        let (trials, p, seed) = (300, 0.05, 7);
        let carlo = app::analysis::montecarlo(
            &engine,
            &app::analysis::Probabilities::Foreign { p, scores: None },
            trials,
            seed,
            &(),
        )
        .expect("monte carlo");
        drop(store);
        let hub = Hub::start(&db.url);
        let analyst = login(&hub, Role::Analyst);

        // A circle fails the located assets inside it, the same ones the use case fails.
        let ran = get(
            &hub,
            &analyst.cookie,
            &format!("/scenarios?circles={}", circle.replace(',', "%2C")),
        );
        assert_eq!(ran.status, 200, "[{}] {}", db.name, ran.body);
        assert!(expected.initial >= 1, "[{}] {id} is in its circle", db.name);
        for part in [
            format!("{} assets fail at t = 0", expected.initial),
            format!("href=\"/atlas/{id}\""),
            "on the world map".to_owned(),
            "Save this scenario".to_owned(),
        ] {
            assert!(
                ran.body.contains(&part),
                "[{}] {part}: {}",
                db.name,
                ran.body
            );
        }
        // A circle off the Earth: 422, the problem beside the field, nothing run.
        let bad = get(
            &hub,
            &analyst.cookie,
            "/scenarios?circles=91%2C0%2C10&assets=x",
        );
        assert_eq!(bad.status, 422, "[{}] {}", db.name, bad.body);
        assert!(
            bad.body.contains("id=\"f-circles-error\""),
            "[{}] {}",
            db.name,
            bad.body
        );
        assert!(bad.body.contains("latitude in [-90, 90]"), "[{}]", db.name);
        assert!(!bad.body.contains("assets fail at t = 0"), "[{}]", db.name);
        let unread = get(&hub, &analyst.cookie, "/scenarios?circles=north");
        assert_eq!(unread.status, 422, "[{}]", db.name);
        assert!(
            unread.body.contains("expected LAT,LON,RADIUS_KM"),
            "[{}]",
            db.name
        );

        // Saving: refused without the token and for a partner, stored for an analyst.
        let listed = |hub: &Hub| -> Vec<Value> {
            let body = get(hub, &analyst.cookie, "/api/v1/scenarios?limit=100").body;
            let page: Value = serde_json::from_str(&body).expect("a page of scenarios");
            page["items"].as_array().cloned().unwrap_or_default()
        };
        let named = |hub: &Hub, name: &str| listed(hub).into_iter().find(|s| s["name"] == name);
        let save = |session: &Session, csrf: &str, name: &str| {
            post(
                &hub,
                &session.cookie,
                "/scenarios/save",
                &[
                    ("csrf", csrf),
                    ("name", name),
                    ("description", "around one asset"),
                    ("circles", &circle),
                    ("countries", "tw"),
                ],
            )
        };
        let forged = save(&analyst, "forged", "web-circle");
        assert_eq!(forged.status, 403, "[{}] {}", db.name, forged.body);
        let partner = login(&hub, Role::Partner);
        let refused = save(&partner, &partner.csrf, "web-circle");
        assert_eq!(refused.status, 403, "[{}] {}", db.name, refused.body);
        assert!(
            named(&hub, "web-circle").is_none(),
            "[{}] nothing stored",
            db.name
        );
        let invalid = post(
            &hub,
            &analyst.cookie,
            "/scenarios/save",
            &[
                ("csrf", &analyst.csrf),
                ("name", " "),
                ("countries", "XX"),
                ("circles", &circle),
            ],
        );
        assert_eq!(invalid.status, 422, "[{}] {}", db.name, invalid.body);
        for part in [
            "id=\"s-name-error\"",
            "a scenario needs a name",
            "id=\"f-countries-error\"",
            "&quot;XX&quot; is not an ISO 3166-1 alpha-2 country code",
        ] {
            assert!(
                invalid.body.contains(part),
                "[{}] {part}: {}",
                db.name,
                invalid.body
            );
        }
        assert_eq!(listed(&hub).len(), 2, "[{}] nothing stored", db.name);
        let saved = save(&analyst, &analyst.csrf, "web-circle");
        redirected_with(&hub, &analyst.cookie, &saved, "Scenario web-circle saved.");
        let stored = named(&hub, "web-circle").expect("saved");
        assert_eq!(stored["description"], "around one asset");
        assert_eq!(stored["countries"], serde_json::json!(["TW"]));
        assert_eq!(stored["circles"][0]["radius_km"], 1.0);
        let page = get(&hub, &analyst.cookie, &saved.location);
        assert!(
            page.body
                .contains("action=\"/scenarios/web-circle/delete\""),
            "[{}] {}",
            db.name,
            page.body
        );
        let mut store = Store::open(&db.url).expect("store");
        let audit = |store: &mut Store, action: &str| {
            app::audit::list(
                store,
                &store::AuditFilter {
                    action: Some(action.to_owned()),
                    limit: 100,
                    ..Default::default()
                },
            )
            .expect("audit")
            .into_iter()
            .filter(|e| e.object_ids == ["web-circle"] && e.actor.contains("web-analyst"))
            .count()
        };
        assert_eq!(audit(&mut store, "scenario.save"), 1, "[{}]", db.name);

        // Deleting: refused without the token, then gone.
        let kept = post(&hub, &analyst.cookie, "/scenarios/web-circle/delete", &[]);
        assert_eq!(kept.status, 403, "[{}]", db.name);
        assert!(named(&hub, "web-circle").is_some(), "[{}]", db.name);
        let deleted = post(
            &hub,
            &analyst.cookie,
            "/scenarios/web-circle/delete",
            &[("csrf", &analyst.csrf)],
        );
        redirected_with(
            &hub,
            &analyst.cookie,
            &deleted,
            "Scenario web-circle deleted.",
        );
        assert!(named(&hub, "web-circle").is_none(), "[{}]", db.name);
        assert_eq!(audit(&mut store, "scenario.delete"), 1, "[{}]", db.name);
        drop(store);

        // Monte Carlo: the numbers of the use case (as the command line prints them).
        let shown = get(
            &hub,
            &analyst.cookie,
            &format!("/scenarios/montecarlo?trials={trials}&foreign_probability={p}&seed={seed}"),
        );
        assert_eq!(shown.status, 200, "[{}] {}", db.name, shown.body);
        let percent = |x: f64| format!("{:.2}%", x * 100.0);
        let degraded: Vec<_> = carlo
            .ncf
            .iter()
            .filter(|n| n.degradation.p95 > 0.0)
            .collect();
        assert!(!degraded.is_empty(), "[{}] some NCF degraded", db.name);
        assert!(shown.body.contains("<svg class=\"chart\""), "[{}]", db.name);
        assert!(
            shown
                .body
                .contains(&format!("mean <strong>{:.4}</strong>", carlo.impact.mean)),
            "[{}] {}",
            db.name,
            shown.body
        );
        for n in &degraded {
            let row = table_row(&shown.body, "mc-ncf", n.ncf)
                .unwrap_or_else(|| panic!("[{}] a row for {}", db.name, n.ncf));
            let d = &n.degradation;
            let cells = format!(
                "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                percent(d.mean),
                percent(d.p5),
                percent(d.p95)
            );
            assert!(row.contains(&cells), "[{}] {}: {row}", db.name, n.ncf);
        }
        assert_eq!(
            shown
                .body
                .split("mc-ncf")
                .nth(1)
                .unwrap_or("")
                .split("</table>")
                .next()
                .unwrap_or("")
                .matches("<tr>")
                .count(),
            degraded.len() + 1,
            "[{}] one row per degraded NCF",
            db.name
        );
        assert!(!carlo.asset_failure_share.is_empty(), "[{}]", db.name);
        for s in carlo.asset_failure_share.iter().take(20) {
            let row = table_row(&shown.body, "mc-assets", &s.asset)
                .unwrap_or_else(|| panic!("[{}] a row for {}", db.name, s.asset));
            assert!(row.contains(&percent(s.share)), "[{}] {}", db.name, s.asset);
        }
        // Beyond the page's bound, or not a number: 422 beside the field, nothing run.
        for (query, field, message) in [
            (
                "trials=2001&foreign_probability=0.01&seed=1",
                "m-trials",
                "trials 2001 is not in 1..=2000",
            ),
            (
                "trials=ten&foreign_probability=0.01&seed=1",
                "m-trials",
                "&quot;ten&quot; is not a whole number",
            ),
            (
                "trials=10&foreign_probability=1.5&seed=1",
                "m-foreign_probability",
                "1.5 is not in [0, 1]",
            ),
        ] {
            let refused = get(
                &hub,
                &analyst.cookie,
                &format!("/scenarios/montecarlo?{query}"),
            );
            assert_eq!(refused.status, 422, "[{}] {query}", db.name);
            assert!(
                refused.body.contains(&format!("id=\"{field}-error\"")),
                "[{}] {query}",
                db.name
            );
            assert!(
                refused.body.contains(message),
                "[{}] {query}: {}",
                db.name,
                refused.body
            );
            assert!(!refused.body.contains("mc-ncf"), "[{}] {query}", db.name);
        }
    }
}

#[test]
fn web_overdue_notifications_stand_out_on_the_board_the_dashboard_and_the_portal() {
    for db in test_support::backends("hub web overdue") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        let local = Actor::Local("test".to_owned());
        let drafted = app::notifications::list(
            &mut store,
            &NotificationFilter {
                state: Some("drafted".to_owned()),
                ..NotificationFilter::default()
            },
        )
        .expect("notifications");
        // The oldest draft, sent when it was drafted (days ago): with one day to acknowledge,
        // its acknowledgement is late.
        let oldest = drafted
            .iter()
            .min_by_key(|n| n.reached("drafted").map(str::to_owned))
            .expect("the demo drafts notifications");
        let late = &oldest.id;
        let drafted_at = oldest.reached("drafted").expect("drafted at").to_owned();
        app::partners::set_setting(&mut store, &local, "acknowledge_days", "1").expect("setting");
        app::notifications::send(
            &mut store,
            &local,
            app::notifications::Sending::One(late.clone()),
            &drafted_at,
        )
        .expect("send");
        let now = time::OffsetDateTime::now_utc();
        let tracked =
            app::notifications::tracked(&mut store, &NotificationFilter::default(), now, &())
                .expect("tracked");
        let overdue: Vec<&str> = tracked
            .iter()
            .filter(|t| t.overdue)
            .map(|t| t.notification.id.as_str())
            .collect();
        assert!(
            overdue.contains(&late.as_str()),
            "[{}] {overdue:?}",
            db.name
        );
        let due = tracked
            .iter()
            .find(|t| &t.notification.id == late)
            .and_then(|t| t.owed())
            .expect("due")
            .by;
        let partners = tracked
            .iter()
            .find(|t| t.notification.partner_id == "cert-de" && t.due.is_some())
            .expect("the demo has a sent notification for cert-de")
            .clone();
        drop(store);
        let hub = Hub::start(&db.url);

        let analyst = login(&hub, Role::Analyst);
        let board = get(&hub, &analyst.cookie, "/exchange").body;
        let card = board
            .split("<article class=\"card")
            .find(|c| c.contains(&format!("<code>{late}</code>")))
            .expect("the card");
        assert!(card.starts_with(" overdue\""), "[{}] {card}", db.name);
        assert!(card.contains("Overdue: "), "[{}] in words too", db.name);
        assert!(
            card.contains(&format!("due by {due}")),
            "[{}] {card}",
            db.name
        );
        assert_eq!(
            board.matches("<article class=\"card overdue\"").count(),
            overdue.len(),
            "[{}] every overdue card and no other",
            db.name
        );

        let dashboard = get(&hub, &analyst.cookie, "/").body;
        assert!(
            dashboard.contains(&format!("Overdue ({})", overdue.len())),
            "[{}] {dashboard}",
            db.name
        );
        assert!(
            overdue.len() > 10 || dashboard.contains(&format!("<code>{late}</code>")),
            "[{}] listed, most late first",
            db.name
        );

        let partner = login(&hub, Role::Partner);
        let portal = get(&hub, &partner.cookie, "/portal").body;
        let row = portal
            .split("<tr")
            .find(|r| r.contains(&format!("<code>{}</code>", partners.notification.id)))
            .expect("the partner's row");
        let app::notifications::Owed { awaited, by } = partners.owed().expect("due");
        assert!(
            row.contains(&format!("{awaited} due by {by}")),
            "[{}] {row}",
            db.name
        );
        assert_eq!(
            row.contains("Overdue: "),
            partners.overdue,
            "[{}] {row}",
            db.name
        );
    }
}

#[test]
fn web_montecarlo_waits_for_a_turn_no_longer_than_a_synchronous_call() {
    for db in test_support::backends("hub web montecarlo turn") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        drop(store);
        // One long work at a time, and a short wait for it.
        let hub = Hub::start_with(&db.url, |o| {
            o.max_jobs = 1;
            o.sync_wait = std::time::Duration::from_millis(50);
        });
        let analyst = login(&hub, Role::Analyst);
        // The login's dashboard built the server's engine: an atlas write makes the study that
        // takes the turn rebuild it, so that it holds the turn far longer than 50 ms.
        let mut store = Store::open(&db.url).expect("store");
        let mut atlas = store.export_atlas().expect("export");
        atlas.assets.push(model::Asset {
            id: "site:extra".to_owned(),
            ..atlas.assets[0].clone()
        });
        store.import(&atlas).expect("import");
        // Three studies at once: one takes the turn, and the others are told the server is
        // busy instead of waiting without bound.
        let study = "/scenarios/montecarlo?trials=2000&foreign_probability=0.5&seed=3";
        let pages: Vec<Page> = std::thread::scope(|scope| {
            let running: Vec<_> = (0..3)
                .map(|_| scope.spawn(|| get(&hub, &analyst.cookie, study)))
                .collect();
            running
                .into_iter()
                .map(|r| r.join().expect("a request"))
                .collect()
        });
        let mut statuses: Vec<u16> = pages.iter().map(|p| p.status).collect();
        statuses.sort_unstable();
        statuses.dedup();
        assert_eq!(statuses, [200, 503], "[{}]", db.name);
        let busy = pages.iter().find(|p| p.status == 503).expect("busy");
        assert!(
            busy.body.contains("POST /api/v1/analysis/montecarlo"),
            "[{}] {}",
            db.name,
            busy.body
        );
    }
}

/// A login of `name` with `password`: the session cookie, or `None` when refused.
fn log_in(hub: &Hub, name: &str, password: &str) -> Option<String> {
    let opened = post(
        hub,
        "",
        "/login",
        &[("name", name), ("password", password), ("next", "/")],
    );
    (opened.status == 303).then_some(opened.cookie).flatten()
}

/// A REST call with a bearer token: its status.
fn bearer_status(hub: &Hub, token: &str, path: &str) -> u16 {
    agent()
        .get(hub.url(path))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("the request completes")
        .status()
        .as_u16()
}

/// The admin area's forms, each with the fields it needs (the CSRF token added by the caller).
fn admin_forms(token_id: &str) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    vec![
        (
            "/admin/users".to_owned(),
            vec![
                ("name", "intruder"),
                ("role", "admin"),
                ("partner", ""),
                ("password", "intruder-password-long"),
            ],
        ),
        (
            "/admin/users/web-analyst/disable".to_owned(),
            vec![("confirm", "yes")],
        ),
        (
            "/admin/users/web-analyst/password".to_owned(),
            vec![("password", "taken-over-password")],
        ),
        (
            "/admin/users/web-analyst/tokens".to_owned(),
            vec![("label", "stolen")],
        ),
        (
            format!("/admin/users/web-admin/tokens/{token_id}/revoke"),
            vec![],
        ),
    ]
}

#[test]
fn web_admin_area_is_for_administrators_only() {
    for db in test_support::backends("hub web admin roles") {
        let mut store = Store::open(&db.url).expect("store");
        world(&mut store);
        let local = Actor::Local("test".to_owned());
        let kept = app::users::issue_token(&mut store, &local, "web-admin", "kept")
            .expect("a token of the administrator");
        drop(store);
        let hub = Hub::start(&db.url);
        let pages = [
            "/admin/users",
            "/admin/users?format=csv",
            "/admin/users/web-analyst",
            "/admin/audit",
            "/admin/audit?format=csv",
            "/admin/audit/verify",
        ];
        let admin = login(&hub, Role::Admin);
        for path in pages {
            let shown = get(&hub, &admin.cookie, path);
            assert_eq!(
                shown.status, 200,
                "[{}] admin {path}: {}",
                db.name, shown.body
            );
        }
        for role in [Role::Analyst, Role::Coordinator, Role::Partner] {
            let session = login(&hub, role);
            for path in pages {
                let shown = get(&hub, &session.cookie, path);
                assert_eq!(shown.status, 403, "[{}] {role} {path}", db.name);
                assert!(
                    !shown.body.contains("<table") && !shown.body.contains("web-admin,admin"),
                    "[{}] {role} {path}: {}",
                    db.name,
                    shown.body
                );
            }
            for (path, fields) in admin_forms(&kept.id) {
                let mut form = vec![("csrf", session.csrf.as_str())];
                form.extend(fields);
                let answer = post(&hub, &session.cookie, &path, &form);
                assert_eq!(answer.status, 403, "[{}] {role} POST {path}", db.name);
            }
            let start = get(
                &hub,
                &session.cookie,
                if role == Role::Partner {
                    "/portal"
                } else {
                    "/"
                },
            );
            assert!(
                !start.body.contains("href=\"/admin/users\""),
                "[{}] {role}: no Admin in the navigation",
                db.name
            );
        }
        // Nothing of the refused forms was done.
        let listed = get(&hub, &admin.cookie, "/admin/users?format=csv");
        assert!(!listed.body.contains("intruder"), "[{}]", db.name);
        assert!(
            listed.body.contains("web-analyst,analyst,,no,"),
            "[{}]",
            db.name
        );
        assert!(
            log_in(&hub, "web-analyst", "web-analyst-password-long-enough").is_some(),
            "[{}] the analyst's password is unchanged",
            db.name
        );
        assert_eq!(bearer_status(&hub, &kept.token, "/api/v1/assets"), 200);
        let user_page = get(&hub, &admin.cookie, "/admin/users/web-analyst");
        assert!(!user_page.body.contains("stolen"), "[{}]", db.name);
        let audit = get(&hub, &admin.cookie, "/admin/audit?format=csv");
        for refused in [
            "user.disable",
            "user.password",
            "user.token.revoke",
            "user.token.issue,web-analyst",
            "intruder",
        ] {
            assert!(!audit.body.contains(refused), "[{}] {refused}", db.name);
        }
        // The administrator's navigation has the area.
        let start = get(&hub, &admin.cookie, "/");
        assert!(
            start.body.contains("href=\"/admin/users\""),
            "[{}]",
            db.name
        );
    }
}

#[test]
fn web_admin_adds_a_user_issues_and_revokes_a_token_and_disables_the_user() {
    for db in test_support::backends("hub web admin users") {
        let hub = demo_hub(&db);
        let admin = login(&hub, Role::Admin);
        let csrf = admin.csrf.as_str();
        let users_csv = || get(&hub, &admin.cookie, "/admin/users?format=csv").body;
        let before = users_csv();

        // Their own account offers no Disable, and a forged one is refused.
        let own = get(&hub, &admin.cookie, "/admin/users/web-admin");
        assert_eq!(own.status, 200, "[{}]", db.name);
        assert!(
            !own.body
                .contains("action=\"/admin/users/web-admin/disable\""),
            "[{}]",
            db.name
        );
        let forged = post(
            &hub,
            &admin.cookie,
            "/admin/users/web-admin/disable",
            &[("csrf", csrf), ("confirm", "yes")],
        );
        assert_eq!(forged.status, 409, "[{}] {}", db.name, forged.body);
        assert_eq!(
            get(&hub, &admin.cookie, "/").status,
            200,
            "[{}] still in",
            db.name
        );

        // A bad form: each problem beside its field, nothing stored.
        let bad = post(
            &hub,
            &admin.cookie,
            "/admin/users",
            &[
                ("csrf", csrf),
                ("name", "Not A Name!"),
                ("role", "partner"),
                ("partner", ""),
                ("password", "short"),
            ],
        );
        assert_eq!(bad.status, 422, "[{}] {}", db.name, bad.body);
        for field in ["u-name-error", "u-partner-error", "u-password-error"] {
            assert!(
                bad.body.contains(&format!("id=\"{field}\"")),
                "[{}] {field}",
                db.name
            );
        }
        assert!(bad.body.contains("at least 12 are needed"), "[{}]", db.name);
        assert!(
            bad.body.contains("value=\"Not A Name!\""),
            "[{}] kept",
            db.name
        );
        assert!(
            !bad.body.contains("value=\"short\""),
            "[{}] no password back",
            db.name
        );
        // A taken name: 409, beside the name.
        let taken = post(
            &hub,
            &admin.cookie,
            "/admin/users",
            &[
                ("csrf", csrf),
                ("name", "web-analyst"),
                ("role", "analyst"),
                ("password", "another-long-password"),
            ],
        );
        assert_eq!(taken.status, 409, "[{}] {}", db.name, taken.body);
        assert!(taken.body.contains("id=\"u-name-error\""), "[{}]", db.name);
        // Without the CSRF token: refused.
        let forged = post(
            &hub,
            &admin.cookie,
            "/admin/users",
            &[
                ("name", "ops-analyst"),
                ("role", "analyst"),
                ("password", "ops-analyst-password"),
            ],
        );
        assert_eq!(forged.status, 403, "[{}]", db.name);
        assert_eq!(users_csv(), before, "[{}] nothing stored", db.name);

        // Added, then it logs in.
        let added = post(
            &hub,
            &admin.cookie,
            "/admin/users",
            &[
                ("csrf", csrf),
                ("name", "ops-analyst"),
                ("role", "analyst"),
                ("partner", ""),
                ("password", "ops-analyst-password"),
            ],
        );
        redirected_with(
            &hub,
            &admin.cookie,
            &added,
            "User ops-analyst added as analyst.",
        );
        // The notice is sealed to the session that made the change: another session of the
        // same user, shown the same link, sees no notice.
        let other = login(&hub, Role::Admin);
        let elsewhere = get(&hub, &other.cookie, &added.location);
        assert_eq!(elsewhere.status, 200, "[{}]", db.name);
        assert!(
            !elsewhere.body.contains("added as analyst"),
            "[{}] {}",
            db.name,
            elsewhere.body
        );
        assert!(
            users_csv().contains("ops-analyst,analyst,,no,"),
            "[{}]",
            db.name
        );
        assert!(log_in(&hub, "ops-analyst", "ops-analyst-password").is_some());
        let partner = post(
            &hub,
            &admin.cookie,
            "/admin/users",
            &[
                ("csrf", csrf),
                ("name", "ops-partner"),
                ("role", "partner"),
                ("partner", "cert-de"),
                ("password", "ops-partner-password"),
            ],
        );
        assert_eq!(partner.status, 303, "[{}] {}", db.name, partner.body);
        assert!(
            users_csv().contains("ops-partner,partner,cert-de,no,"),
            "[{}]",
            db.name
        );

        // A token: its secret once, on the answer only, not cached; it authenticates.
        let issued = post(
            &hub,
            &admin.cookie,
            "/admin/users/ops-analyst/tokens",
            &[("csrf", csrf), ("label", "ci")],
        );
        assert_eq!(issued.status, 200, "[{}] {}", db.name, issued.body);
        assert_eq!(issued.cache, "no-store", "[{}]", db.name);
        assert!(
            issued.body.contains("it is not shown again"),
            "[{}]",
            db.name
        );
        let token: String = issued
            .body
            .split("mru_")
            .nth(1)
            .map(|rest| {
                let tail: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                format!("mru_{tail}")
            })
            .expect("the token on the page");
        assert_eq!(issued.body.matches(&token).count(), 1, "[{}]", db.name);
        let id = token
            .trim_start_matches("mru_")
            .split('_')
            .next()
            .expect("the token id")
            .to_owned();
        assert_eq!(bearer_status(&hub, &token, "/api/v1/assets"), 200);
        // The secret may hold '_' and '-' (base64url): all of it after `mru_<id>_`.
        let secret = token
            .strip_prefix(&format!("mru_{id}_"))
            .expect("mru_<id>_<secret>")
            .to_owned();
        assert!(secret.len() >= 20, "[{}] {token}", db.name);
        let later = [
            "/admin/users/ops-analyst",
            "/admin/users",
            "/admin/users?format=csv",
            "/admin/audit",
            "/admin/audit?format=csv",
        ];
        for path in later {
            let shown = get(&hub, &admin.cookie, path);
            assert!(
                !shown.body.contains(&secret),
                "[{}] the secret on {path}",
                db.name
            );
        }
        let user_page = get(&hub, &admin.cookie, "/admin/users/ops-analyst");
        assert!(user_page.body.contains(&id), "[{}] the token id", db.name);
        assert!(user_page.body.contains(">ci<"), "[{}] the label", db.name);

        // Revoked: 401 at once.
        let revoke = format!("/admin/users/ops-analyst/tokens/{id}/revoke");
        assert_eq!(
            post(&hub, &admin.cookie, &revoke, &[]).status,
            403,
            "[{}] no CSRF",
            db.name
        );
        assert_eq!(bearer_status(&hub, &token, "/api/v1/assets"), 200);
        let revoked = post(&hub, &admin.cookie, &revoke, &[("csrf", csrf)]);
        redirected_with(
            &hub,
            &admin.cookie,
            &revoked,
            &format!("Token {id} revoked."),
        );
        assert_eq!(bearer_status(&hub, &token, "/api/v1/assets"), 401);

        // A new password: the rules beside the field, then the new one works.
        let path = "/admin/users/ops-analyst/password";
        let weak = post(
            &hub,
            &admin.cookie,
            path,
            &[("csrf", csrf), ("password", "weak")],
        );
        assert_eq!(weak.status, 422, "[{}] {}", db.name, weak.body);
        assert!(
            weak.body.contains("id=\"p-password-error\""),
            "[{}]",
            db.name
        );
        assert!(log_in(&hub, "ops-analyst", "ops-analyst-password").is_some());
        let set = post(
            &hub,
            &admin.cookie,
            path,
            &[("csrf", csrf), ("password", "ops-analyst-new-password")],
        );
        redirected_with(&hub, &admin.cookie, &set, "Password of ops-analyst set.");
        assert!(log_in(&hub, "ops-analyst", "ops-analyst-password").is_none());
        let cookie =
            log_in(&hub, "ops-analyst", "ops-analyst-new-password").expect("the new password");

        // Disabled once confirmed: it no longer logs in, its session ends.
        let disable = "/admin/users/ops-analyst/disable";
        let asked = post(&hub, &admin.cookie, disable, &[("csrf", csrf)]);
        assert_eq!(asked.status, 200, "[{}] {}", db.name, asked.body);
        assert!(asked.body.contains("Disable ops-analyst?"), "[{}]", db.name);
        assert!(
            users_csv().contains("ops-analyst,analyst,,no,"),
            "[{}]",
            db.name
        );
        let disabled = post(
            &hub,
            &admin.cookie,
            disable,
            &[("csrf", csrf), ("confirm", "yes")],
        );
        redirected_with(&hub, &admin.cookie, &disabled, "User ops-analyst disabled.");
        assert!(
            users_csv().contains("ops-analyst,analyst,,yes,"),
            "[{}]",
            db.name
        );
        assert!(log_in(&hub, "ops-analyst", "ops-analyst-new-password").is_none());
        assert_eq!(
            get(&hub, &cookie, "/").status,
            303,
            "[{}] session ended",
            db.name
        );

        // Every write is in the audit log, newest first, filtered by action.
        let audit = get(&hub, &admin.cookie, "/admin/audit?actor=user%3Aweb-admin");
        assert_eq!(audit.status, 200, "[{}]", db.name);
        let order: Vec<usize> = [
            "user.disable",
            "user.password",
            "user.token.revoke",
            "user.token.issue",
            "user.add",
        ]
        .iter()
        .map(|a| {
            audit
                .body
                .find(&format!("<code>{a}</code>"))
                .unwrap_or_else(|| panic!("[{}] {a} in the audit log", db.name))
        })
        .collect();
        assert!(order.is_sorted(), "[{}] newest first: {order:?}", db.name);
        let only = get(
            &hub,
            &admin.cookie,
            "/admin/audit?action=user.disable&format=csv",
        );
        let mut lines = only.body.lines();
        assert_eq!(lines.next(), Some("seq,at,actor,action,object_ids,hash"));
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 1, "[{}] {}", db.name, only.body);
        assert!(
            rows[0].contains(",user:web-admin,user.disable,ops-analyst,"),
            "[{}]",
            db.name
        );
        let about = get(
            &hub,
            &admin.cookie,
            "/admin/audit?object=ops-analyst&actor=user%3Aweb-admin&format=csv",
        );
        let actions: Vec<&str> = about
            .body
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(3))
            .collect();
        assert_eq!(
            actions,
            [
                "user.disable",
                "user.password",
                "user.token.revoke",
                "user.token.issue",
                "user.add"
            ],
            "[{}] {}",
            db.name,
            about.body
        );
        let counted = get(
            &hub,
            &admin.cookie,
            "/admin/audit?object=ops-analyst&actor=user%3Aweb-admin",
        );
        assert!(counted.body.contains("1–5 of 5"), "[{}]", db.name);
        // By day: today's writes are all on today, none on a day long past; a bad day is named.
        let today = &app::now()[..10];
        let dated = get(
            &hub,
            &admin.cookie,
            &format!(
                "/admin/audit?object=ops-analyst&actor=user%3Aweb-admin&from={today}&to={today}"
            ),
        );
        assert!(dated.body.contains("1–5 of 5"), "[{}]", db.name);
        let past = get(
            &hub,
            &admin.cookie,
            "/admin/audit?object=ops-analyst&from=2001-01-01&to=2001-12-31",
        );
        assert!(
            past.body.contains("No audit entry matches this filter."),
            "[{}]",
            db.name
        );
        let bad = get(&hub, &admin.cookie, "/admin/audit?from=2026-13-01");
        assert!(
            bad.status >= 400 && bad.body.contains("/from"),
            "[{}] {} {}",
            db.name,
            bad.status,
            bad.body
        );
        let verified = get(&hub, &admin.cookie, "/admin/audit/verify");
        assert!(
            verified.body.contains("The chain is intact"),
            "[{}]",
            db.name
        );
        // An edited row: the page names it as the use case does.
        db.execute("UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 3");
        let broken = get(&hub, &admin.cookie, "/admin/audit/verify");
        assert_eq!(broken.status, 200, "[{}]", db.name);
        for part in [
            "The chain is broken",
            "First bad row: seq 3 (edited): its hash does not match its content",
            "2 entries verified before it.",
        ] {
            assert!(
                broken.body.contains(part),
                "[{}] {part}: {}",
                db.name,
                broken.body
            );
        }
    }
}

/// The `<a>` elements of the map's layer `class` (`<g class="…">`), as (href, inner markup).
fn map_layer(body: &str, class: &str) -> Vec<(String, String)> {
    let layer = body
        .split(&format!("<g class=\"{class}\""))
        .nth(1)
        .and_then(|rest| rest.split("</g>").next())
        .unwrap_or_else(|| panic!("no layer {class}: {body}"));
    layer
        .split("<a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let (href, inner) = rest.split_once('"')?;
            Some((href.to_owned(), inner.split("</a>").next()?.to_owned()))
        })
        .collect()
}

#[test]
fn web_map_draws_chokepoints_landing_stations_and_cables() {
    for db in test_support::backends("hub web map") {
        let hub = demo_hub(&db);
        let mut store = Store::open(&db.url).expect("store");
        let infra = app::atlas::infrastructure(&mut store, usize::MAX).expect("infrastructure");
        let located = |a: &model::Asset| a.lat.is_some() && a.lon.is_some();
        let chokepoints: Vec<String> = store
            .assets_tagged(&["chokepoint".to_owned()])
            .expect("chokepoints")
            .into_iter()
            .filter(located)
            .map(|a| format!("/atlas/{}", a.id))
            .collect();
        assert!(chokepoints.len() >= 5, "[{}] {chokepoints:?}", db.name);
        // A cable whose line does not cross the date line, with its landing stations checked
        // against the store's dependencies of the cable.
        let cable = infra
            .cables
            .shown
            .iter()
            .find(|c| {
                let lon = |i: usize| c.landings[i].lon.unwrap_or(0.0);
                (lon(0) - lon(1)).abs() <= 180.0
            })
            .expect("a cable drawn without crossing the date line");
        let mut linked: Vec<String> = store
            .dependencies_of(&cable.asset.id)
            .expect("providers")
            .into_iter()
            .map(|d| d.provider)
            .chain(
                store
                    .dependents_of(&cable.asset.id)
                    .expect("dependents")
                    .into_iter()
                    .map(|d| d.dependent),
            )
            .filter(|id| {
                store
                    .get_asset(id)
                    .expect("asset")
                    .is_some_and(|a| located(&a) && a.tags.iter().any(|t| t == "subsea"))
            })
            .collect();
        linked.sort();
        linked.dedup();
        let mut landings: Vec<&str> = cable.landings.iter().map(|a| a.id.as_str()).collect();
        landings.sort_unstable();
        assert_eq!(landings, linked, "[{}] {}", db.name, cable.asset.id);
        drop(store);

        let analyst = login(&hub, Role::Analyst);
        let map = get(&hub, &analyst.cookie, "/map");
        assert_eq!(map.status, 200, "[{}] {}", db.name, map.body);
        let hrefs = |class: &str| -> Vec<String> {
            map_layer(&map.body, class)
                .into_iter()
                .map(|(href, _)| href)
                .collect()
        };
        assert_eq!(hrefs("chokepoints"), chokepoints, "[{}]", db.name);
        assert!(
            hrefs("landings").contains(&format!("/atlas/{}", landings[0])),
            "[{}] the landing station {} is on the map",
            db.name,
            landings[0]
        );
        let (_, drawn) = map_layer(&map.body, "cables")
            .into_iter()
            .find(|(href, _)| *href == format!("/atlas/{}", cable.asset.id))
            .unwrap_or_else(|| panic!("[{}] {} is not on the map", db.name, cable.asset.id));
        let (a, b) = (&cable.landings[0], &cable.landings[1]);
        let line = format!(
            "<line x1=\"{:.2}\" y1=\"{:.2}\" x2=\"{:.2}\" y2=\"{:.2}\"",
            a.lon.unwrap_or(0.0),
            -a.lat.unwrap_or(0.0),
            b.lon.unwrap_or(0.0),
            -b.lat.unwrap_or(0.0)
        );
        assert!(drawn.contains(&line), "[{}] {line} in {drawn}", db.name);
        assert!(drawn.contains("<title>Submarine cable "), "[{}]", db.name);
        assert!(
            map.body.contains(&format!(
                "{} shipping chokepoints (diamonds)",
                chokepoints.len()
            )),
            "[{}]",
            db.name
        );
    }
}

#[test]
fn web_asset_page_lists_its_dependents_a_hundred_at_a_time() {
    for db in test_support::backends("hub web dependents") {
        let hub = demo_hub(&db);
        let analyst = login(&hub, Role::Analyst);
        let mut store = Store::open(&db.url).expect("store");
        // 150 more sites depending on a demo asset, so it has more than a page of dependents.
        let mut atlas = store.export_atlas().expect("export");
        let most = atlas.assets[0].id.clone();
        for i in 0..150 {
            let site = model::Asset {
                id: format!("site:extra-{i:03}"),
                name: format!("Extra site {i}"),
                ..atlas.assets[0].clone()
            };
            atlas.dependencies.push(model::Dependency {
                dependent: site.id.clone(),
                provider: most.clone(),
                kind: None,
                group: None,
                strength: None,
                tolerance_hours: None,
                attributes: Default::default(),
            });
            atlas.assets.push(site);
        }
        store.import(&atlas).expect("import");
        let dependents = store.dependents_of(&most).expect("dependents");
        assert!(
            dependents.len() > 100,
            "[{}] {most}: {}",
            db.name,
            dependents.len()
        );
        let path =
            |offset: usize| format!("/atlas/{}?dependents={offset}", most.replace(':', "%3A"));
        let heading = format!("Depend on it ({})", dependents.len());
        // Only the dependents table's part of the page: from its heading to the next section.
        let listed = |offset: usize| {
            let shown = get(&hub, &analyst.cookie, &path(offset));
            assert_eq!(shown.status, 200, "[{}] {}", db.name, shown.body);
            let part = shown
                .body
                .split(&heading)
                .nth(1)
                .unwrap_or_else(|| panic!("[{}] no {heading:?}", db.name))
                .split("</section>")
                .next()
                .expect("the section")
                .to_owned();
            dependents
                .iter()
                .filter(|d| part.contains(&format!("<code>{}</code>", d.dependent)))
                .count()
        };
        assert_eq!(listed(0), 100, "[{}] the first hundred", db.name);
        assert_eq!(
            listed(100),
            (dependents.len() - 100).min(100),
            "[{}] the next ones",
            db.name
        );
        assert_eq!(listed(dependents.len()), 0, "[{}] past the end", db.name);
        let bad = get(
            &hub,
            &analyst.cookie,
            &format!("/atlas/{most}?dependents=many"),
        );
        assert_eq!(bad.status, 400, "[{}] {}", db.name, bad.body);
    }
}
