//! Federation with other TAXII 2.1 servers (§4 Federation): remotes and their sync.
//!
//! A remote pairs one collection of a remote TAXII 2.1 API root with a local collection, and
//! names the local partner that stands for the remote hub's organisation: the TLP rules decide
//! what is pushed to that partner as they decide what it could read here.
//!
//! [`sync`] first pushes, then pulls, each remote in turn:
//! - **push**: the local collection's object versions after the push cursor (a local `seq`),
//!   each released by [`exchange::policy::may_release`] on [`Path::Federation`] to the remote's
//!   partner, and never one whose provenance is that remote; envelopes of at most
//!   [`ENVELOPE`] objects are POSTed, the status resource is checked, and the cursor moves past
//!   every envelope the remote accepted (withheld versions are not offered again later).
//!   Envelopes also stay within the API root's `max_content_length`; a single object larger
//!   than that is reported as refused and skipped.
//! - **pull**: the remote collection's objects added after the pull cursor, page by page
//!   (`next` while `more`); each is validated, refused with a warning when invalid, and stored
//!   with the remote's name as provenance (the store de-duplicates by id and version). The
//!   cursor is the last `X-TAXII-Date-Added-Last` seen, saved after the page is committed, so
//!   a crash in between pulls that page again and loses nothing.
//!
//! Pushing first means that our own objects coming back from the remote (it serves a
//! submitter its own objects) are recognised as duplicates in the same run, and a second run
//! has nothing to do. The remote's token is a credential we present: it is stored sealed with
//! a key kept outside the database (see [`seal`]) and never printed or logged.

mod seal;

use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine as _;
use exchange::policy::Path;
use serde::Serialize;
use serde_json::Value;
use store::{ObjectQuery, Remote, Store, VersionMatch};

pub use self::seal::{KEY_ENV, KEY_FILE_ENV, KeySource};
use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::http::{agent, check_url};
use crate::sharing::Checked;
use crate::{Actor, Error, Progress};

/// The most objects in one pushed envelope.
const ENVELOPE: usize = 500;
/// The envelope size limit assumed when the remote's API root does not give one.
const DEFAULT_MAX_CONTENT: usize = 10 * 1024 * 1024;
/// The largest response body accepted for one page.
const MAX_PAGE_BODY: u64 = 256 * 1024 * 1024;
/// The TAXII 2.1 media type, sent as `Accept` and `Content-Type`.
const TAXII: &str = "application/taxii+json;version=2.1";
/// How often, and how far apart, a pending status resource is read again.
const STATUS_POLLS: u32 = 20;
const STATUS_POLL_DELAY: Duration = Duration::from_millis(250);

/// The directions a remote syncs in, as words.
pub fn directions(r: &Remote) -> &'static str {
    match (r.pull, r.push) {
        (true, true) => "pull, push",
        (true, false) => "pull",
        (false, true) => "push",
        (false, false) => "none",
    }
}

/// A remote to add: one collection of a remote TAXII 2.1 API root paired with a local one.
#[derive(Clone, Debug, Default)]
pub struct NewRemote {
    /// 1–64 lowercase letters, digits, '-', '_' or '.'.
    pub name: String,
    /// The API root URL, ending with '/'; HTTPS (plain HTTP only to the loopback interface).
    pub url: String,
    /// The remote collection's id.
    pub collection: String,
    pub local_collection: String,
    /// The HTTP Basic user name; none: the token is sent as a bearer token.
    pub user: Option<String>,
    /// The credential we present to the remote (stored sealed).
    pub token: String,
    /// The local partner that stands for the remote hub's organisation.
    pub partner: String,
    /// Directions; neither means both.
    pub pull: bool,
    pub push: bool,
}

/// Adds a remote; its token is sealed with the key from `key`.
pub fn add_remote(
    store: &mut Store,
    actor: &Actor,
    key: &KeySource,
    a: NewRemote,
) -> crate::Result<Remote> {
    authorize(actor, Action::ManageRemotes)?;
    let name_ok = !a.name.is_empty()
        && a.name.len() <= 64
        && a.name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        });
    if !name_ok {
        return Err(Error::invalid(
            "/name",
            format!(
                "remote name {:?}: use 1–64 lowercase letters, digits, '-', '_' or '.'",
                a.name
            ),
        ));
    }
    check_url(&a.url).map_err(|e| Error::invalid("/url", format!("{}: {e}", a.url)))?;
    if !a.url.ends_with('/') {
        return Err(Error::invalid(
            "/url",
            format!(
                "{}: an API root URL ends with '/' (e.g. https://hub.example/taxii2/hub/)",
                a.url
            ),
        ));
    }
    if a.collection.is_empty() || a.collection.contains(['/', '?', '#']) {
        return Err(Error::invalid(
            "/collection",
            format!("{:?} is not a TAXII collection id", a.collection),
        ));
    }
    if a.token.trim().is_empty() {
        return Err(Error::invalid("/token", "the token is empty"));
    }
    if store.collection(&a.local_collection)?.is_none() {
        return Err(Error::invalid(
            "/local_collection",
            format!("no collection {:?}", a.local_collection),
        ));
    }
    if store.partner(&a.partner)?.is_none() {
        return Err(Error::invalid(
            "/partner",
            format!("no partner {:?}", a.partner),
        ));
    }
    let both = !a.pull && !a.push;
    let sealed = seal::Sealer::load(key, true)
        .and_then(|s| s.seal(&a.name, a.token.trim()))
        .map_err(|e| Error::Unavailable(format!("{e:#}")))?;
    let remote = Remote {
        name: a.name,
        api_root: a.url,
        collection_id: a.collection,
        local_collection: a.local_collection,
        user: a.user.unwrap_or_default(),
        token: sealed,
        partner_id: a.partner,
        pull: a.pull || both,
        push: a.push || both,
        pull_cursor: None,
        push_cursor: 0,
        last_sync: None,
    };
    audited(
        store,
        actor,
        "remote.add",
        |store| {
            if !store.add_remote(&remote)? {
                return Err(Error::Conflict(format!(
                    "a remote {:?} exists already (remove it first)",
                    remote.name
                )));
            }
            Ok(remote)
        },
        // Everything but the (sealed) token.
        |r| {
            let mut shown = r.clone();
            shown.token.clear();
            (vec![r.name.clone()], format!("{shown:?}"))
        },
    )
}

/// Every remote, its token still sealed.
pub fn remotes(store: &mut Store) -> crate::Result<Vec<Remote>> {
    Ok(store.remotes()?)
}

/// Removes a remote.
pub fn remove_remote(store: &mut Store, actor: &Actor, name: &str) -> crate::Result<()> {
    authorize(actor, Action::ManageRemotes)?;
    audited(
        store,
        actor,
        "remote.remove",
        |store| {
            if !store.remove_remote(name)? {
                return Err(Error::NotFound {
                    what: "remote",
                    id: name.to_owned(),
                });
            }
            Ok(())
        },
        |()| (vec![name.to_owned()], String::new()),
    )
}

/// Every remote with its token opened (see [`seal`]); a token still stored in plaintext (by an
/// earlier version) is sealed in place.
fn open_tokens(store: &mut Store, key: &KeySource) -> anyhow::Result<Vec<Remote>> {
    let mut remotes = store.remotes()?;
    if remotes.is_empty() {
        return Ok(remotes);
    }
    let plaintext = remotes.iter().any(|r| !seal::is_sealed(&r.token));
    let sealer = seal::Sealer::load(key, plaintext)?;
    for remote in &mut remotes {
        if seal::is_sealed(&remote.token) {
            remote.token = sealer.open(&remote.name, &remote.token)?;
        } else {
            store.set_remote_token(&remote.name, &sealer.seal(&remote.name, &remote.token)?)?;
            tracing::info!(remote = %remote.name, "the remote's token is now stored sealed");
        }
    }
    Ok(remotes)
}

/// What [`sync`] did with one remote.
#[derive(Debug, Default, Serialize)]
pub struct SyncReport {
    pub remote: String,
    /// New object versions stored from the remote.
    pub pulled: u64,
    /// Versions received that were already stored.
    pub duplicates: u64,
    /// Objects received that are not valid STIX 2.1 (refused).
    pub invalid: u64,
    /// Versions the remote accepted.
    pub pushed: u64,
    /// Versions the TLP rules keep from the remote's partner.
    pub withheld: u64,
    /// Versions the remote refused (its status resource lists them).
    pub push_failures: u64,
    /// Versions still pending at the remote when we stopped asking.
    pub push_pending: u64,
    /// Why the sync of this remote stopped early.
    pub error: Option<String>,
}

/// Which remotes to sync and how.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// The remotes to sync (empty: every remote).
    pub names: Vec<String>,
    pub pull_only: bool,
    pub push_only: bool,
    /// Objects asked of a remote per page (it may serve fewer).
    pub page_size: u32,
}

/// Syncs the remotes one after the other (push, then pull); a remote that fails is reported
/// with its error and the others go on. `progress` counts the objects pushed and pulled.
pub fn sync(
    store: &mut Store,
    actor: &Actor,
    key: &KeySource,
    options: &SyncOptions,
    progress: &dyn Progress,
) -> crate::Result<Vec<SyncReport>> {
    authorize(actor, Action::Sync)?;
    let all = open_tokens(store, key).map_err(|e| Error::Unavailable(format!("{e:#}")))?;
    if all.is_empty() {
        return Err(Error::Conflict(
            "no remotes: add one with `meridian remote add NAME --url …`".to_owned(),
        ));
    }
    let mut remotes = Vec::new();
    if options.names.is_empty() {
        remotes = all;
    } else {
        for name in &options.names {
            let remote = all
                .iter()
                .find(|r| &r.name == name)
                .ok_or_else(|| Error::NotFound {
                    what: "remote",
                    id: name.clone(),
                })?;
            remotes.push(remote.clone());
        }
    }
    let validator = stix::Validator::new();
    let mut reports = Vec::with_capacity(remotes.len());
    for remote in &remotes {
        let mut report = SyncReport {
            remote: remote.name.clone(),
            ..SyncReport::default()
        };
        let synced = Client::new(remote, options.page_size).and_then(|client| {
            let job = Job {
                remote,
                client,
                push: remote.push && !options.pull_only,
                pull: remote.pull && !options.push_only,
            };
            sync_remote(store, &validator, &job, &mut report, progress)
        });
        if let Err(e) = synced {
            tracing::error!(remote = %remote.name, error = %format!("{e:#}"), "sync failed");
            report.error = Some(format!("{e:#}"));
        }
        // The pulled objects have their own entries (`store_batch`); this one records the run.
        crate::audit::record(
            store,
            actor,
            "remote.sync",
            &[&remote.name],
            format!("{report:?}").as_bytes(),
        )?;
        reports.push(report);
    }
    Ok(reports)
}

/// The cursors of one remote as the sync moves them; saved after each committed step.
struct Cursors<'a> {
    name: &'a str,
    pull: Option<String>,
    push: i64,
}

impl Cursors<'_> {
    fn save(&self, store: &mut Store) -> anyhow::Result<()> {
        store.set_remote_cursors(self.name, self.pull.as_deref(), self.push, &crate::now())?;
        Ok(())
    }
}

/// One remote to sync, and in which directions.
struct Job<'a> {
    remote: &'a Remote,
    client: Client,
    push: bool,
    pull: bool,
}

fn sync_remote(
    store: &mut Store,
    validator: &stix::Validator,
    job: &Job<'_>,
    report: &mut SyncReport,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    let remote = job.remote;
    let mut cursors = Cursors {
        name: &remote.name,
        pull: remote.pull_cursor.clone(),
        push: remote.push_cursor,
    };
    if job.push {
        progress.start(&format!("push {}", remote.name), None);
        let pushed = push_objects(store, job, &mut cursors, report, progress);
        progress.finish();
        pushed.context("pushing")?;
    }
    if job.pull {
        progress.start(&format!("pull {}", remote.name), None);
        let pulled = pull_objects(store, validator, job, &mut cursors, report, progress);
        progress.finish();
        pulled.context("pulling")?;
    }
    cursors.save(store)
}

fn push_objects(
    store: &mut Store,
    job: &Job<'_>,
    cursors: &mut Cursors<'_>,
    report: &mut SyncReport,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    let remote = job.remote;
    let release = crate::sharing::Release::load(store, &remote.partner_id)?;
    if !release.can_read(&remote.local_collection) {
        tracing::warn!(
            remote = %remote.name,
            partner = %remote.partner_id,
            collection = %remote.local_collection,
            "no agreement grants the remote's partner read on the collection: nothing is pushed"
        );
    }
    let max_bytes = job.client.max_content_length();
    let mut query = ObjectQuery {
        collection_id: remote.local_collection.clone(),
        versions: VersionMatch::All,
        limit: ENVELOPE,
        ..ObjectQuery::default()
    };
    let mut envelope = Envelope::default();
    loop {
        query.after_seq = Some(cursors.push);
        let rows = store.objects(&query)?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            return Ok(());
        };
        // Every row up to `done` is pushed, withheld or skipped.
        let mut done = cursors.push;
        for row in &rows {
            let before = std::mem::replace(&mut done, row.seq);
            // Never back to where it came from (not a TLP decision, so not "withheld").
            if row.source.as_deref() == Some(remote.name.as_str()) {
                continue;
            }
            if !release.allows(row, Path::Federation, Some(&remote.name)) {
                report.withheld += 1;
                continue;
            }
            let text = release.text(row);
            if Envelope::EMPTY_LEN + text.len() > max_bytes {
                tracing::warn!(
                    remote = %remote.name,
                    id = %row.object_id,
                    version = %row.version,
                    bytes = text.len(),
                    max_bytes,
                    "an object larger than the remote accepts was not pushed"
                );
                report.push_failures += 1;
                continue;
            }
            if envelope.len() + text.len() + 1 > max_bytes {
                envelope.send(job, report, progress)?;
                cursors.push = before;
                cursors.save(store)?;
            }
            envelope.push(&text);
        }
        envelope.send(job, report, progress)?;
        cursors.push = last;
        cursors.save(store)?;
        if rows.len() < ENVELOPE {
            return Ok(());
        }
    }
}

/// A TAXII envelope being filled (at most [`ENVELOPE`] objects: one page of rows).
#[derive(Default)]
struct Envelope {
    /// The objects' JSON, comma-separated.
    objects: String,
    count: u64,
}

impl Envelope {
    /// The length of `{"objects":[]}`.
    const EMPTY_LEN: usize = 15;

    fn len(&self) -> usize {
        Self::EMPTY_LEN + self.objects.len()
    }

    fn push(&mut self, object: &str) {
        if self.count > 0 {
            self.objects.push(',');
        }
        self.objects.push_str(object);
        self.count += 1;
    }

    /// POSTs the envelope, unless empty, counts what the remote's status says, and empties it.
    fn send(
        &mut self,
        job: &Job<'_>,
        report: &mut SyncReport,
        progress: &dyn Progress,
    ) -> anyhow::Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        let body = format!("{{\"objects\":[{}]}}", self.objects);
        let status = job.client.post_envelope(&body)?;
        report.pushed += status.count("success_count");
        report.push_failures += status.count("failure_count");
        report.push_pending += status.count("pending_count");
        status.warn_failures(&job.remote.name);
        progress.advance(self.count);
        *self = Envelope::default();
        Ok(())
    }
}

fn pull_objects(
    store: &mut Store,
    validator: &stix::Validator,
    job: &Job<'_>,
    cursors: &mut Cursors<'_>,
    report: &mut SyncReport,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    let remote = job.remote;
    let mut added_after = cursors.pull.clone();
    let mut next: Option<String> = None;
    loop {
        let page = job
            .client
            .get_objects(added_after.as_deref(), next.as_deref())?;
        let mut checked = Vec::with_capacity(page.objects.len());
        for object in &page.objects {
            match Checked::new(validator, object) {
                Ok(c) => checked.push(c),
                Err(e) => {
                    tracing::warn!(remote = %remote.name, error = %e, "refused an invalid object");
                    report.invalid += 1;
                }
            }
        }
        if !checked.is_empty() {
            let outcome = crate::sharing::store_batch(
                store,
                &Actor::Partner(remote.partner_id.clone()),
                &remote.local_collection,
                &mut checked,
                &[],
                None,
                Some(&remote.name),
            )?;
            report.pulled += outcome.added;
            report.duplicates += outcome.duplicates;
        }
        progress.advance(page.objects.len() as u64);
        let advanced = page.date_added_last.is_some();
        if let Some(last) = page.date_added_last {
            cursors.pull = Some(last);
            cursors.save(store)?;
        }
        if !page.more {
            return Ok(());
        }
        match page.next {
            Some(n) => next = Some(n),
            // A server without `next` pages by `added_after` alone.
            None if advanced => {
                added_after = cursors.pull.clone();
                next = None;
            }
            None => bail!(
                "the remote says there is more but gives neither `next` nor X-TAXII-Date-Added-Last"
            ),
        }
    }
}

/// One page of a remote collection's objects.
struct Page {
    objects: Vec<Value>,
    more: bool,
    next: Option<String>,
    date_added_last: Option<String>,
}

/// A TAXII status resource.
struct Status(Value);

impl Status {
    fn count(&self, field: &str) -> u64 {
        self.0.get(field).and_then(Value::as_u64).unwrap_or(0)
    }

    fn warn_failures(&self, remote: &str) {
        for failure in self
            .0
            .get("failures")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let text = |k: &str| failure.get(k).and_then(Value::as_str).unwrap_or("");
            tracing::warn!(
                remote,
                id = text("id"),
                version = text("version"),
                message = text("message"),
                "the remote refused an object"
            );
        }
    }
}

/// HTTP to one remote, authenticated.
struct Client {
    agent: ureq::Agent,
    api_root: String,
    objects_url: String,
    authorization: String,
    page_size: u32,
}

impl Client {
    fn new(remote: &Remote, page_size: u32) -> anyhow::Result<Client> {
        check_url(&remote.api_root)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("remote URL {}", remote.api_root))?;
        let authorization = if remote.user.is_empty() {
            format!("Bearer {}", remote.token)
        } else {
            let pair = format!("{}:{}", remote.user, remote.token);
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        };
        Ok(Client {
            agent: agent(&remote.api_root),
            api_root: remote.api_root.clone(),
            objects_url: format!(
                "{}collections/{}/objects/",
                remote.api_root, remote.collection_id
            ),
            authorization,
            page_size,
        })
    }

    fn get_objects(&self, added_after: Option<&str>, next: Option<&str>) -> anyhow::Result<Page> {
        let mut request = self
            .agent
            .get(&self.objects_url)
            .header("Accept", TAXII)
            .header("Authorization", &self.authorization)
            .query("match[version]", "all")
            .query("limit", self.page_size.to_string());
        if let Some(after) = added_after {
            request = request.query("added_after", after);
        }
        if let Some(next) = next {
            request = request.query("next", next);
        }
        let response = request
            .call()
            .with_context(|| format!("GET {}", self.objects_url))?;
        let date_added_last = response
            .headers()
            .get("x-taxii-date-added-last")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = answer(response, &format!("GET {}", self.objects_url))?;
        let more = body.get("more").and_then(Value::as_bool).unwrap_or(false);
        let next = match body.get("next") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let objects = match body.get("objects") {
            Some(Value::Array(objects)) => objects.clone(),
            None => Vec::new(),
            Some(_) => bail!("GET {}: \"objects\" is not an array", self.objects_url),
        };
        Ok(Page {
            objects,
            more,
            next,
            date_added_last,
        })
    }

    /// The API root's `max_content_length`; [`DEFAULT_MAX_CONTENT`] when it does not say.
    fn max_content_length(&self) -> usize {
        let answer = self
            .agent
            .get(&self.api_root)
            .header("Accept", TAXII)
            .header("Authorization", &self.authorization)
            .call()
            .map_err(anyhow::Error::from)
            .and_then(|response| answer(response, &format!("GET {}", self.api_root)));
        match answer {
            Ok(root) => root
                .get("max_content_length")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(DEFAULT_MAX_CONTENT),
            Err(e) => {
                tracing::debug!(error = %format!("{e:#}"), "no API root information");
                DEFAULT_MAX_CONTENT
            }
        }
    }

    /// POSTs an envelope and returns its final status resource (a pending one is read again
    /// a few times).
    fn post_envelope(&self, envelope: &str) -> anyhow::Result<Status> {
        let what = format!("POST {}", self.objects_url);
        let response = self
            .agent
            .post(&self.objects_url)
            .header("Accept", TAXII)
            .header("Authorization", &self.authorization)
            .content_type(TAXII)
            .send(envelope)
            .with_context(|| what.clone())?;
        let mut status = answer(response, &what)?;
        for _ in 0..STATUS_POLLS {
            if status.get("status").and_then(Value::as_str) != Some("pending") {
                break;
            }
            let Some(id) = status.get("id").and_then(Value::as_str) else {
                break;
            };
            std::thread::sleep(STATUS_POLL_DELAY);
            let url = format!("{}status/{id}/", self.api_root);
            let response = self
                .agent
                .get(&url)
                .header("Accept", TAXII)
                .header("Authorization", &self.authorization)
                .call()
                .with_context(|| format!("GET {url}"))?;
            status = answer(response, &format!("GET {url}"))?;
        }
        Ok(Status(status))
    }
}

/// The JSON body of a successful answer; otherwise an error with the status and the TAXII
/// error resource's title and description.
fn answer(response: ureq::http::Response<ureq::Body>, what: &str) -> anyhow::Result<Value> {
    let status = response.status();
    let bytes = response
        .into_body()
        .with_config()
        .limit(MAX_PAGE_BODY)
        .read_to_vec()
        .with_context(|| format!("{what}: reading the answer"))?;
    if !status.is_success() {
        let detail = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .map(|e| {
                let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                format!(": {} {}", text("title"), text("description"))
            })
            .unwrap_or_default();
        bail!("{what}: HTTP {status}{}", detail.trim_end());
    }
    serde_json::from_slice(&bytes).with_context(|| format!("{what}: the answer is not JSON"))
}
