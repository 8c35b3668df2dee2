//! The coordination register (§5, Goal 3): international activities and the other records the
//! Measures of Effectiveness are computed from, added one at a time or imported in bulk from CSV
//! or JSON (all or nothing, each problem named by `file:line:field`), edited and listed.
//!
//! A [`Record`] has the fields every kind shares (the responsible office, the start and end
//! dates) and its kind's own fields, [`Details`]. Asset links are checked against the atlas and
//! keep what the stored priority ranking said when the record was written.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use store::{CoordRecord, Store};

use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::{Actor, Error, Problem, Result};

pub mod deconflict;
pub(crate) mod demo;

/// The plan's objectives, 1.1 to 3.3.
pub const OBJECTIVES: [&str; 9] = [
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3",
];

/// The office through which cross-cutting activities are meant to be coordinated (measure 3.2a).
pub const INTERNATIONAL_AFFAIRS: &str = "international-affairs";

/// The briefings a deployed person needs (measure 3.3a).
pub const REQUIRED_BRIEFINGS: [Briefing; 4] = [
    Briefing::PreDeployment,
    Briefing::Familiarisation,
    Briefing::Etiquette,
    Briefing::PreDeparture,
];

/// One record of the register.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// `<PREFIX>-NNNNNN` (the prefix names the kind); empty for a record not stored yet.
    pub id: String,
    /// The responsible office (an activity's lead office).
    pub office: String,
    /// `YYYY-MM-DD`.
    pub start: String,
    /// `YYYY-MM-DD`, not before `start`.
    pub end: String,
    pub details: Details,
}

/// The kind of a record and its own fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Details {
    /// An international activity.
    Activity {
        title: String,
        #[serde(rename = "type")]
        activity_type: ActivityType,
        #[serde(default)]
        supporting_offices: Vec<String>,
        #[serde(default)]
        partners: Vec<String>,
        /// ISO 3166-1 alpha-2 codes.
        #[serde(default)]
        countries: Vec<String>,
        /// Plan objectives, `1.1` to `3.3`.
        objectives: Vec<String>,
        status: ActivityStatus,
        #[serde(default)]
        outcomes: String,
        #[serde(default)]
        lessons_learned: String,
    },
    /// A partner's (`scope: partner`) or a domestic organisation's (`scope: domestic`) action on
    /// prioritised foreign infrastructure.
    Action {
        scope: ActionScope,
        actor: String,
        assets: Vec<String>,
        #[serde(default)]
        description: String,
        /// Filled when stored: each asset's rank in the stored ranking then.
        #[serde(default)]
        ranks: Vec<AssetRank>,
    },
    /// A service delivered to a partner, and the capability gaps it addresses.
    Service {
        partner: String,
        service: String,
        #[serde(default)]
        gaps: Vec<String>,
    },
    /// A training course of the catalogue, and the competencies it builds.
    Course {
        title: String,
        #[serde(default)]
        competencies: Vec<String>,
    },
    /// A training session of a course.
    Training {
        course: String,
        partner: String,
        region: String,
        participants: u32,
    },
    /// One participant's competency assessment after a course.
    Assessment {
        course: String,
        participant: String,
        partner: String,
        competent: bool,
    },
    /// A foreign trainer certified to train others (train-the-trainer).
    Trainer {
        partner: String,
        name: String,
        region: String,
    },
    /// A partner's answer to a capability survey (self-assessed, 1 to 5).
    Survey {
        partner: String,
        before: u8,
        after: u8,
    },
    /// A person's pre-deployment training and deployment, and their survey answer.
    Workforce {
        person: String,
        role: WorkforceRole,
        #[serde(default)]
        briefings: Vec<Briefing>,
        /// Whether the person reports improved capability; `None` before the survey.
        #[serde(default)]
        improved: Option<bool>,
    },
    /// A governance document or process put in place.
    Governance { title: String, form: GovernanceForm },
    /// A contribution to, or publication of, a technical standard.
    Standard {
        title: String,
        body: String,
        stage: StandardStage,
        /// The standard recommends secure development practices.
        #[serde(default)]
        secure_development: bool,
    },
    /// An organisation adopting Secure by Design.
    Sbd {
        organisation: String,
        country: String,
    },
    /// An engagement with a partner CSIRT on assets of its constituency, and the notifications
    /// it produced.
    Engagement {
        partner: String,
        assets: Vec<String>,
        #[serde(default)]
        notifications: Vec<String>,
        #[serde(default)]
        outcome: String,
        /// Filled when stored: the assets' combined priority in the stored ranking then.
        #[serde(default)]
        risk_before: Option<f64>,
    },
    /// An internal awareness product (briefing note, newsletter).
    Awareness { title: String },
}

macro_rules! names {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),*
        }
        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }
    };
}

names!(ActivityType {
    Engagement = "engagement",
    JointOperation = "joint-operation",
    Training = "training",
    Exercise = "exercise",
    Conference = "conference",
    CapacityBuilding = "capacity-building",
    PolicyDialogue = "policy-dialogue",
    TechnicalExchange = "technical-exchange",
});
names!(ActivityStatus {
    Planned = "planned",
    Ongoing = "ongoing",
    Completed = "completed",
    Cancelled = "cancelled",
});
names!(ActionScope {
    Partner = "partner",
    Domestic = "domestic",
});
names!(WorkforceRole {
    Attache = "attache",
    LiaisonOfficer = "liaison-officer",
    TechnicalAdvisor = "technical-advisor",
});
names!(Briefing {
    PreDeployment = "pre-deployment",
    Familiarisation = "familiarisation",
    Etiquette = "etiquette",
    PreDeparture = "pre-departure",
});
names!(GovernanceForm {
    Document = "document",
    Process = "process",
});
names!(StandardStage {
    Contribution = "contribution",
    Publication = "publication",
});

/// An asset's rank in the stored ranking when a record naming it was written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetRank {
    pub asset: String,
    /// `None` when the asset was not in the ranking.
    pub rank: Option<u32>,
    pub priority: Option<f64>,
    /// The stored ranking's id.
    pub run: i64,
}

/// The kinds, their id prefixes and what they are.
pub const KINDS: [(&str, &str, &str); 14] = [
    ("activity", "ACT", "international activity"),
    (
        "action",
        "ACN",
        "partner or domestic action on foreign infrastructure",
    ),
    ("service", "SVC", "service delivered to a partner"),
    ("course", "CRS", "training course"),
    ("training", "TRN", "training session"),
    ("assessment", "ASM", "competency assessment"),
    ("trainer", "TTT", "certified foreign trainer"),
    ("survey", "SRV", "partner capability survey"),
    ("workforce", "WRK", "workforce training and deployment"),
    ("governance", "GOV", "governance document or process"),
    ("standard", "STD", "standards contribution or publication"),
    ("sbd", "SBD", "Secure by Design adoption"),
    ("engagement", "ENG", "CSIRT engagement"),
    ("awareness", "AWR", "internal awareness product"),
];

impl Details {
    /// The kind's name (`activity`).
    pub fn kind(&self) -> &'static str {
        match self {
            Details::Activity { .. } => "activity",
            Details::Action { .. } => "action",
            Details::Service { .. } => "service",
            Details::Course { .. } => "course",
            Details::Training { .. } => "training",
            Details::Assessment { .. } => "assessment",
            Details::Trainer { .. } => "trainer",
            Details::Survey { .. } => "survey",
            Details::Workforce { .. } => "workforce",
            Details::Governance { .. } => "governance",
            Details::Standard { .. } => "standard",
            Details::Sbd { .. } => "sbd",
            Details::Engagement { .. } => "engagement",
            Details::Awareness { .. } => "awareness",
        }
    }

    /// A one-line summary: the title, partner or person the record is about.
    pub fn summary(&self) -> String {
        match self {
            Details::Activity {
                title,
                partners,
                countries,
                ..
            } => format!(
                "{title} [{}]",
                [partners.join(", "), countries.join(", ")].join(" ").trim()
            ),
            Details::Action { actor, assets, .. } => format!("{actor}: {}", assets.join(", ")),
            Details::Service {
                partner, service, ..
            } => format!("{service} for {partner}"),
            Details::Course {
                title,
                competencies,
            } => format!("{title} [{}]", competencies.join(", ")),
            Details::Training {
                course, partner, ..
            }
            | Details::Assessment {
                course, partner, ..
            } => format!("{course} ({partner})"),
            Details::Trainer { name, partner, .. } => format!("{name} ({partner})"),
            Details::Survey {
                partner,
                before,
                after,
            } => format!("{partner}: {before} -> {after}"),
            Details::Workforce { person, role, .. } => format!("{person}, {}", role.as_str()),
            Details::Governance { title, .. }
            | Details::Standard { title, .. }
            | Details::Awareness { title } => title.clone(),
            Details::Sbd {
                organisation,
                country,
            } => format!("{organisation} ({country})"),
            Details::Engagement {
                partner, assets, ..
            } => format!("{partner}: {}", assets.join(", ")),
        }
    }

    /// An activity's status; empty for the other kinds.
    pub fn status(&self) -> &'static str {
        match self {
            Details::Activity { status, .. } => status.as_str(),
            _ => "",
        }
    }

    /// The partner the record is about, if it names one.
    pub fn partner(&self) -> Option<&str> {
        match self {
            Details::Service { partner, .. }
            | Details::Training { partner, .. }
            | Details::Assessment { partner, .. }
            | Details::Trainer { partner, .. }
            | Details::Survey { partner, .. }
            | Details::Engagement { partner, .. } => Some(partner),
            _ => None,
        }
    }
}

fn prefix(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map_or("REC", |(_, p, _)| p)
}

/// The kind named by `text`, if it is one.
pub fn parse_kind(text: &str) -> Option<&'static str> {
    KINDS
        .iter()
        .map(|(k, _, _)| *k)
        .find(|k| k.eq_ignore_ascii_case(text.trim()))
}

impl Record {
    /// The record as JSON: the shared fields, `kind` and the kind's fields in one object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        if !self.id.is_empty() {
            object.insert("id".into(), self.id.clone().into());
        }
        object.insert("office".into(), self.office.clone().into());
        object.insert("start".into(), self.start.clone().into());
        object.insert("end".into(), self.end.clone().into());
        if let Ok(serde_json::Value::Object(details)) = serde_json::to_value(&self.details) {
            object.extend(details);
        }
        serde_json::Value::Object(object)
    }

    /// Reads a record from its JSON object form; problems are located under `at` (a JSON
    /// pointer or `file:line`). `end` defaults to `start`.
    pub fn from_json(value: serde_json::Value, at: &str) -> Result<Record, Vec<Problem>> {
        let problem = |field: &str, message: String| Problem {
            pointer: format!("{at}/{field}"),
            message,
        };
        let serde_json::Value::Object(mut object) = value else {
            return Err(vec![problem("", "expected an object".into())]);
        };
        let mut text = |field: &str, required: bool| -> Result<String, Problem> {
            match object.remove(field) {
                Some(serde_json::Value::String(s)) => Ok(s.trim().to_owned()),
                None if !required => Ok(String::new()),
                None => Err(problem(field, "missing".into())),
                Some(other) => Err(problem(field, format!("expected text, got {other}"))),
            }
        };
        let fields = [
            text("id", false),
            text("office", true),
            text("start", true),
            text("end", false),
        ];
        let mut problems: Vec<Problem> = Vec::new();
        let mut got: Vec<String> = Vec::new();
        for f in fields {
            match f {
                Ok(v) => got.push(v),
                Err(p) => problems.push(p),
            }
        }
        let fields_left = object.clone();
        let details =
            serde_json::from_value::<Details>(serde_json::Value::Object(object)).map_err(|e| {
                let message = e.to_string();
                problem(&error_field(&message, &fields_left), message)
            });
        let details = match details {
            Ok(d) => Some(d),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        match (details, got.as_slice()) {
            (Some(details), [id, office, start, end]) if problems.is_empty() => Ok(Record {
                id: id.clone(),
                office: office.clone(),
                end: if end.is_empty() {
                    start.clone()
                } else {
                    end.clone()
                },
                start: start.clone(),
                details,
            }),
            _ => Err(problems),
        }
    }

    fn from_stored(stored: CoordRecord) -> Result<Record> {
        let details: Details =
            serde_json::from_str(&stored.body).map_err(|e| store::StoreError::Corrupt {
                table: "coord_records",
                message: format!("{}: {e}", stored.id),
            })?;
        Ok(Record {
            id: stored.id,
            office: stored.office,
            start: stored.start_date,
            end: stored.end_date,
            details,
        })
    }

    fn to_stored(&self, now: &str) -> Result<CoordRecord> {
        Ok(CoordRecord {
            id: self.id.clone(),
            kind: self.details.kind().to_owned(),
            office: self.office.clone(),
            start_date: self.start.clone(),
            end_date: self.end.clone(),
            body: serde_json::to_string(&self.details)
                .map_err(|e| Error::Conflict(format!("encoding {}: {e}", self.id)))?,
            updated_at: now.to_owned(),
        })
    }

    /// The problems of the record on its own (dates, objectives, required texts), each under
    /// `at` and the field's name.
    pub fn problems(&self, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut bad = |field: &str, message: String| {
            out.push(Problem {
                pointer: format!("{at}/{field}"),
                message,
            });
        };
        if self.office.is_empty() {
            bad("office", "must not be empty".into());
        }
        let start = parse_date(&self.start);
        let end = parse_date(&self.end);
        if let Err(e) = &start {
            bad("start", e.clone());
        }
        if let Err(e) = &end {
            bad("end", e.clone());
        }
        if let (Ok(s), Ok(e)) = (start, end)
            && e < s
        {
            bad(
                "end",
                format!("{} is before the start {}", self.end, self.start),
            );
        }
        let mut empty = |field: &str, value: &str| {
            if value.trim().is_empty() {
                bad(field, "must not be empty".into());
            }
        };
        match &self.details {
            Details::Activity {
                title,
                countries,
                objectives,
                partners,
                ..
            } => {
                empty("title", title);
                if objectives.is_empty() {
                    bad(
                        "objectives",
                        "name at least one objective, 1.1 to 3.3".into(),
                    );
                }
                for (i, o) in objectives.iter().enumerate() {
                    if !OBJECTIVES.contains(&o.as_str()) {
                        bad(
                            &format!("objectives/{i}"),
                            format!("{o:?} is not an objective of the plan (1.1 to 3.3)"),
                        );
                    }
                }
                for (i, c) in countries.iter().enumerate() {
                    if model::country(c).is_none() {
                        bad(
                            &format!("countries/{i}"),
                            format!("{c:?} is not an ISO 3166-1 alpha-2 country code"),
                        );
                    }
                }
                if partners.is_empty() && countries.is_empty() {
                    bad("partners", "name a partner or a country".into());
                }
            }
            Details::Action { actor, assets, .. } => {
                empty("actor", actor);
                if assets.is_empty() {
                    bad("assets", "name at least one asset".into());
                }
            }
            Details::Service {
                partner, service, ..
            } => {
                empty("partner", partner);
                empty("service", service);
            }
            Details::Course { title, .. } => empty("title", title),
            Details::Training {
                course,
                partner,
                region,
                ..
            } => {
                empty("course", course);
                empty("partner", partner);
                empty("region", region);
            }
            Details::Assessment {
                course,
                participant,
                partner,
                ..
            } => {
                empty("course", course);
                empty("participant", participant);
                empty("partner", partner);
            }
            Details::Trainer {
                partner,
                name,
                region,
            } => {
                empty("partner", partner);
                empty("name", name);
                empty("region", region);
            }
            Details::Survey {
                partner,
                before,
                after,
            } => {
                empty("partner", partner);
                for (field, v) in [("before", before), ("after", after)] {
                    if !(1..=5).contains(v) {
                        bad(field, format!("{v}: expected 1 (weakest) to 5"));
                    }
                }
            }
            Details::Workforce { person, .. } => empty("person", person),
            Details::Governance { title, .. } | Details::Awareness { title } => {
                empty("title", title);
            }
            Details::Standard { title, body, .. } => {
                empty("title", title);
                empty("body", body);
            }
            Details::Sbd {
                organisation,
                country,
            } => {
                empty("organisation", organisation);
                if model::country(country).is_none() {
                    bad(
                        "country",
                        format!("{country:?} is not an ISO 3166-1 alpha-2 country code"),
                    );
                }
            }
            Details::Engagement {
                partner, assets, ..
            } => {
                empty("partner", partner);
                if assets.is_empty() {
                    bad("assets", "name at least one asset".into());
                }
            }
        }
        out
    }
}

/// Where in `object` serde's `message` points: the field it names in backquotes (unknown or
/// missing field), or the field holding the unknown variant it names; empty when it says
/// neither.
fn error_field(message: &str, object: &serde_json::Map<String, serde_json::Value>) -> String {
    let named = message.split('`').nth(1).unwrap_or_default();
    if message.starts_with("unknown variant") {
        for (field, value) in object {
            match value {
                serde_json::Value::String(s) if s == named => return field.clone(),
                serde_json::Value::Array(items) => {
                    if let Some(i) = items.iter().position(|v| v.as_str() == Some(named)) {
                        return format!("{field}/{i}");
                    }
                }
                _ => {}
            }
        }
        return String::new();
    }
    if message.starts_with("unknown field") || message.starts_with("missing field") {
        return named.to_owned();
    }
    String::new()
}

/// A `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> std::result::Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format).map_err(|_| format!("{text:?} is not a YYYY-MM-DD date"))
}

/// Asset id to (rank, priority) in one stored ranking.
type Ranks = HashMap<String, (u32, f64)>;

/// What the stored atlas, ranking and exchange say about the records being written: checked
/// once per write, whatever the number of records.
struct Context {
    partners: HashSet<String>,
    notifications: HashMap<String, String>,
    /// The newest stored ranking: its id, and asset id to (rank, priority).
    ranking: Option<(i64, Ranks)>,
    assets: HashSet<String>,
}

impl Context {
    fn load(store: &mut Store, records: &[Record]) -> Result<Context> {
        let named: Vec<&str> = records
            .iter()
            .flat_map(|r| match &r.details {
                Details::Action { assets, .. } | Details::Engagement { assets, .. } => {
                    assets.iter().map(String::as_str).collect()
                }
                _ => Vec::new(),
            })
            .collect();
        let assets = if named.is_empty() {
            HashSet::new()
        } else {
            store.existing_ids(&named)?
        };
        let ranking = match (named.is_empty(), store.ranking_runs()?.last()) {
            (false, Some(run)) => Some((
                run.id,
                store
                    .ranking_entries(run.id)?
                    .into_iter()
                    .map(|e| (e.asset, (e.rank, e.priority)))
                    .collect(),
            )),
            _ => None,
        };
        let engages = records
            .iter()
            .any(|r| matches!(r.details, Details::Engagement { .. }));
        let notifications = if engages {
            store
                .notifications(&store::NotificationFilter::default())?
                .into_iter()
                .map(|n| (n.id, n.partner_id))
                .collect()
        } else {
            HashMap::new()
        };
        Ok(Context {
            partners: store.partners()?.into_iter().map(|p| p.id).collect(),
            notifications,
            ranking,
            assets,
        })
    }

    /// Checks the record's links and fills what the ranking says now.
    fn complete(&self, record: &mut Record, at: &str, problems: &mut Vec<Problem>) {
        let mut bad = |field: String, message: String| {
            problems.push(Problem {
                pointer: format!("{at}/{field}"),
                message,
            });
        };
        let unknown_assets = |assets: &[String], bad: &mut dyn FnMut(String, String)| {
            for (i, a) in assets.iter().enumerate() {
                if !self.assets.contains(a) {
                    bad(format!("assets/{i}"), format!("unknown asset {a:?}"));
                }
            }
        };
        let rank = |asset: &str| self.ranking.as_ref().map(|(run, r)| (*run, r.get(asset)));
        match &mut record.details {
            Details::Action { assets, ranks, .. } => {
                unknown_assets(assets, &mut bad);
                if ranks.is_empty() {
                    *ranks = assets
                        .iter()
                        .filter_map(|a| {
                            rank(a).map(|(run, found)| AssetRank {
                                asset: a.clone(),
                                rank: found.map(|(r, _)| *r),
                                priority: found.map(|(_, p)| *p),
                                run,
                            })
                        })
                        .collect();
                }
            }
            Details::Engagement {
                partner,
                assets,
                notifications,
                risk_before,
                ..
            } => {
                unknown_assets(assets, &mut bad);
                if !self.partners.contains(partner.as_str()) {
                    bad("partner".into(), format!("unknown partner {partner:?}"));
                }
                for (i, n) in notifications.iter().enumerate() {
                    match self.notifications.get(n) {
                        None => bad(
                            format!("notifications/{i}"),
                            format!("unknown notification {n:?}"),
                        ),
                        Some(p) if p != partner => bad(
                            format!("notifications/{i}"),
                            format!("notification {n} went to {p}, not to {partner}"),
                        ),
                        Some(_) => {}
                    }
                }
                if risk_before.is_none() && self.ranking.is_some() {
                    *risk_before = Some(
                        assets
                            .iter()
                            .filter_map(|a| rank(a).and_then(|(_, f)| f).map(|(_, p)| *p))
                            .sum(),
                    );
                }
            }
            _ => {}
        }
    }
}

/// Checks and completes `records`, then stores them with one audit entry (`action`), all or
/// nothing. New records (empty id) get the next id of their kind.
fn store_records(
    store: &mut Store,
    actor: &Actor,
    action: &str,
    mut records: Vec<(String, Record)>,
) -> Result<Vec<Record>> {
    let context = Context::load(
        store,
        &records.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>(),
    )?;
    let mut problems = Vec::new();
    for (at, record) in &mut records {
        problems.extend(record.problems(at));
        context.complete(record, at, &mut problems);
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let now = crate::now();
    audited(
        store,
        actor,
        action,
        |store| {
            let mut fresh: HashMap<&'static str, Vec<String>> = HashMap::new();
            for (_, r) in records.iter().filter(|(_, r)| r.id.is_empty()) {
                fresh
                    .entry(r.details.kind())
                    .or_default()
                    .push(String::new());
            }
            for (kind, ids) in &mut fresh {
                *ids = store.next_coord_ids(prefix(kind), ids.len())?;
                ids.reverse();
            }
            let mut out = Vec::with_capacity(records.len());
            for (_, mut r) in records {
                if r.id.is_empty() {
                    r.id = fresh
                        .get_mut(r.details.kind())
                        .and_then(Vec::pop)
                        .expect("one fresh id per new record");
                }
                out.push(r);
            }
            let stored = out
                .iter()
                .map(|r| r.to_stored(&now))
                .collect::<Result<Vec<_>>>()?;
            store.put_coord_records(&stored)?;
            if out
                .iter()
                .any(|r| matches!(r.details, Details::Activity { .. }))
            {
                deconflict::refresh(store)?;
            }
            Ok(out)
        },
        |out| {
            (
                out.iter().map(|r| r.id.clone()).collect(),
                out.iter()
                    .map(|r| r.to_json().to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        },
    )
}

/// Adds one record (its `id` must be empty).
pub fn add(store: &mut Store, actor: &Actor, record: Record) -> Result<Record> {
    authorize(actor, Action::ManageActivities)?;
    if !record.id.is_empty() {
        return Err(Error::invalid(
            "/id",
            "a new record gets its id when stored",
        ));
    }
    let mut out = store_records(store, actor, "coord.add", vec![(String::new(), record)])?;
    Ok(out.pop().expect("one record stored"))
}

/// Replaces the stored record `record.id` (of the same kind). Links to the atlas are checked
/// again; ranks captured when it was added are kept unless its assets changed.
pub fn edit(store: &mut Store, actor: &Actor, mut record: Record) -> Result<Record> {
    authorize(actor, Action::ManageActivities)?;
    let before = get(store, &record.id)?;
    if before.details.kind() != record.details.kind() {
        return Err(Error::invalid(
            "/kind",
            format!(
                "{} is a record of kind {}, not {}",
                record.id,
                before.details.kind(),
                record.details.kind()
            ),
        ));
    }
    match (&before.details, &mut record.details) {
        (
            Details::Action {
                assets: old,
                ranks: kept,
                ..
            },
            Details::Action { assets, ranks, .. },
        ) if old == assets => ranks.clone_from(kept),
        (
            Details::Engagement {
                assets: old,
                risk_before: kept,
                ..
            },
            Details::Engagement {
                assets,
                risk_before,
                ..
            },
        ) if old == assets => *risk_before = *kept,
        _ => {}
    }
    let mut out = store_records(store, actor, "coord.edit", vec![(String::new(), record)])?;
    Ok(out.pop().expect("one record stored"))
}

/// Sets fields of the stored record `id` from `field=value` texts (the CSV cell forms, lists
/// separated by `;`, an empty value for the default) and stores it ([`edit`]).
pub fn set_fields(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    assignments: &[(String, String)],
) -> Result<Record> {
    authorize(actor, Action::ManageActivities)?;
    let before = get(store, id)?;
    if let Some((field, _)) = assignments.iter().find(|(f, _)| f == "id" || f == "kind") {
        return Err(Error::invalid(
            format!("/{field}"),
            "cannot be changed; add a new record instead",
        ));
    }
    edit(store, actor, assign(before.to_json(), assignments)?)
}

/// A new record of `kind` from `field=value` texts, as [`set_fields`] reads them.
pub fn from_fields(kind: &str, assignments: &[(String, String)]) -> Result<Record> {
    let kind = parse_kind(kind).ok_or_else(|| {
        let known: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).collect();
        Error::invalid(
            "/kind",
            format!("{kind:?} is not a kind of record: {}", known.join(", ")),
        )
    })?;
    let record = assign(serde_json::json!({ "kind": kind }), assignments)?;
    let problems = record.problems("");
    if problems.is_empty() {
        Ok(record)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// `object` with the assignments applied, read as a record.
fn assign(object: serde_json::Value, assignments: &[(String, String)]) -> Result<Record> {
    let serde_json::Value::Object(mut object) = object else {
        unreachable!("a record's JSON is an object")
    };
    let mut problems = Vec::new();
    for (field, value) in assignments {
        match cell(field, value) {
            Ok(Some(v)) => {
                object.insert(field.clone(), v);
            }
            Ok(None) => {
                object.remove(field);
            }
            Err(message) => problems.push(Problem {
                pointer: format!("/{field}"),
                message,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Record::from_json(serde_json::Value::Object(object), "").map_err(Error::Invalid)
}

/// Deletes the stored record `id` (an activity's open flags go with it; resolved ones stay as
/// history).
pub fn remove(store: &mut Store, actor: &Actor, id: &str) -> Result<Record> {
    authorize(actor, Action::ManageActivities)?;
    let record = get(store, id)?;
    audited(
        store,
        actor,
        "coord.remove",
        |store| {
            store.delete_coord_record(id)?;
            if matches!(record.details, Details::Activity { .. }) {
                deconflict::refresh(store)?;
            }
            Ok(record)
        },
        |r| (vec![r.id.clone()], r.to_json().to_string()),
    )
}

/// The stored record `id`.
pub fn get(store: &mut Store, id: &str) -> Result<Record> {
    let stored = store.coord_record(id)?.ok_or_else(|| Error::NotFound {
        what: "record",
        id: id.to_owned(),
    })?;
    Record::from_stored(stored)
}

/// The stored records of `kind` (every kind when `None`), by start date then id (byte order,
/// whatever the database's collation).
pub fn list(store: &mut Store, kind: Option<&str>) -> Result<Vec<Record>> {
    let mut all = store
        .coord_records(kind)?
        .into_iter()
        .map(Record::from_stored)
        .collect::<Result<Vec<_>>>()?;
    all.sort_by(|a, b| (&a.start, &a.id).cmp(&(&b.start, &b.id)));
    Ok(all)
}

/// The columns of a listing of records, as [`Record::list_row`] fills them.
pub const LIST_COLUMNS: [&str; 7] = ["id", "kind", "office", "start", "end", "status", "summary"];

impl Record {
    /// The record as a row of [`LIST_COLUMNS`].
    pub fn list_row(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.details.kind().to_owned(),
            self.office.clone(),
            self.start.clone(),
            self.end.clone(),
            self.details.status().to_owned(),
            self.details.summary(),
        ]
    }
}

/// Which records a listing keeps: each given criterion must hold (case-insensitive).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// An office that leads the record or, for an activity, supports it.
    pub office: Option<String>,
    /// A partner the record names (an activity's partners, another kind's partner).
    pub partner: Option<String>,
    /// A country an activity covers, or a Secure by Design adoption's country.
    pub country: Option<String>,
    /// Text in the id or the summary.
    pub text: Option<String>,
}

impl Filter {
    /// Whether `record` meets every criterion.
    pub fn keeps(&self, record: &Record) -> bool {
        let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b.trim());
        let (supporting, partners, countries): (&[String], Vec<&str>, Vec<&str>) =
            match &record.details {
                Details::Activity {
                    supporting_offices,
                    partners,
                    countries,
                    ..
                } => (
                    supporting_offices,
                    partners.iter().map(String::as_str).collect(),
                    countries.iter().map(String::as_str).collect(),
                ),
                Details::Sbd { country, .. } => (&[], Vec::new(), vec![country.as_str()]),
                other => (&[], other.partner().into_iter().collect(), Vec::new()),
            };
        let office = self
            .office
            .as_deref()
            .is_none_or(|o| is(&record.office, o) || supporting.iter().any(|s| is(s, o)));
        let partner = self
            .partner
            .as_deref()
            .is_none_or(|p| partners.iter().any(|x| is(x, p)));
        let country = self
            .country
            .as_deref()
            .is_none_or(|c| countries.iter().any(|x| is(x, c)));
        let text = self.text.as_deref().is_none_or(|t| {
            let t = t.trim().to_lowercase();
            record.id.to_lowercase().contains(&t)
                || record.details.summary().to_lowercase().contains(&t)
        });
        office && partner && country && text
    }
}

/// Fields whose CSV cell is a `;`-separated list.
const LIST_FIELDS: [&str; 9] = [
    "supporting_offices",
    "partners",
    "countries",
    "objectives",
    "assets",
    "gaps",
    "briefings",
    "notifications",
    "competencies",
];
const BOOL_FIELDS: [&str; 3] = ["competent", "secure_development", "improved"];
const NUMBER_FIELDS: [&str; 3] = ["participants", "before", "after"];

/// A CSV cell (or a `field=value` assignment) as the JSON value of `field`; `None` for an empty
/// cell (the field's default).
fn cell(field: &str, text: &str) -> std::result::Result<Option<serde_json::Value>, String> {
    let text = text.trim();
    if LIST_FIELDS.contains(&field) {
        let items: Vec<serde_json::Value> = text
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.to_owned().into())
            .collect();
        return Ok(Some(items.into()));
    }
    if text.is_empty() {
        return Ok(None);
    }
    if BOOL_FIELDS.contains(&field) {
        return match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Ok(Some(true.into())),
            "false" | "no" | "n" | "0" => Ok(Some(false.into())),
            _ => Err(format!("{text:?}: expected yes or no")),
        };
    }
    if NUMBER_FIELDS.contains(&field) {
        return text
            .parse::<u32>()
            .map(|n| Some(n.into()))
            .map_err(|_| format!("{text:?}: expected a whole number"));
    }
    Ok(Some(text.to_owned().into()))
}

/// Reads records from a file's bytes: a JSON array of record objects (`.json`) or CSV with a
/// header row (`kind`, `office`, `start`, `end` and the kind's fields; lists separated by
/// `;`). Every problem is reported as `file:line` and the field; nothing is returned when there
/// is one.
pub fn parse_file(name: &str, bytes: &[u8]) -> Result<Vec<(String, Record)>> {
    let mut records = Vec::new();
    read_rows(name, bytes, cell, |value, at, problems| {
        read_one(value, at, &mut records, problems);
    })?;
    Ok(records)
}

/// Reads the rows of a file, a JSON array of objects (`.json`, or text starting with `[`) or
/// CSV with a header row, each as a JSON object with its place `file:line:`. A CSV cell is
/// made a JSON value by `cell(field, text)` (`None`: no value). `read` takes each row and
/// adds its problems; when there is any problem at all, they are the error.
pub(crate) fn read_rows(
    name: &str,
    bytes: &[u8],
    cell: impl Fn(&str, &str) -> std::result::Result<Option<serde_json::Value>, String>,
    mut read: impl FnMut(serde_json::Value, String, &mut Vec<Problem>),
) -> Result<()> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::invalid(name, format!("not UTF-8 text: {e}")))?;
    let json = name.to_ascii_lowercase().ends_with(".json") || text.trim_start().starts_with('[');
    let mut problems = Vec::new();
    if json {
        let values: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| {
            Error::invalid(
                format!("{name}:{}", e.line()),
                format!("not a JSON array: {e}"),
            )
        })?;
        let lines = json_item_lines(text);
        for (i, value) in values.into_iter().enumerate() {
            let line = lines.get(i).copied().unwrap_or(1);
            read(value, format!("{name}:{line}:"), &mut problems);
        }
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| Error::invalid(format!("{name}:1"), e.to_string()))?
            .clone();
        for row in reader.records() {
            let row = row.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                Error::invalid(format!("{name}:{line}"), e.to_string())
            })?;
            let line = row.position().map_or(0, csv::Position::line);
            let at = format!("{name}:{line}:");
            let mut object = serde_json::Map::new();
            for (field, value) in headers.iter().zip(row.iter()) {
                match cell(field, value) {
                    Ok(Some(v)) => {
                        object.insert(field.to_owned(), v);
                    }
                    Ok(None) => {}
                    Err(message) => problems.push(Problem {
                        pointer: format!("{at}/{field}"),
                        message,
                    }),
                }
            }
            read(serde_json::Value::Object(object), at, &mut problems);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

fn read_one(
    value: serde_json::Value,
    at: String,
    records: &mut Vec<(String, Record)>,
    problems: &mut Vec<Problem>,
) {
    match Record::from_json(value, &at) {
        Ok(r) => {
            problems.extend(r.problems(&at));
            records.push((at, r));
        }
        Err(p) => problems.extend(p),
    }
}

/// The line of each top-level element of a JSON array (1-based), found by scanning the text
/// with string and nesting awareness.
fn json_item_lines(text: &str) -> Vec<usize> {
    let (mut line, mut depth, mut in_string, mut escaped) = (1, 0usize, false, false);
    let mut out = Vec::new();
    let mut expecting = false;
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            if c == '\n' {
                line += 1;
            }
            continue;
        }
        if depth == 1 && expecting && !c.is_whitespace() && c != ',' && c != ']' {
            out.push(line);
            expecting = false;
        }
        match c {
            '\n' => line += 1,
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    out
}

/// Imports the records of a file ([`parse_file`]): all or nothing, one audit entry.
pub fn import(store: &mut Store, actor: &Actor, name: &str, bytes: &[u8]) -> Result<Vec<Record>> {
    authorize(actor, Action::ManageActivities)?;
    let records = parse_file(name, bytes)?;
    if let Some((at, _)) = records.iter().find(|(_, r)| !r.id.is_empty()) {
        return Err(Error::invalid(
            format!("{at}/id"),
            "imported records get their ids when stored; leave id empty",
        ));
    }
    store_records(store, actor, "coord.import", records)
}

#[cfg(test)]
mod tests;
