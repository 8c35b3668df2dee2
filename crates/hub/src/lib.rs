//! `meridian serve`: the HTTP server over the store. TAXII 2.1 under `/taxii2/`; the REST API
//! and the web UI slot in as further routers on the same [`AppState`].
//!
//! The store is synchronous: handlers authenticate and parse on the async runtime, then run
//! their store work on a blocking thread with a pooled connection ([`pool::Pool`]). Nothing
//! about a client lives in the server between requests (pagination cursors are row numbers),
//! so several servers over one PostgreSQL serve the same answers.

mod api;
mod auth;
mod cache;
mod csaf;
mod error;
mod guard;
mod pool;
mod rest;
mod snapshot;
mod taxii;
mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tower::ServiceExt as _;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use crate::auth::RECHECK as TOKEN_RECHECK;
pub use crate::error::ApiError;
pub use crate::pool::Pool;
// `Filter` is public for the fuzz target of the TAXII query parser (fuzz/).
pub use crate::taxii::{API_ROOT, Filter as TaxiiFilter, TAXII_MEDIA_TYPE};

/// How to run the server.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// PEM certificate chain and private key: serve HTTPS instead of HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub db: String,
    pub title: String,
    pub contact: String,
    /// The largest request body accepted (TAXII `max_content_length`).
    pub max_body: usize,
    /// The largest page served, and the page size when the client names none.
    pub max_page: usize,
    /// Store connections: at most this many requests use the store at once, and as many
    /// connections are kept open between them.
    pub pool_size: usize,
    /// Reuse served pages until their collection changes (see `cache`).
    pub page_cache: bool,
    /// The largest STIX object accepted in a POST, in bytes of its JSON text; a larger one is
    /// refused in the status resource (with its id and size), the others are stored.
    pub max_object: usize,
    /// Connections served at once; further ones wait in the listen backlog until one ends.
    pub max_connections: usize,
    /// Failed authentications from one client IP within [`AUTH_WINDOW`] before its requests
    /// are answered 429 until the window ends (0: no limit).
    pub auth_failures: u32,
    /// The installation's home country: assets elsewhere are foreign.
    pub home: model::HomeCountry,
    /// The key that seals the credentials of remotes added over REST (`POST /api/v1/remotes`);
    /// none: that route answers 503 and remotes are added with `meridian remote add`.
    pub secret_key: Option<app::federation::KeySource>,
    /// The hub's Ed25519 signing key (the text `meridian bundle keygen` wrote) that signs the
    /// bundles exported over REST; none: that route answers 503.
    pub bundle_key: Option<String>,
    /// The CSAF provider's OpenPGP key (`meridian intel cvd keygen`): signs the advisories
    /// served under `/.well-known/csaf/`; none: they are served without `.asc`.
    pub csaf_key: Option<Arc<app::cvd::openpgp::SigningKey>>,
    /// How long a synchronous call of long work (a ranking, Monte Carlo, percolation, an
    /// import, a sync) is waited for before it becomes a job and is answered 202.
    pub sync_wait: Duration,
    /// Long works running at once, synchronous calls and jobs alike; the others wait their
    /// turn (a job meanwhile is `queued`).
    pub max_jobs: usize,
}

impl ServeOptions {
    pub fn new(db: impl Into<String>, listen: SocketAddr) -> ServeOptions {
        ServeOptions {
            listen,
            tls: None,
            db: db.into(),
            title: "Meridian".to_owned(),
            contact: String::new(),
            max_body: 64 << 20,
            max_page: 1000,
            pool_size: 16,
            page_cache: true,
            max_object: 1 << 20,
            max_connections: 512,
            auth_failures: 10,
            home: model::HomeCountry::default(),
            secret_key: None,
            bundle_key: None,
            csaf_key: None,
            sync_wait: Duration::from_secs(5),
            max_jobs: std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub pool: Pool,
    pub validator: Arc<stix::Validator>,
    tokens: auth::TokenCache,
    user_tokens: auth::UserTokenCache,
    snapshot: snapshot::Shared,
    pages: cache::PageCache,
    /// The engine for the current atlas, shared by the analyses and their pages.
    engines: app::analysis::EngineCache,
    /// Every finding of the atlas as stored now, shared by the intel pages, the dashboard and
    /// the explanations.
    findings: app::intel::FindingsCache,
    throttle: auth::Throttle,
    pub title: String,
    pub contact: String,
    pub max_body: usize,
    pub max_page: usize,
    pub max_object: usize,
    pub tls: bool,
    pub home: model::HomeCountry,
    pub secret_key: Option<app::federation::KeySource>,
    pub bundle_key: Option<String>,
    pub csaf_key: Option<Arc<app::cvd::openpgp::SigningKey>>,
    pub sync_wait: Duration,
    /// A turn for each long work that may run at once ([`AppState::long_work_turn`]).
    long_work: Arc<Semaphore>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(options: &ServeOptions) -> anyhow::Result<AppState> {
        let pool = Pool::open(&options.db, options.pool_size)
            .with_context(|| format!("opening the store {}", store::redact_url(&options.db)))?;
        let first = pool
            .run_blocking(|store| Ok(app::sharing::Snapshot::load(store)?))
            .map_err(|e| anyhow::anyhow!("{}: {}", e.title, e.description))?;
        Ok(AppState(Arc::new(Inner {
            pool,
            validator: Arc::new(stix::Validator::new()),
            tokens: auth::TokenCache::default(),
            user_tokens: auth::UserTokenCache::default(),
            snapshot: snapshot::Shared::new(first),
            pages: cache::PageCache::new(options.page_cache),
            engines: app::analysis::EngineCache::default(),
            findings: app::intel::FindingsCache::default(),
            throttle: auth::Throttle::new(options.auth_failures, AUTH_WINDOW),
            title: options.title.clone(),
            contact: options.contact.clone(),
            max_body: options.max_body,
            max_page: options.max_page,
            max_object: options.max_object,
            tls: options.tls.is_some(),
            home: options.home.clone(),
            secret_key: options.secret_key.clone(),
            bundle_key: options.bundle_key.clone(),
            csaf_key: options.csaf_key.clone(),
            sync_wait: options.sync_wait,
            long_work: Arc::new(Semaphore::new(options.max_jobs.max(1))),
        })))
    }
}

impl AppState {
    /// Waits for a turn among the long works (at most [`ServeOptions::max_jobs`] run at once,
    /// from REST and the web alike); the work holds it while it runs.
    pub async fn long_work_turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.long_work
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)
    }
}

/// Every route of the server, with one log line per request (method, path, the authenticated
/// user or partner, status, latency; never headers, so never a token). Every request first passes [`guard`]: the failed
/// authentication throttle and the refusal of control characters in the path and query.
pub fn app(state: AppState) -> Router {
    taxii::router()
        .merge(rest::router())
        .merge(csaf::router())
        .merge(web::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .with_state(state)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<axum::body::Body>| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        uri = %request.uri(),
                        actor = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// Names the authenticated caller (`user:NAME` or `partner:ID`) on the request's log line.
pub(crate) fn log_caller(actor: &app::Actor) {
    tracing::Span::current().record("actor", tracing::field::display(actor.audit_name()));
}

/// A bound, not yet serving, server: its address is known (port 0 picks a free one).
pub struct Bound {
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    max_connections: usize,
}

impl Bound {
    pub async fn bind(options: &ServeOptions) -> anyhow::Result<Bound> {
        // The PostgreSQL driver runs its own runtime: open the store off the async threads.
        let state = {
            let options = options.clone();
            tokio::task::spawn_blocking(move || AppState::new(&options)).await??
        };
        let tls = match &options.tls {
            Some((cert, key)) => Some(tls_acceptor(cert, key)?),
            None => None,
        };
        let listener = TcpListener::bind(options.listen)
            .await
            .with_context(|| format!("binding {}", options.listen))?;
        let refresher = state.clone();
        tokio::spawn(async move { refresher.snapshot.refresh(&refresher.pool).await });
        tokio::spawn(rest::jobs::sweep(state.clone()));
        Ok(Bound {
            listener,
            router: app(state),
            tls,
            max_connections: options.max_connections.max(1),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then stops accepting and lets requests in flight
    /// finish (at most [`GRACE`]).
    ///
    /// At most `max_connections` connections are served at once (the next is accepted when one
    /// ends). Each connection runs in its own task: its TLS handshake must finish within
    /// [`HANDSHAKE_TIMEOUT`] and each request's header within [`HEADER_READ_TIMEOUT`], so an
    /// idle or slow client holds only its own connection.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT);
        let builder = Arc::new(builder);
        let slots = Arc::new(Semaphore::new(self.max_connections));
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                permit = slots.clone().acquire_owned() => permit.context("connection slots")?,
                () = &mut shutdown => break,
            };
            let (tcp, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        // Out of file descriptors and the like: do not spin.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let connection = Connection {
                router: self.router.clone(),
                builder: builder.clone(),
                watcher: graceful.watcher(),
                peer,
            };
            let tls = self.tls.clone();
            tokio::spawn(async move {
                let _permit = permit;
                connection.serve(tcp, tls).await;
            });
        }
        if tokio::time::timeout(GRACE, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("requests still in flight after the grace period were dropped");
        }
        Ok(())
    }
}

/// How long requests in flight may take to finish after a shutdown signal.
pub const GRACE: Duration = Duration::from_secs(10);
/// How long a client has to complete its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client has to send a request's header (against slow-loris clients, and idle
/// keep-alive connections).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The window in which [`ServeOptions::auth_failures`] failed authentications are counted.
pub const AUTH_WINDOW: Duration = Duration::from_secs(60);

/// One accepted connection.
struct Connection {
    router: Router,
    builder: Arc<hyper::server::conn::http1::Builder>,
    watcher: hyper_util::server::graceful::Watcher,
    peer: SocketAddr,
}

impl Connection {
    async fn serve(self, tcp: TcpStream, tls: Option<TlsAcceptor>) {
        let peer = self.peer;
        match tls {
            None => self.http(tcp).await,
            Some(acceptor) => {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => self.http(stream).await,
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                }
            }
        }
    }

    async fn http<S>(self, stream: S)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            router,
            builder,
            watcher,
            peer,
        } = self;
        // The client's address reaches the handlers (and the authentication throttle) as
        // axum's `ConnectInfo`.
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        if let Err(e) = watcher.watch(conn).await {
            tracing::debug!(%peer, error = %e, "connection ended with an error");
        }
    }
}

fn tls_acceptor(cert: &std::path::Path, key: &std::path::Path) -> anyhow::Result<TlsAcceptor> {
    let read = |path: &std::path::Path| {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))
    };
    let cert_pem = read(cert)?;
    let certs = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}: not a PEM certificate chain", cert.display()))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "{}: no certificate in it",
        cert.display()
    );
    refuse_readable_key(key)?;
    let key_pem = read(key)?;
    let key_der = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .with_context(|| format!("{}: not a PEM private key", key.display()))?
        .with_context(|| format!("{}: no private key in it", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS protocol versions")?
    .with_no_client_auth()
    .with_single_cert(certs, key_der)
    .context("the TLS certificate and key do not match")?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A private key readable by group or others is refused: anyone on the machine could
/// impersonate the hub.
#[cfg(unix)]
fn refuse_readable_key(key: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(key)
        .with_context(|| format!("reading {}", key.display()))?
        .permissions()
        .mode();
    anyhow::ensure!(
        mode & 0o077 == 0,
        "{}: the TLS private key is readable by group or others (mode {:o}); \
         restrict it with `chmod 600 {}`",
        key.display(),
        mode & 0o777,
        key.display()
    );
    Ok(())
}

#[cfg(not(unix))]
fn refuse_readable_key(_key: &std::path::Path) -> anyhow::Result<()> {
    Ok(())
}
