//! Served pages, kept until the collection or the sharing configuration changes.
//!
//! A page is the same bytes for the same partner, collection, route and query as long as the
//! collection's revision (grown by the store on every add or delete), the snapshot's
//! fingerprint (agreements, partners, default TLP) and this server's own write count for the
//! collection are unchanged. The revision comes from the snapshot, which is at most one second
//! old: another server's write shows here within that second, this server's own writes at once.
//! Bounded: at most [`MAX_BYTES`] of bodies; past that the cache starts over.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::taxii::taxii_response;
use app::sharing::Snapshot;

pub const MAX_BYTES: usize = 64 << 20;

/// Which endpoint a page answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    Objects,
    Object,
    Versions,
    Manifest,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub partner: String,
    pub collection: String,
    pub route: Route,
    pub object: Option<String>,
    pub query: Option<String>,
}

/// What a page was built from; it stays valid while this is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    revision: i64,
    fingerprint: u64,
    writes: u64,
}

/// A served page: its body and the `X-TAXII-Date-Added-First/Last` headers.
#[derive(Clone, Debug)]
pub struct Page {
    pub body: Bytes,
    pub first: Option<HeaderValue>,
    pub last: Option<HeaderValue>,
}

impl Page {
    pub fn response(&self) -> Response {
        let mut response = taxii_response(StatusCode::OK, self.body.clone());
        let headers = response.headers_mut();
        if let Some(first) = &self.first {
            headers.insert("x-taxii-date-added-first", first.clone());
        }
        if let Some(last) = &self.last {
            headers.insert("x-taxii-date-added-last", last.clone());
        }
        response
    }
}

pub struct PageCache {
    enabled: bool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    pages: HashMap<Key, (Stamp, Page)>,
    bytes: usize,
    /// This server's writes per collection.
    writes: HashMap<String, u64>,
}

impl PageCache {
    /// A cache; a disabled one keeps nothing (`serve --no-page-cache`, to measure the store).
    pub fn new(enabled: bool) -> PageCache {
        PageCache {
            enabled,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The stamp a page of `collection` built now would carry.
    pub fn stamp(&self, snapshot: &Snapshot, collection: &str) -> Stamp {
        let writes = self.lock().writes.get(collection).copied().unwrap_or(0);
        Stamp {
            revision: snapshot.revision(collection),
            fingerprint: snapshot.fingerprint,
            writes,
        }
    }

    pub fn get(&self, key: &Key, stamp: Stamp) -> Option<Page> {
        if !self.enabled {
            return None;
        }
        let inner = self.lock();
        match inner.pages.get(key) {
            Some((s, page)) if *s == stamp => Some(page.clone()),
            _ => None,
        }
    }

    pub fn put(&self, key: Key, stamp: Stamp, page: Page) {
        if !self.enabled {
            return;
        }
        let mut inner = self.lock();
        if inner.writes.get(&key.collection).copied().unwrap_or(0) != stamp.writes {
            return; // a write landed while the page was built
        }
        if inner.bytes + page.body.len() > MAX_BYTES {
            inner.pages.clear();
            inner.bytes = 0;
        }
        inner.bytes += page.body.len();
        if let Some((_, old)) = inner.pages.insert(key, (stamp, page)) {
            inner.bytes -= old.body.len();
        }
    }

    /// This server changed `collection`: its pages built before are stale.
    pub fn wrote(&self, collection: &str) {
        let mut inner = self.lock();
        *inner.writes.entry(collection.to_owned()).or_default() += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
