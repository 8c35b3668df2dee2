//! A hub on 127.0.0.1 over a test database, and a TAXII client for it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use serde_json::Value;
use store::{
    Agreement, AgreementKind, Collection, CollectionGrant, Partner, PartnerToken, Store, Tlp,
};

pub const ACCEPT: &str = "application/taxii+json;version=2.1";

/// A running server; dropping it shuts the server down and waits for it.
pub struct Hub {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Hub {
    pub fn start(db: &str) -> Hub {
        Hub::start_with(db, |_| {})
    }

    pub fn start_with(db: &str, adjust: impl FnOnce(&mut hub::ServeOptions)) -> Hub {
        let mut options = hub::ServeOptions::new(db, SocketAddr::from(([127, 0, 0, 1], 0)));
        // A debug build on a busy machine may take seconds over what the tests ask
        // synchronously: they get the synchronous answer (jobs.rs tests the wait itself).
        options.sync_wait = std::time::Duration::from_secs(600);
        adjust(&mut options);
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let bound = hub::Bound::bind(&options).await.expect("bind");
                addr_tx
                    .send(bound.local_addr().expect("addr"))
                    .expect("send");
                bound
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await
                    .expect("serve");
            });
        });
        let addr = addr_rx.recv().expect("the server starts");
        Hub {
            base: format!("http://{addr}"),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A response: status, headers we look at, and the body (JSON when there is one).
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn reply(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        headers,
        body,
    }
}

pub fn get(url: &str, token: Option<&str>) -> Reply {
    get_with(url, token, ACCEPT)
}

pub fn get_with(url: &str, token: Option<&str>, accept: &str) -> Reply {
    let mut request = agent().get(url).header("Accept", accept);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    reply(request.call().expect("the request completes"))
}

pub fn get_auth(url: &str, authorization: &str) -> Reply {
    reply(
        agent()
            .get(url)
            .header("Accept", ACCEPT)
            .header("Authorization", authorization)
            .call()
            .expect("the request completes"),
    )
}

/// GET over HTTPS, trusting any certificate (the test made its own).
pub fn get_tls(url: &str, token: &str) -> Reply {
    let tls = ureq::tls::TlsConfig::builder()
        .disable_verification(true)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(tls)
        .build()
        .into();
    reply(
        agent
            .get(url)
            .header("Accept", ACCEPT)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .expect("the request completes"),
    )
}

pub fn post(url: &str, token: &str, content_type: &str, body: &str) -> Reply {
    reply(
        agent()
            .post(url)
            .header("Accept", ACCEPT)
            .header("Content-Type", content_type)
            .header("Authorization", &format!("Bearer {token}"))
            .send(body)
            .expect("the request completes"),
    )
}

/// Any request with the given headers (credentials among them), and a JSON body for POST and
/// PUT.
pub fn call(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let response = match method {
        "POST" | "PUT" => {
            let request = if method == "POST" {
                agent().post(url)
            } else {
                agent().put(url)
            };
            // JSON unless the caller names another type.
            let typed = headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
            let mut request = if typed {
                request
            } else {
                request.header("Content-Type", "application/json")
            };
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.send(body)
        }
        "DELETE" | "GET" => {
            let mut request = if method == "GET" {
                agent().get(url)
            } else {
                agent().delete(url)
            };
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.call()
        }
        other => panic!("no helper for {other}"),
    };
    reply(response.expect("the request completes"))
}

pub fn delete(url: &str, token: &str) -> Reply {
    reply(
        agent()
            .delete(url)
            .header("Accept", ACCEPT)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .expect("the request completes"),
    )
}

/// Registers a partner and returns a fresh token for it.
pub fn partner(store: &mut Store, id: &str) -> String {
    assert!(
        store
            .add_partner(&Partner {
                id: id.to_owned(),
                name: format!("CSIRT {id}"),
                country: "DE".to_owned(),
                constituency_countries: vec!["DE".to_owned()],
                constituency_sectors: Vec::new(),
                trust_tier: 2,
                contacts: Vec::new(),
                public_key: None,
                anonymise: false,
                created_at: "2026-01-01T00:00:00Z".to_owned(),
            })
            .expect("add partner")
    );
    let issued = exchange::token::issue();
    store
        .add_partner_token(&PartnerToken {
            token_id: issued.token_id.clone(),
            partner_id: id.to_owned(),
            hash: issued.hash.clone(),
            created_at: "2026-01-01T00:00:00Z".to_owned(),
            revoked: false,
        })
        .expect("add token");
    issued.secret_token
}

pub fn collection(store: &mut Store, id: &str) {
    assert!(
        store
            .add_collection(&Collection {
                id: id.to_owned(),
                title: format!("collection {id}"),
                description: String::new(),
                created_at: "2026-01-01T00:00:00Z".to_owned(),
            })
            .expect("add collection")
    );
}

pub fn agreement(
    store: &mut Store,
    id: &str,
    party: &str,
    tlp: Tlp,
    grants: &[(&str, bool, bool)],
) {
    assert!(
        store
            .add_agreement(&Agreement {
                id: id.to_owned(),
                title: id.to_owned(),
                kind: AgreementKind::Bilateral,
                parties: vec![party.to_owned()],
                highest_tlp: tlp,
                purpose: String::new(),
                retention_days: None,
                grants: grants
                    .iter()
                    .map(|&(c, read, write)| CollectionGrant {
                        collection_id: c.to_owned(),
                        read,
                        write,
                    })
                    .collect(),
                created_at: "2026-01-01T00:00:00Z".to_owned(),
            })
            .expect("add agreement")
    );
}

/// A valid STIX 2.1 indicator with the given id suffix, version and TLP marking.
pub fn indicator(n: u32, modified: &str, tlp: Option<Tlp>) -> Value {
    let mut object = serde_json::json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
        "created": "2026-01-01T00:00:00.000Z",
        "modified": modified,
        "name": format!("indicator {n}"),
        "pattern": format!("[ipv4-addr:value = '198.51.100.{}']", n % 250),
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    });
    if let Some(tlp) = tlp {
        stix::tlp::set_marking(&mut object, tlp);
    }
    object
}

/// A self-signed certificate for 127.0.0.1 and its key (mode 0600) in `dir`.
pub fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl (Debian package openssl) makes a test certificate");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    set_mode(&key, 0o600);
    (cert, key)
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
