//! The demo world (§7): [`build`] stores the generated atlas, its synthetic intel and SBOMs and
//! the exchange below in one transaction.
//!
//! The demo's exchange (§4, §7): partner CSIRTs for the 15 foreign countries with the most
//! assets (plus an energy-sector CSIRT), sharing agreements (bilateral and multilateral,
//! ceilings GREEN to AMBER+STRICT), two collections holding objects at every TLP (alert
//! packages and indicators), alerts from the demo's intel findings with notifications in every
//! state, and incidents, cyber and physical.
//!
//! Deterministic from the seed: every choice is drawn from SHA-256 of the seed and a label.
//! Times are laid out over the year before today (midnight UTC), so the same seed gives the
//! same records relative to the day it runs. Names are marked synthetic.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Context;
use exchange::notification::NotificationState;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use store::{
    Agreement, AgreementKind, Collection, CollectionGrant, IncidentKind, IncidentReport,
    Notification, Partner, Store, Tlp,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::Actor;
use crate::alerts::{self, NewAlert, checked_all, rows};
use crate::intel::ActiveFinding;
use crate::notifications::advance_all;

/// How many country CSIRTs the demo registers.
const COUNTRY_PARTNERS: usize = 15;
/// How many alerts it issues: the first (days old, on the CVE with the most affected assets)
/// with notifications still drafted, sent or acknowledged, the older ones with notifications
/// that have run their course.
const ALERTS: usize = 5;
const ALERT_DAYS_AGO: [i64; ALERTS] = [5, 330, 260, 190, 120];
const ALERT_TLPS: [Tlp; ALERTS] = [
    Tlp::Amber,
    Tlp::Green,
    Tlp::AmberStrict,
    Tlp::Clear,
    Tlp::Amber,
];
/// Standalone incidents besides the ones behind exploited notifications.
const INCIDENTS: [(IncidentKind, &str); 10] = [
    (IncidentKind::Cyber, "ransomware"),
    (IncidentKind::Physical, "sabotage"),
    (IncidentKind::Cyber, "intrusion"),
    (IncidentKind::Physical, "explosive-device"),
    (IncidentKind::Physical, "natural-hazard"),
    (IncidentKind::Cyber, "sighting"),
    (IncidentKind::Physical, "cable-cut"),
    (IncidentKind::Cyber, "ddos"),
    (IncidentKind::Physical, "natural-hazard"),
    (IncidentKind::Cyber, "intrusion"),
];

/// How to build the demo world.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Seed of the generator: the same seed gives the same world.
    pub seed: u64,
    pub assets: usize,
    /// The installation's home country.
    pub home: [u8; 2],
    /// Replace the atlas that is stored.
    pub reset: bool,
}

/// What one demo build wrote.
#[derive(Debug)]
pub struct Built {
    pub report: store::ImportReport,
    /// Intel documents and SBOMs stored.
    pub advisories: usize,
    /// `None` when partners were stored already (the exchange is left as it is).
    pub exchange: Option<Summary>,
}

/// Builds the demo world in one transaction (`Store::atomically`): `reset`, the atlas, the
/// synthetic intel and SBOMs and the exchange data are committed together or not at all, so an
/// error or a killed process leaves the database as it was. `after` is called after each step
/// (`reset`, `atlas`, `intel`, `exchange`): an error from it undoes everything (the command
/// line's test hook).
pub fn build(
    store: &mut Store,
    actor: &Actor,
    options: &DemoOptions,
    progress: &dyn crate::Progress,
    after: &dyn Fn(&str) -> anyhow::Result<()>,
) -> anyhow::Result<Built> {
    crate::authz::authorize(actor, crate::authz::Action::ImportAtlas)?;
    let home = String::from_utf8_lossy(&options.home).into_owned();
    let world = world::World::new(world::WorldSpec {
        seed: options.seed,
        assets: options.assets,
        home,
    })?;
    let total = world.expected_records() as u64;
    store.atomically(|store| -> anyhow::Result<Built> {
        if options.reset {
            store.clear_atlas()?;
            after("reset")?;
        }
        progress.start("demo world", Some(total));
        let done = std::sync::atomic::AtomicU64::new(0);
        let report = store
            .bulk_load(world.assets(), world.dependencies(), &|now| {
                let before = done.swap(now, std::sync::atomic::Ordering::Relaxed);
                progress.advance(now.saturating_sub(before));
            })
            .context("loading the demo world (use --reset to replace an existing atlas)")?;
        progress.finish();
        after("atlas")?;
        // Synthetic advisories for the world's products, through the intel import's path.
        let documents = world::demo_intel(options.seed)
            .into_iter()
            .map(|(name, bytes)| (format!("demo:{name}"), bytes))
            .collect();
        let mut advisories =
            crate::intel::import_documents(store, documents, None, progress, actor)
                .context("loading the demo's synthetic vulnerability data")?
                .len();
        after("intel")?;
        // Synthetic SBOMs attached to a few of the first assets that run software.
        let candidates: Vec<(String, String)> = world
            .assets()
            .filter(|a| !a.products.is_empty())
            .take(200)
            .map(|a| (a.id, a.name))
            .collect();
        for (asset, name, bytes) in world::demo_sboms(options.seed, &candidates) {
            advisories += crate::intel::import_documents(
                store,
                vec![(format!("demo:{name}"), bytes)],
                Some(&asset),
                progress,
                actor,
            )
            .context("attaching the demo's synthetic SBOMs")?
            .len();
        }
        crate::audit::record(
            store,
            actor,
            "demo.atlas",
            &[],
            format!(
                "seed {}: {} assets, {} dependencies",
                options.seed, report.assets.created, report.dependencies.created
            )
            .as_bytes(),
        )?;
        // Partner CSIRTs, agreements, collections, alerts, notifications and incidents, and
        // the coordination register.
        progress.start("exchange and coordination", None);
        let exchange = populate(store, actor, options.home, options.seed)
            .context("adding the demo's exchange data")?;
        progress.finish();
        after("exchange")?;
        Ok(Built {
            report,
            advisories,
            exchange,
        })
    })
}

/// What the demo added.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub partners: usize,
    pub agreements: usize,
    pub collections: usize,
    pub objects: u64,
    pub alerts: usize,
    pub notifications: usize,
    pub incidents: usize,
    /// Coordination register records.
    pub records: usize,
    /// Deconfliction flags raised on them.
    pub flags: usize,
}

/// Deterministic draws from the seed.
pub(crate) struct Draw(pub(crate) u64);

impl Draw {
    pub(crate) fn u64(&self, label: &str) -> u64 {
        let digest = Sha256::new()
            .chain_update(self.0.to_le_bytes())
            .chain_update(label.as_bytes())
            .finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }

    /// In `lo..=hi`.
    pub(crate) fn between(&self, label: &str, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.u64(label) % span).unwrap_or(0)
    }

    /// A UUID (v5) named by the seed and `label`.
    fn uuid(&self, label: &str) -> String {
        uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("meridian demo {} {label}", self.0).as_bytes(),
        )
        .to_string()
    }
}

/// An instant as stored.
fn stamp(t: OffsetDateTime) -> anyhow::Result<String> {
    let text = t.format(&Rfc3339).context("formatting a demo time")?;
    exchange::incident::timestamp(&text).context("a demo time out of range")
}

/// Adds the exchange part of the demo world, unless partners are stored already (`None`).
pub fn populate(
    store: &mut Store,
    actor: &Actor,
    home: [u8; 2],
    seed: u64,
) -> anyhow::Result<Option<Summary>> {
    let home_text = String::from_utf8_lossy(&home).into_owned();
    if !store.partners()?.is_empty() {
        return Ok(None);
    }
    let draw = Draw(seed);
    let today = OffsetDateTime::now_utc().date().midnight().assume_utc();
    let year_ago = stamp(today - Duration::days(365))?;
    let mut summary = Summary::default();

    // Partners: the foreign countries with the most assets, by count then code.
    let stats = store.stats(&model::HomeCountry(home_text.clone()))?;
    let mut countries: Vec<(&String, &u64)> = stats
        .by_country
        .iter()
        .filter(|(cc, _)| cc.as_str() != home_text && model::country(cc).is_some())
        .collect();
    countries.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let mut partners: Vec<Partner> = countries
        .iter()
        .take(COUNTRY_PARTNERS)
        .map(|(cc, _)| {
            let name = model::country(cc).map_or(cc.as_str(), |c| c.name);
            let slug = cc.to_ascii_lowercase();
            Partner {
                id: format!("cert-{slug}"),
                name: format!("{name} national CSIRT (synthetic)"),
                country: (*cc).clone(),
                constituency_countries: vec![(*cc).clone()],
                constituency_sectors: Vec::new(),
                trust_tier: u8::try_from(draw.between(&format!("tier {cc}"), 1, 3)).unwrap_or(2),
                contacts: vec![format!("incident@cert-{slug}.example")],
                public_key: None,
                anonymise: draw.u64(&format!("anonymise {cc}")).is_multiple_of(5),
                created_at: year_ago.clone(),
            }
        })
        .collect();
    let Some(first) = partners.first().cloned() else {
        return Ok(None);
    };
    {
        let slug = first.country.to_ascii_lowercase();
        let name = model::country(&first.country).map_or(first.country.as_str(), |c| c.name);
        partners.push(Partner {
            id: format!("cert-{slug}-energy"),
            name: format!("{name} energy-sector CSIRT (synthetic)"),
            constituency_sectors: vec!["ENERGY".to_owned()],
            trust_tier: 1,
            contacts: vec![format!("soc@energy-cert-{slug}.example")],
            anonymise: false,
            ..first
        });
    }
    for p in &partners {
        store.add_partner(p)?;
    }
    summary.partners = partners.len();

    // Collections and agreements.
    let alerts_collection = Collection {
        id: draw.uuid("collection alerts"),
        title: "Vulnerability alerts (demo)".to_owned(),
        description: "Alert packages: vulnerability, course of action, report.".to_owned(),
        created_at: year_ago.clone(),
    };
    let indicators = Collection {
        id: draw.uuid("collection indicators"),
        title: "Threat indicators (demo)".to_owned(),
        description: "Synthetic indicators at every TLP.".to_owned(),
        created_at: year_ago.clone(),
    };
    for c in [&alerts_collection, &indicators] {
        store.add_collection(c)?;
    }
    summary.collections = 2;
    let grant = |c: &Collection, write: bool| CollectionGrant {
        collection_id: c.id.clone(),
        read: true,
        write,
    };
    let ids: Vec<String> = partners.iter().map(|p| p.id.clone()).collect();
    let mut agreements = vec![
        Agreement {
            id: "demo-core-network".to_owned(),
            title: "Core CSIRT network (synthetic)".to_owned(),
            kind: AgreementKind::Multilateral,
            parties: ids.iter().take(5).cloned().collect(),
            highest_tlp: Tlp::Amber,
            purpose: "Coordinated vulnerability response and incident handling".to_owned(),
            retention_days: Some(365),
            grants: vec![grant(&alerts_collection, false), grant(&indicators, true)],
            created_at: year_ago.clone(),
        },
        Agreement {
            id: "demo-regional-exchange".to_owned(),
            title: "Regional information exchange (synthetic)".to_owned(),
            kind: AgreementKind::Multilateral,
            parties: ids.iter().skip(5).take(5).cloned().collect(),
            highest_tlp: Tlp::Green,
            purpose: "Situational awareness".to_owned(),
            retention_days: Some(180),
            grants: vec![grant(&alerts_collection, false), grant(&indicators, false)],
            created_at: year_ago.clone(),
        },
    ];
    let ceilings = [Tlp::Green, Tlp::Amber, Tlp::AmberStrict];
    for (i, id) in ids
        .iter()
        .enumerate()
        .skip(10)
        .chain(ids.iter().enumerate().take(1))
    {
        let tlp = ceilings[i % ceilings.len()];
        agreements.push(Agreement {
            id: format!("demo-bilateral-{id}"),
            title: format!("Bilateral agreement with {id} (synthetic)"),
            kind: AgreementKind::Bilateral,
            parties: vec![id.clone()],
            highest_tlp: tlp,
            purpose: "Victim notification and alerts".to_owned(),
            retention_days: None,
            grants: vec![
                grant(&alerts_collection, false),
                grant(&indicators, tlp == Tlp::AmberStrict),
            ],
            created_at: year_ago.clone(),
        });
    }
    agreements.retain(|a| !a.parties.is_empty());
    for a in &agreements {
        store.add_agreement(a)?;
    }
    summary.agreements = agreements.len();

    // Indicators, one at each TLP.
    let objects: Vec<serde_json::Value> = Tlp::ALL
        .iter()
        .enumerate()
        .map(|(k, tlp)| -> anyhow::Result<serde_json::Value> {
            let created = stamp(today - Duration::days(300 - 40 * k as i64))?;
            let mut o = json!({
                "type": "indicator",
                "spec_version": "2.1",
                "id": format!("indicator--{}", draw.uuid(&format!("indicator {k}"))),
                "created": created,
                "modified": created,
                "name": format!("Demo command-and-control address {} (synthetic)", k + 1),
                "indicator_types": ["malicious-activity"],
                "pattern": format!("[ipv4-addr:value = '198.51.100.{}']", 10 + k),
                "pattern_type": "stix",
                "valid_from": created,
            });
            stix::tlp::set_marking(&mut o, *tlp);
            Ok(o)
        })
        .collect::<anyhow::Result<_>>()?;
    let validator = stix::Validator::new();
    let checked = checked_all(&validator, &objects)?;
    let named = [ids.first().cloned().unwrap_or_default()];
    store.add_objects(&indicators.id, &rows(&checked, &named))?;

    // Alerts: the CVEs with the most affected assets in the partners' countries, KEV-listed
    // ones (exploited before any of these alerts) mixed with others.
    let countries: BTreeSet<&str> = partners.iter().map(|p| p.country.as_str()).collect();
    let findings = crate::intel::with_context(store, home, &(), |store, context| {
        crate::intel::active_findings(store, context, None)
    })?;
    let mut country_of: HashMap<String, String> = HashMap::new();
    for f in &findings {
        if !country_of.contains_key(&f.asset)
            && let Some(asset) = store.get_asset(&f.asset)?
        {
            country_of.insert(asset.id, asset.country);
        }
    }
    let mut by_cve: BTreeMap<String, Vec<ActiveFinding>> = BTreeMap::new();
    for f in findings {
        if country_of
            .get(&f.asset)
            .is_some_and(|c| countries.contains(c.as_str()))
        {
            by_cve.entry(f.cve.clone()).or_default().push(f);
        }
    }
    let kev = crate::intel::kev_dates_added(store, &())?;
    let mut ranked: Vec<(&String, usize)> = by_cve
        .iter()
        .map(|(cve, fs)| {
            (
                cve,
                fs.iter().map(|f| &f.asset).collect::<BTreeSet<_>>().len(),
            )
        })
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let (listed, unlisted): (Vec<_>, Vec<_>) =
        ranked.iter().partition(|(c, _)| kev.contains_key(*c));
    let mut chosen: Vec<String> = unlisted.iter().take(3).map(|(c, _)| (*c).clone()).collect();
    chosen.extend(
        listed
            .iter()
            .take(ALERTS - chosen.len())
            .map(|(c, _)| (*c).clone()),
    );
    chosen.extend(
        unlisted
            .iter()
            .skip(3)
            .take(ALERTS.saturating_sub(chosen.len()))
            .map(|(c, _)| (*c).clone()),
    );

    let mut timelines = Timelines {
        draw: &draw,
        now: OffsetDateTime::now_utc(),
        settled: 0,
        recent: 0,
        moves: Vec::new(),
        incidents: Vec::new(),
    };
    for (i, cve) in chosen.iter().enumerate() {
        let created = today - Duration::days(ALERT_DAYS_AGO[i]) + Duration::hours(9);
        let args = NewAlert {
            cve: cve.clone(),
            findings: Vec::new(),
            assets: Vec::new(),
            tlp: ALERT_TLPS[i],
            collection: Some(alerts_collection.id.clone()),
            title: None,
            remediation: "Apply the vendor's fixed release (synthetic demo advisory).".to_owned(),
            publisher: "Meridian demo hub (synthetic)".to_owned(),
            at: Some(stamp(created)?),
        };
        let findings = by_cve.remove(cve).unwrap_or_default();
        let (_, notifications) = alerts::build(store, actor, &validator, &args, findings)
            .with_context(|| format!("the demo alert for {cve}"))?;
        summary.alerts += 1;
        summary.notifications += notifications.len();
        let recent = i == 0;
        for n in &notifications {
            timelines.play(n, created, recent)?;
        }
    }

    let moves: Vec<(&str, NotificationState, &str)> = timelines
        .moves
        .iter()
        .map(|(id, state, at)| (id.as_str(), *state, at.as_str()))
        .collect();
    advance_all(store, actor, &moves).context("playing the demo notifications")?;

    // Incidents: behind the notifications above, and standalone ones on the first assets (by
    // id) of a partner's country.
    let mut reports = std::mem::take(&mut timelines.incidents);
    for (k, (kind, category)) in INCIDENTS.iter().enumerate() {
        let label = format!("incident {k}");
        let country_partners = COUNTRY_PARTNERS.min(partners.len());
        let partner = &partners[usize::try_from(draw.u64(&label)).unwrap_or(0) % country_partners];
        let filter = store::AssetFilter {
            country: Some(partner.country.clone()),
            ..store::AssetFilter::default()
        };
        let candidates = store.list_assets(&filter, 200, 0)?;
        if candidates.is_empty() {
            continue;
        }
        let pick = usize::try_from(draw.u64(&format!("{label} asset"))).unwrap_or(0);
        let asset = &candidates[pick % candidates.len()].id;
        let occurred = today - Duration::days(draw.between(&format!("{label} day"), 3, 360));
        let reported = (occurred + Duration::hours(draw.between(&format!("{label} delay"), 2, 72)))
            .min(OffsetDateTime::now_utc());
        reports.push(IncidentReport {
            partner_id: Some(partner.id.clone()),
            reporter: partner.id.clone(),
            kind: *kind,
            category: (*category).to_owned(),
            description: format!("Synthetic demo incident: {category} at {asset}."),
            occurred_at: stamp(occurred)?,
            reported_at: stamp(reported)?,
            stix_id: None,
            severity: u8::try_from(draw.between(&format!("{label} severity"), 1, 5)).unwrap_or(3),
            assets: vec![asset.clone()],
        });
    }
    reports.sort_by(|a, b| a.reported_at.cmp(&b.reported_at));
    summary.incidents = store.add_incidents(&reports)?.len();
    // Objects stored, counted where they are: alerts share their STIX identity and
    // vulnerability objects, so counting each alert's ids would count those twice.
    summary.objects = crate::partners::collections(store)?
        .iter()
        .map(|(_, n)| n)
        .sum();
    // A year of coordination records, planted conflicts and annual targets.
    (summary.records, summary.flags) =
        crate::coordination::demo::populate(store, actor, home, &draw, today, &partners)
            .context("adding the demo's coordination register")?;
    // The alerts and notifications have their own entries; this one records the rest.
    crate::audit::record(
        store,
        actor,
        "demo.exchange",
        &[],
        format!("seed {seed}: {summary:?}").as_bytes(),
    )?;
    Ok(Some(summary))
}

/// Plays notifications forward through plausible timelines.
struct Timelines<'a> {
    draw: &'a Draw,
    now: OffsetDateTime,
    /// Notifications of older alerts played so far: their scenario cycles through every
    /// outcome.
    settled: usize,
    /// Notifications of the newest alert played so far.
    recent: usize,
    /// `(notification, state, at)` in order, to apply afterwards.
    moves: Vec<(String, NotificationState, String)>,
    /// Exploitation incidents behind some outcomes, to store afterwards.
    incidents: Vec<IncidentReport>,
}

/// Where a notification ends up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Drafted,
    Sent,
    Acknowledged,
    /// Mitigated, with no exploitation seen first (unless the CVE is in KEV).
    Mitigated,
    /// Mitigated after an intrusion on its asset.
    MitigatedLate,
    Exploited,
    ClosedMitigated,
    ClosedExploited,
}

const SETTLED: [Scenario; 6] = [
    Scenario::Mitigated,
    Scenario::Exploited,
    Scenario::ClosedMitigated,
    Scenario::MitigatedLate,
    Scenario::ClosedExploited,
    Scenario::Acknowledged,
];
const RECENT: [Scenario; 3] = [Scenario::Drafted, Scenario::Sent, Scenario::Acknowledged];

impl Timelines<'_> {
    fn hours(&self, n: &Notification, what: &str, lo: i64, hi: i64) -> Duration {
        Duration::hours(self.draw.between(&format!("{} {what}", n.id), lo, hi))
    }

    fn play(
        &mut self,
        n: &Notification,
        created: OffsetDateTime,
        recent: bool,
    ) -> anyhow::Result<()> {
        let scenario = if recent {
            self.recent += 1;
            RECENT[self.recent % RECENT.len()]
        } else {
            self.settled += 1;
            SETTLED[self.settled % SETTLED.len()]
        };
        if scenario == Scenario::Drafted {
            return Ok(());
        }
        let mut steps = Vec::new();
        let sent = created + self.hours(n, "sent", 2, 48);
        steps.push((NotificationState::Sent, sent));
        if scenario == Scenario::Sent {
            return self.apply(n, &steps);
        }
        let acked = sent + self.hours(n, "acknowledged", 3, 96);
        let exploited_path = matches!(scenario, Scenario::Exploited | Scenario::ClosedExploited);
        // Half the exploited victims never acknowledged before the attack.
        if !exploited_path || self.draw.u64(&format!("{} ack", n.id)).is_multiple_of(2) {
            steps.push((NotificationState::Acknowledged, acked));
        }
        let outcome = match scenario {
            Scenario::Mitigated | Scenario::ClosedMitigated => Some((
                NotificationState::Mitigated,
                acked + self.hours(n, "mitigated", 48, 900),
            )),
            Scenario::MitigatedLate => {
                let attacked = acked + self.hours(n, "attacked", 24, 240);
                self.intrusion(n, attacked, "intrusion", 3)?;
                Some((
                    NotificationState::Mitigated,
                    attacked + self.hours(n, "mitigated", 24, 480),
                ))
            }
            Scenario::Exploited | Scenario::ClosedExploited => {
                let attacked = acked + self.hours(n, "attacked", 24, 720);
                self.intrusion(n, attacked - Duration::hours(6), "ransomware", 4)?;
                Some((NotificationState::Exploited, attacked))
            }
            Scenario::Drafted | Scenario::Sent | Scenario::Acknowledged => None,
        };
        if let Some((state, at)) = outcome {
            steps.push((state, at));
            if matches!(
                scenario,
                Scenario::ClosedMitigated | Scenario::ClosedExploited
            ) {
                steps.push((
                    NotificationState::Closed,
                    at + self.hours(n, "closed", 120, 720),
                ));
            }
        }
        self.apply(n, &steps)
    }

    /// Queues the moves through `steps`, stopping at the first one not yet due.
    fn apply(
        &mut self,
        n: &Notification,
        steps: &[(NotificationState, OffsetDateTime)],
    ) -> anyhow::Result<()> {
        for (state, at) in steps.iter().take_while(|(_, at)| *at <= self.now) {
            self.moves.push((n.id.clone(), *state, stamp(*at)?));
        }
        Ok(())
    }

    /// A cyber incident on the notification's first asset, reported by its partner.
    fn intrusion(
        &mut self,
        n: &Notification,
        at: OffsetDateTime,
        category: &str,
        severity: u8,
    ) -> anyhow::Result<()> {
        if at > self.now {
            return Ok(());
        }
        let Some(asset) = n.assets.first() else {
            return Ok(());
        };
        self.incidents.push(IncidentReport {
            partner_id: Some(n.partner_id.clone()),
            reporter: n.partner_id.clone(),
            kind: IncidentKind::Cyber,
            category: category.to_owned(),
            description: format!("Synthetic demo incident: {category} at {asset}."),
            occurred_at: stamp(at)?,
            reported_at: stamp((at + self.hours(n, "reported", 1, 48)).min(self.now))?,
            stix_id: None,
            severity,
            assets: vec![asset.clone()],
        });
        Ok(())
    }
}
