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
mod checked;
mod error;
mod pool;
mod release;
mod snapshot;
mod taxii;

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use crate::auth::RECHECK as TOKEN_RECHECK;
pub use crate::checked::Checked;
pub use crate::error::ApiError;
pub use crate::pool::Pool;
pub use crate::release::{ANONYMOUS_IDENTITY, Release};
pub use crate::snapshot::DEFAULT_TLP_SETTING;
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
    /// Idle store connections kept open.
    pub pool_size: usize,
    /// Reuse served pages until their collection changes (see `cache`).
    pub page_cache: bool,
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
    snapshot: snapshot::Shared,
    pages: cache::PageCache,
    pub title: String,
    pub contact: String,
    pub max_body: usize,
    pub max_page: usize,
    pub tls: bool,
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
            .with_context(|| format!("opening the store {}", options.db))?;
        let first = pool
            .run_blocking(|store| Ok(snapshot::Snapshot::load(store)?))
            .map_err(|e| anyhow::anyhow!("{}: {}", e.title, e.description))?;
        Ok(AppState(Arc::new(Inner {
            pool,
            validator: Arc::new(stix::Validator::new()),
            tokens: auth::TokenCache::default(),
            snapshot: snapshot::Shared::new(first),
            pages: cache::PageCache::new(options.page_cache),
            title: options.title.clone(),
            contact: options.contact.clone(),
            max_body: options.max_body,
            max_page: options.max_page,
            tls: options.tls.is_some(),
        })))
    }
}

/// Every route of the server, with one log line per request (method, path, status, latency;
/// never headers, so never a token).
pub fn app(state: AppState) -> Router {
    taxii::router()
        .merge(api::router())
        .with_state(state)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// A bound, not yet serving, server: its address is known (port 0 picks a free one).
pub struct Bound {
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
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
        Ok(Bound {
            listener,
            router: app(state),
            tls,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then stops accepting and lets requests in flight
    /// finish (at most [`GRACE`]).
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        match self.tls {
            None => axum::serve(self.listener, self.router)
                .with_graceful_shutdown(shutdown)
                .await
                .context("serving HTTP"),
            Some(acceptor) => serve_tls(self.listener, self.router, acceptor, shutdown).await,
        }
    }
}

/// How long requests in flight may take to finish after a shutdown signal.
pub const GRACE: Duration = Duration::from_secs(10);

async fn serve_tls(
    listener: TcpListener,
    router: Router,
    acceptor: TlsAcceptor,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = hyper::server::conn::http1::Builder::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(router.clone());
        let tls = match acceptor.accept(tcp).await {
            Ok(tls) => tls,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                continue;
            }
        };
        let conn = builder.serve_connection(TokioIo::new(tls), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
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
