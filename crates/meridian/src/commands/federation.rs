//! `remote …` and `sync`: federation with other TAXII 2.1 servers (§4 Federation).
//!
//! A remote pairs one collection of a remote TAXII 2.1 API root with a local collection, and
//! names the local partner that stands for the remote hub's organisation: the TLP rules decide
//! what is pushed to that partner as they decide what it could read here.
//!
//! `sync` first pushes, then pulls, each remote in turn:
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

use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine as _;
use clap::{Args, Subcommand};
use exchange::policy::Path;
use serde::Serialize;
use serde_json::{Value, json};
use store::{ObjectQuery, Remote, Store, VersionMatch};

use app::sharing::Checked;

use super::sync::{agent, check_url};
use crate::config::Config;
use crate::{output, progress};

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

#[derive(Debug, Subcommand)]
pub enum RemoteCommand {
    /// Pair a local collection with a collection of a remote TAXII 2.1 server (without
    /// --pull or --push: both directions).
    Add(RemoteArgs),
    /// Every remote with its cursors (never its token).
    List,
    /// Forget a remote (objects pulled from it stay, with their provenance).
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// The remote's name here; objects pulled from it carry it as their provenance.
    pub name: String,
    /// The remote API root, e.g. `https://hub.example/taxii2/hub/` (plain HTTP only on loopback).
    #[arg(long)]
    pub url: String,
    /// The collection id at the remote.
    #[arg(long = "collection", value_name = "ID")]
    pub collection: String,
    /// The local collection pulled into and pushed from.
    #[arg(long, value_name = "ID")]
    pub local_collection: String,
    /// Our partner id at the remote (HTTP Basic user); without it the token goes as Bearer.
    #[arg(long)]
    pub user: Option<String>,
    /// Our token at the remote (stored, never shown).
    #[arg(long, env = "MERIDIAN_REMOTE_TOKEN", hide_env_values = true)]
    pub token: String,
    /// The local partner standing for the remote hub's organisation: TLP decides what we push.
    #[arg(long, value_name = "ID")]
    pub partner: String,
    /// Pull from the remote.
    #[arg(long)]
    pub pull: bool,
    /// Push to the remote.
    #[arg(long)]
    pub push: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The remotes to sync (default: every remote).
    pub names: Vec<String>,
    /// Only pull.
    #[arg(long, conflicts_with = "push_only")]
    pub pull_only: bool,
    /// Only push.
    #[arg(long)]
    pub push_only: bool,
    /// Objects asked of a remote per page (it may serve fewer).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,
}

pub fn run_remote(config: &Config, command: RemoteCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        RemoteCommand::Add(args) => add_remote(config, &mut store, args),
        RemoteCommand::List => {
            let remotes = store.remotes()?;
            if config.json {
                let rows: Vec<Value> = remotes.iter().map(remote_json).collect();
                return output::json(&rows);
            }
            output::table(
                &[
                    "name",
                    "api root",
                    "collection",
                    "local collection",
                    "partner",
                    "directions",
                    "pull cursor",
                    "push cursor",
                    "last sync",
                ],
                remotes.iter().map(|r| {
                    vec![
                        r.name.clone(),
                        r.api_root.clone(),
                        r.collection_id.clone(),
                        r.local_collection.clone(),
                        r.partner_id.clone(),
                        directions(r).to_owned(),
                        r.pull_cursor.clone().unwrap_or_default(),
                        r.push_cursor.to_string(),
                        r.last_sync.clone().unwrap_or_default(),
                    ]
                }),
            );
            Ok(())
        }
        RemoteCommand::Remove { name } => {
            if !store.remove_remote(&name)? {
                bail!("no remote named {name:?}");
            }
            output::note(config.quiet, format!("remote {name} removed"));
            Ok(())
        }
    }
}

fn directions(r: &Remote) -> &'static str {
    match (r.pull, r.push) {
        (true, true) => "pull, push",
        (true, false) => "pull",
        (false, true) => "push",
        (false, false) => "none",
    }
}

/// A remote as `remote list --json` prints it: everything but the token.
fn remote_json(r: &Remote) -> Value {
    json!({
        "name": r.name,
        "api_root": r.api_root,
        "collection": r.collection_id,
        "local_collection": r.local_collection,
        "user": r.user,
        "partner": r.partner_id,
        "pull": r.pull,
        "push": r.push,
        "pull_cursor": r.pull_cursor,
        "push_cursor": r.push_cursor,
        "last_sync": r.last_sync,
    })
}

fn add_remote(config: &Config, store: &mut Store, a: RemoteArgs) -> anyhow::Result<()> {
    let name_ok = !a.name.is_empty()
        && a.name.len() <= 64
        && a.name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        });
    if !name_ok {
        bail!(
            "remote name {:?}: use 1–64 lowercase letters, digits, '-', '_' or '.'",
            a.name
        );
    }
    check_url(&a.url).with_context(|| format!("--url {}", a.url))?;
    if !a.url.ends_with('/') {
        bail!(
            "--url {}: an API root URL ends with '/' (e.g. https://hub.example/taxii2/hub/)",
            a.url
        );
    }
    if a.collection.is_empty() || a.collection.contains(['/', '?', '#']) {
        bail!(
            "--collection {:?} is not a TAXII collection id",
            a.collection
        );
    }
    if a.token.trim().is_empty() {
        bail!("--token is empty");
    }
    if store.collection(&a.local_collection)?.is_none() {
        bail!("--local-collection: no collection {:?}", a.local_collection);
    }
    if store.partner(&a.partner)?.is_none() {
        bail!("--partner: no partner {:?}", a.partner);
    }
    let both = !a.pull && !a.push;
    let sealed = seal::Sealer::load(&config.db, true)?.seal(&a.name, a.token.trim())?;
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
    if !store.add_remote(&remote)? {
        bail!(
            "a remote {:?} exists already (remove it first)",
            remote.name
        );
    }
    output::note(
        config.quiet,
        format!("remote {} added ({})", remote.name, directions(&remote)),
    );
    Ok(())
}

/// Every remote with its token opened (see [`seal`]); a token still stored in plaintext (by an
/// earlier version) is sealed in place.
fn open_tokens(db: &str, quiet: bool, store: &mut Store) -> anyhow::Result<Vec<Remote>> {
    let mut remotes = store.remotes()?;
    if remotes.is_empty() {
        return Ok(remotes);
    }
    let plaintext = remotes.iter().any(|r| !seal::is_sealed(&r.token));
    let sealer = seal::Sealer::load(db, plaintext)?;
    for remote in &mut remotes {
        if seal::is_sealed(&remote.token) {
            remote.token = sealer.open(&remote.name, &remote.token)?;
        } else {
            store.set_remote_token(&remote.name, &sealer.seal(&remote.name, &remote.token)?)?;
            output::note(
                quiet,
                format!("remote {}: its token is now stored sealed", remote.name),
            );
        }
    }
    Ok(remotes)
}

/// What `sync` did with one remote.
#[derive(Debug, Default, Serialize)]
struct Report {
    remote: String,
    /// New object versions stored from the remote.
    pulled: u64,
    /// Versions received that were already stored.
    duplicates: u64,
    /// Objects received that are not valid STIX 2.1 (refused).
    invalid: u64,
    /// Versions the remote accepted.
    pushed: u64,
    /// Versions the TLP rules keep from the remote's partner.
    withheld: u64,
    /// Versions the remote refused (its status resource lists them).
    push_failures: u64,
    /// Versions still pending at the remote when we stopped asking.
    push_pending: u64,
    /// Why the sync of this remote stopped early.
    error: Option<String>,
}

pub fn sync(config: &Config, args: &SyncArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let all = open_tokens(&config.db, config.quiet, &mut store)?;
    if all.is_empty() {
        bail!("no remotes: add one with `meridian remote add NAME --url …`");
    }
    let mut remotes = Vec::new();
    if args.names.is_empty() {
        remotes = all;
    } else {
        for name in &args.names {
            let remote = all
                .iter()
                .find(|r| &r.name == name)
                .with_context(|| format!("no remote named {name:?}"))?;
            remotes.push(remote.clone());
        }
    }
    let validator = stix::Validator::new();
    let mut reports = Vec::with_capacity(remotes.len());
    for remote in &remotes {
        let mut report = Report {
            remote: remote.name.clone(),
            ..Report::default()
        };
        let synced = Client::new(remote, args.page_size).and_then(|client| {
            let job = Job {
                remote,
                client,
                push: remote.push && !args.pull_only,
                pull: remote.pull && !args.push_only,
            };
            sync_remote(config, &mut store, &validator, &job, &mut report)
        });
        if let Err(e) = synced {
            tracing::error!(remote = %remote.name, error = %format!("{e:#}"), "sync failed");
            report.error = Some(format!("{e:#}"));
        }
        reports.push(report);
    }
    if config.json {
        output::json(&reports)?;
    } else {
        output::table(
            &[
                "remote",
                "pulled",
                "duplicates",
                "invalid",
                "pushed",
                "withheld",
                "refused",
                "pending",
                "error",
            ],
            reports.iter().map(|r| {
                vec![
                    r.remote.clone(),
                    r.pulled.to_string(),
                    r.duplicates.to_string(),
                    r.invalid.to_string(),
                    r.pushed.to_string(),
                    r.withheld.to_string(),
                    r.push_failures.to_string(),
                    r.push_pending.to_string(),
                    r.error.clone().unwrap_or_default(),
                ]
            }),
        );
    }
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    if failed > 0 {
        bail!(
            "{failed} of {} remote(s) did not sync completely (see the error column)",
            reports.len()
        );
    }
    Ok(())
}

/// The cursors of one remote as the sync moves them; saved after each committed step.
struct Cursors<'a> {
    name: &'a str,
    pull: Option<String>,
    push: i64,
}

impl Cursors<'_> {
    fn save(&self, store: &mut Store) -> anyhow::Result<()> {
        store.set_remote_cursors(self.name, self.pull.as_deref(), self.push, &super::now())?;
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
    config: &Config,
    store: &mut Store,
    validator: &stix::Validator,
    job: &Job<'_>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let remote = job.remote;
    let mut cursors = Cursors {
        name: &remote.name,
        pull: remote.pull_cursor.clone(),
        push: remote.push_cursor,
    };
    if job.push {
        let bar = progress::bar(config.quiet, None, &format!("push {}", remote.name));
        let pushed = push_objects(store, job, &mut cursors, report, &bar);
        bar.finish_and_clear();
        pushed.context("pushing")?;
    }
    if job.pull {
        let bar = progress::bar(config.quiet, None, &format!("pull {}", remote.name));
        let pulled = pull_objects(store, validator, job, &mut cursors, report, &bar);
        bar.finish_and_clear();
        pulled.context("pulling")?;
    }
    cursors.save(store)
}

fn push_objects(
    store: &mut Store,
    job: &Job<'_>,
    cursors: &mut Cursors<'_>,
    report: &mut Report,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    let remote = job.remote;
    let release = app::sharing::Release::load(store, &remote.partner_id)?;
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
                envelope.send(job, report, bar)?;
                cursors.push = before;
                cursors.save(store)?;
            }
            envelope.push(&text);
        }
        envelope.send(job, report, bar)?;
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
        report: &mut Report,
        bar: &indicatif::ProgressBar,
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
        bar.inc(self.count);
        *self = Envelope::default();
        Ok(())
    }
}

fn pull_objects(
    store: &mut Store,
    validator: &stix::Validator,
    job: &Job<'_>,
    cursors: &mut Cursors<'_>,
    report: &mut Report,
    bar: &indicatif::ProgressBar,
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
            let outcome = app::sharing::store_batch(
                store,
                &app::Actor::Partner(remote.partner_id.clone()),
                &remote.local_collection,
                &mut checked,
                &[],
                None,
                Some(&remote.name),
            )?;
            report.pulled += outcome.added;
            report.duplicates += outcome.duplicates;
        }
        bar.inc(page.objects.len() as u64);
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
        check_url(&remote.api_root).with_context(|| format!("remote URL {}", remote.api_root))?;
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

/// Remote tokens at rest: sealed with ChaCha20-Poly1305 (the remote's name as associated data,
/// so a sealed token cannot be moved to another remote) and stored as
/// `sealed:v1:<base64url(nonce ‖ ciphertext ‖ tag)>`.
///
/// The 32-byte key is `MERIDIAN_SECRET_KEY` (64 hex digits) when set; otherwise a key file
/// of 64 hex digits, made (mode 0600) on first use: `MERIDIAN_SECRET_KEY_FILE` when set,
/// else `<database file>.key` beside a SQLite database, else
/// `$XDG_CONFIG_HOME/meridian/secret.key` (`~/.config/meridian/secret.key`) for PostgreSQL.
/// A key file readable by group or others is refused. Tokens stored in plaintext by earlier
/// versions are sealed in place by the next `sync`.
mod seal {
    use std::io::Write as _;
    use std::path::{Path, PathBuf};

    use anyhow::{Context as _, bail};
    use base64::Engine as _;
    use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
    use ring::rand::{SecureRandom as _, SystemRandom};

    const PREFIX: &str = "sealed:v1:";
    const KEY_ENV: &str = "MERIDIAN_SECRET_KEY";
    const KEY_FILE_ENV: &str = "MERIDIAN_SECRET_KEY_FILE";

    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    pub struct Sealer {
        key: LessSafeKey,
    }

    fn parse_hex(text: &str) -> Option<[u8; 32]> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(key)
    }

    /// The key file for the database `db`.
    fn key_path(db: &str) -> anyhow::Result<PathBuf> {
        if let Some(path) = std::env::var_os(KEY_FILE_ENV).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
        let file = db
            .strip_prefix("sqlite://")
            .or_else(|| db.strip_prefix("sqlite:"))
            .unwrap_or(db);
        let server = db.starts_with("postgres://") || db.starts_with("postgresql://");
        let memory = matches!(db, "sqlite::memory:" | "sqlite://:memory:" | ":memory:");
        if !server && !memory && !file.is_empty() {
            let mut path = file.to_owned();
            path.push_str(".key");
            return Ok(PathBuf::from(path));
        }
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|p| !p.is_empty())
                    .map(|h| PathBuf::from(h).join(".config"))
            })
            .with_context(|| {
                format!("no place for the secret key: set {KEY_ENV} or {KEY_FILE_ENV}")
            })?;
        Ok(config.join("meridian").join("secret.key"))
    }

    #[cfg(unix)]
    fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
        use std::os::unix::fs::OpenOptionsExt as _;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
    }

    #[cfg(not(unix))]
    fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    }

    #[cfg(unix)]
    fn refuse_readable(path: &Path) -> anyhow::Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "{}: the secret key is readable by group or others (mode {:o}); restrict it with `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn refuse_readable(_path: &Path) -> anyhow::Result<()> {
        Ok(())
    }

    /// Reads the key file at `path`, or makes it when `create` and it does not exist.
    fn key_file(path: &Path, create: bool) -> anyhow::Result<[u8; 32]> {
        if !path.exists() {
            if !create {
                bail!(
                    "the remote tokens are sealed but there is no key file {} (set {KEY_ENV} or {KEY_FILE_ENV} to where the key is)",
                    path.display()
                );
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut key = [0u8; 32];
            SystemRandom::new()
                .fill(&mut key)
                .map_err(|_| anyhow::anyhow!("the OS random number generator failed"))?;
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            match private_file(path) {
                Ok(mut file) => {
                    file.write_all(format!("{hex}\n").as_bytes())
                        .and_then(|()| file.sync_all())
                        .with_context(|| format!("writing {}", path.display()))?;
                    tracing::info!(path = %path.display(), "made the key that seals remote tokens");
                    return Ok(key);
                }
                // Made meanwhile by another process: read it.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
            }
        }
        refuse_readable(path)?;
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        parse_hex(&text)
            .with_context(|| format!("{}: not a key (64 hexadecimal digits)", path.display()))
    }

    impl Sealer {
        /// The key for the database `db` (see the module); `create` makes a missing key file.
        pub fn load(db: &str, create: bool) -> anyhow::Result<Sealer> {
            let key = match std::env::var(KEY_ENV) {
                Ok(hex) if !hex.is_empty() => parse_hex(&hex)
                    .with_context(|| format!("{KEY_ENV} is not 64 hexadecimal digits"))?,
                _ => key_file(&key_path(db)?, create)?,
            };
            let key = UnboundKey::new(&CHACHA20_POLY1305, &key)
                .map_err(|_| anyhow::anyhow!("the secret key is not a ChaCha20-Poly1305 key"))?;
            Ok(Sealer {
                key: LessSafeKey::new(key),
            })
        }

        /// `token` sealed for the remote `name`.
        pub fn seal(&self, name: &str, token: &str) -> anyhow::Result<String> {
            let mut nonce = [0u8; NONCE_LEN];
            SystemRandom::new()
                .fill(&mut nonce)
                .map_err(|_| anyhow::anyhow!("the OS random number generator failed"))?;
            let mut sealed = token.as_bytes().to_vec();
            self.key
                .seal_in_place_append_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(name.as_bytes()),
                    &mut sealed,
                )
                .map_err(|_| anyhow::anyhow!("sealing the token of remote {name} failed"))?;
            let mut out = nonce.to_vec();
            out.extend_from_slice(&sealed);
            Ok(format!(
                "{PREFIX}{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
            ))
        }

        /// The token of remote `name` from its stored, sealed form.
        pub fn open(&self, name: &str, stored: &str) -> anyhow::Result<String> {
            let wrong = || {
                anyhow::anyhow!(
                    "the stored token of remote {name} cannot be opened with this key (another {KEY_ENV} or key file?)"
                )
            };
            let bytes = stored
                .strip_prefix(PREFIX)
                .and_then(|b| {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(b)
                        .ok()
                })
                .filter(|b| b.len() > NONCE_LEN)
                .ok_or_else(wrong)?;
            let (nonce, sealed) = bytes.split_at(NONCE_LEN);
            let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
            let mut sealed = sealed.to_vec();
            let plain = self
                .key
                .open_in_place(nonce, Aad::from(name.as_bytes()), &mut sealed)
                .map_err(|_| wrong())?;
            String::from_utf8(plain.to_vec()).map_err(|_| wrong())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn tokens_round_trip_and_stay_bound_to_their_remote() {
            let dir = tempfile::tempdir().expect("tempdir");
            let db = dir.path().join("m.db");
            let db = db.to_str().expect("utf-8");
            let sealer = Sealer::load(db, true).expect("key made");
            let sealed = sealer.seal("hub-b", "mrd_secret").expect("seal");
            assert!(is_sealed(&sealed) && !sealed.contains("mrd_secret"));
            let again = Sealer::load(db, false).expect("key read");
            assert_eq!(again.open("hub-b", &sealed).expect("open"), "mrd_secret");
            assert!(again.open("hub-c", &sealed).is_err());

            // A token stored in plaintext by an earlier version is sealed by the next sync.
            let mut store = store::Store::open(db).expect("store");
            store
                .add_collection(&store::Collection {
                    id: "c".to_owned(),
                    title: "c".to_owned(),
                    description: String::new(),
                    created_at: "2026-01-01T00:00:00Z".to_owned(),
                })
                .expect("collection");
            store
                .add_partner(&store::Partner {
                    id: "hub-b".to_owned(),
                    name: "hub B".to_owned(),
                    country: "DE".to_owned(),
                    constituency_countries: Vec::new(),
                    constituency_sectors: Vec::new(),
                    trust_tier: 2,
                    contacts: Vec::new(),
                    public_key: None,
                    anonymise: false,
                    created_at: "2026-01-01T00:00:00Z".to_owned(),
                })
                .expect("partner");
            store
                .add_remote(&store::Remote {
                    name: "hub-b".to_owned(),
                    api_root: "https://hub-b.example/taxii2/hub/".to_owned(),
                    collection_id: "c".to_owned(),
                    local_collection: "c".to_owned(),
                    user: String::new(),
                    token: "mrd_plain".to_owned(),
                    partner_id: "hub-b".to_owned(),
                    pull: true,
                    push: true,
                    pull_cursor: None,
                    push_cursor: 0,
                    last_sync: None,
                })
                .expect("remote");
            let opened = super::super::open_tokens(db, true, &mut store).expect("open");
            assert_eq!(opened[0].token, "mrd_plain");
            let stored = store.remote("hub-b").expect("read").expect("remote").token;
            assert!(
                is_sealed(&stored) && !stored.contains("mrd_plain"),
                "{stored}"
            );
            let opened = super::super::open_tokens(db, true, &mut store).expect("open");
            assert_eq!(opened[0].token, "mrd_plain");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let key = dir.path().join("m.db.key");
                let mode = std::fs::metadata(&key).expect("key").permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
                std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644))
                    .expect("chmod");
                assert!(Sealer::load(db, false).is_err());
            }
        }
    }
}
