//! The plan's 20 Measures of Effectiveness (§5), each computed for a quarter from the
//! coordination register and from the Exchange (partners, agreements, notifications, the audit
//! log's record of TAXII and bundle traffic) and the Analysis (the stored ranking): a value,
//! its numerator and denominator when it is a percentage, and the ids of what it counted
//! (drill-down). Nothing is typed in by hand except the annual plan's targets; the quarterly
//! review sets each value beside the previous quarter's, the plan's direction and the target.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use store::{Agreement, AuditFilter, Notification, NotificationFilter, Partner, Store};

use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::coordination::{
    self, ActionScope, ActivityStatus, ActivityType, Details, INTERNATIONAL_AFFAIRS,
    REQUIRED_BRIEFINGS, Record,
};
use crate::{Actor, Error, Result};

pub mod report;

/// A calendar quarter, `2026Q3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u8,
}

impl Quarter {
    /// Reads `2026Q3` (case-insensitive, `2026-Q3` too).
    pub fn parse(text: &str) -> Option<Quarter> {
        let upper = text.trim().to_ascii_uppercase();
        let (year, q) = upper.split_once('Q')?;
        let year: i32 = year.trim_end_matches('-').parse().ok()?;
        let q: u8 = q.parse().ok()?;
        ((1..=4).contains(&q) && (1000..=9999).contains(&year)).then_some(Quarter { year, q })
    }

    /// The quarter holding the date or timestamp `text` (its first 10 characters).
    pub fn of(text: &str) -> Option<Quarter> {
        let date = coordination::parse_date(text.get(..10)?).ok()?;
        Some(Quarter {
            year: date.year(),
            q: (u8::from(date.month()) - 1) / 3 + 1,
        })
    }

    /// The current quarter (UTC).
    pub fn current() -> Quarter {
        Quarter::of(&crate::now()).expect("the current date is in a quarter")
    }

    pub fn previous(self) -> Quarter {
        match self.q {
            1 => Quarter {
                year: self.year - 1,
                q: 4,
            },
            q => Quarter { q: q - 1, ..self },
        }
    }

    /// The first day, `YYYY-MM-DD`.
    pub fn first_day(self) -> String {
        format!("{:04}-{:02}-01", self.year, (self.q - 1) * 3 + 1)
    }

    /// The last day, `YYYY-MM-DD`.
    pub fn last_day(self) -> String {
        let day = match self.q {
            1 => "03-31",
            2 => "06-30",
            3 => "09-30",
            _ => "12-31",
        };
        format!("{:04}-{day}", self.year)
    }

    /// The quarter of the date or timestamp `text` from its `YYYY-MM` prefix, without
    /// allocating (the measures ask this of every record).
    fn of_prefix(text: &str) -> Option<(i32, u8)> {
        let year = text.get(..4)?.parse().ok()?;
        let month: u8 = text.get(5..7)?.parse().ok()?;
        (1..=12)
            .contains(&month)
            .then_some((year, (month - 1) / 3 + 1))
    }

    /// Whether the date or timestamp `text` falls in the quarter.
    pub fn contains(self, text: &str) -> bool {
        Quarter::of_prefix(text) == Some((self.year, self.q))
    }

    /// Whether the date or timestamp `text` falls on or before the quarter's last day.
    pub fn reached(self, text: &str) -> bool {
        Quarter::of_prefix(text).is_some_and(|at| at <= (self.year, self.q))
    }

    /// The `n` quarters ending with this one, oldest first.
    pub fn trailing(self, n: usize) -> Vec<Quarter> {
        let mut out: Vec<Quarter> = std::iter::successors(Some(self), |q| Some(q.previous()))
            .take(n)
            .collect();
        out.reverse();
        out
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

/// A count, or a percentage with a numerator and a denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Count,
    Percent,
}

/// A measure of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Definition {
    /// `1.1a`.
    pub id: &'static str,
    /// The plan objective, `1.1`.
    pub objective: &'static str,
    pub name: &'static str,
    /// How it is computed, in words.
    pub definition: &'static str,
    pub unit: Unit,
}

const fn def(
    id: &'static str,
    objective: &'static str,
    name: &'static str,
    definition: &'static str,
    unit: Unit,
) -> Definition {
    Definition {
        id,
        objective,
        name,
        definition,
        unit,
    }
}

/// Every measure of the plan, in its order.
pub const MEASURES: [Definition; 20] = [
    def(
        "1.1a",
        "1.1",
        "USG activities coordinated",
        "International activities under way in the quarter (not cancelled) whose lead office \
         worked with at least one supporting office.",
        Unit::Count,
    ),
    def(
        "1.1b",
        "1.1",
        "Global partner actions",
        "Actions by foreign partners on prioritised foreign infrastructure (action records of \
         scope partner) dated in the quarter.",
        Unit::Count,
    ),
    def(
        "1.1c",
        "1.1",
        "Domestic partner actions",
        "Actions by domestic partners on prioritised foreign infrastructure (action records of \
         scope domestic) dated in the quarter.",
        Unit::Count,
    ),
    def(
        "1.2a",
        "1.2",
        "Joint operational activities",
        "International activities of type joint-operation under way in the quarter (not \
         cancelled).",
        Unit::Count,
    ),
    def(
        "1.2b",
        "1.2",
        "Information-sharing exchanges",
        "Exchange traffic in the quarter: batches of STIX objects received (TAXII POSTs, \
         imported bundles, pulls; audit entries taxii.add_objects), federation syncs run \
         (remote.sync) and notifications sent to partners.",
        Unit::Count,
    ),
    def(
        "1.3",
        "1.3",
        "Technical standards developed or published",
        "Standards contributions and publications dated in the quarter.",
        Unit::Count,
    ),
    def(
        "2.1a",
        "2.1",
        "Trusted CSIRT partners",
        "Partner CSIRTs of trust tier 1 or 2 that are party to a sharing agreement, both \
         registered by the end of the quarter.",
        Unit::Count,
    ),
    def(
        "2.1b",
        "2.1",
        "CSIRT engagements that reduced combined risk",
        "Of the CSIRT engagements ending in the quarter whose assets had a combined priority \
         above zero in the stored ranking when recorded, the share whose combined priority now (newest ranking, less the assets \
         whose notifications from the engagement reached mitigated by the quarter's end) is \
         below the combined priority recorded then.",
        Unit::Percent,
    ),
    def(
        "2.1c",
        "2.1",
        "Partners applying mitigations before exploitation",
        "Partners with a notification that reached mitigated in the quarter without having \
         reached exploited before.",
        Unit::Count,
    ),
    def(
        "2.2a",
        "2.2",
        "International standards recommending secure development",
        "Standards contributions and publications dated in the quarter that recommend secure \
         development practices.",
        Unit::Count,
    ),
    def(
        "2.2b",
        "2.2",
        "Adopters of Secure by Design",
        "Distinct organisations recorded as adopting Secure by Design in the quarter.",
        Unit::Count,
    ),
    def(
        "2.3a",
        "2.3",
        "Services delivered against gaps",
        "Services delivered to partners in the quarter that address at least one named \
         capability gap.",
        Unit::Count,
    ),
    def(
        "2.3b",
        "2.3",
        "Participants with required competencies",
        "Of the competency assessments dated in the quarter, the share that found the \
         participant competent.",
        Unit::Percent,
    ),
    def(
        "2.3c",
        "2.3",
        "Foreign train-the-trainer partners",
        "Distinct partners with at least one certified trainer by the end of the quarter.",
        Unit::Count,
    ),
    def(
        "2.3d",
        "2.3",
        "Partners reporting stronger capability",
        "Of the partners answering a capability survey in the quarter, the share whose latest \
         answer rates their capability after above before.",
        Unit::Percent,
    ),
    def(
        "3.1",
        "3.1",
        "Governance documents and processes",
        "Governance documents and processes put in place in the quarter.",
        Unit::Count,
    ),
    def(
        "3.2a",
        "3.2",
        "Cross-cutting activities coordinated through international affairs",
        "Of the international activities under way in the quarter (not cancelled) that serve \
         objectives of more than one goal, the share with the international-affairs office as \
         lead or supporting office.",
        Unit::Percent,
    ),
    def(
        "3.2b",
        "3.2",
        "Internal awareness products",
        "Internal awareness products issued in the quarter.",
        Unit::Count,
    ),
    def(
        "3.3a",
        "3.3",
        "Personnel trained before deployment",
        "Of the deployments (attachés, liaison officers, technical advisors) starting in the \
         quarter, the share whose person had every required briefing: pre-deployment, \
         familiarisation, etiquette and pre-departure.",
        Unit::Percent,
    ),
    def(
        "3.3b",
        "3.3",
        "Personnel reporting improved capability",
        "Of the deployments starting in the quarter with a survey answer, the share reporting \
         improved capability.",
        Unit::Percent,
    ),
];

/// The measure `id`, if it is one.
pub fn definition(id: &str) -> Option<&'static Definition> {
    MEASURES
        .iter()
        .find(|m| m.id.eq_ignore_ascii_case(id.trim()))
}

/// A measure's value for a quarter.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub measure: &'static Definition,
    pub quarter: Quarter,
    /// The count, or the percentage rounded to one decimal (0 when nothing was counted).
    pub value: f64,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    /// What was counted: record, partner, notification ids, `audit:SEQ`.
    pub records: Vec<String>,
}

/// What the measures are computed from, read once.
#[derive(Clone, Debug, Default)]
pub struct Data {
    pub records: Vec<Record>,
    pub partners: Vec<Partner>,
    pub agreements: Vec<Agreement>,
    pub notifications: Vec<Notification>,
    /// Exchange traffic from the audit log: (when, `audit:SEQ`).
    pub exchanges: Vec<(String, String)>,
    /// Priority in the newest stored ranking of each asset an engagement names.
    pub priority: HashMap<String, f64>,
}

/// The audit actions that are exchange traffic (measure 1.2b).
const EXCHANGE_ACTIONS: [&str; 2] = ["taxii.add_objects", "remote.sync"];

impl Data {
    /// Reads everything the measures need from the store.
    pub fn load(store: &mut Store) -> Result<Data> {
        let mut exchanges = Vec::new();
        for action in EXCHANGE_ACTIONS {
            let mut after = 0;
            loop {
                let page = store.audit_list(&AuditFilter {
                    actor: None,
                    action: Some(action.to_owned()),
                    after: Some(after),
                    limit: 10_000,
                })?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                exchanges.extend(page.into_iter().map(|e| (e.at, format!("audit:{}", e.seq))));
            }
        }
        let records = coordination::list(store, None)?;
        // Only the engagements' assets are looked up.
        let engaged: BTreeSet<&str> = records
            .iter()
            .filter_map(|r| match &r.details {
                Details::Engagement { assets, .. } => Some(assets),
                _ => None,
            })
            .flatten()
            .map(String::as_str)
            .collect();
        let priority = match store.ranking_runs()?.last() {
            Some(run) => store
                .ranking_entries_of(run.id, &engaged.into_iter().collect::<Vec<_>>())?
                .into_iter()
                .map(|e| (e.asset, e.priority))
                .collect(),
            None => HashMap::new(),
        };
        Ok(Data {
            records,
            partners: store.partners()?,
            agreements: store.agreements()?,
            notifications: store.notifications(&NotificationFilter::default())?,
            exchanges,
            priority,
        })
    }

    /// The value of `measure` for `quarter`.
    pub fn value(&self, measure: &'static Definition, quarter: Quarter) -> Value {
        let in_q = |r: &Record| quarter.contains(&r.start);
        let (first_day, last_day) = (quarter.first_day(), quarter.last_day());
        let under_way = |r: &Record| {
            r.start.as_str() <= last_day.as_str() && r.end.as_str() >= first_day.as_str()
        };
        let ids = |pick: &dyn Fn(&Record) -> bool| -> Vec<String> {
            self.records
                .iter()
                .filter(|r| pick(r))
                .map(|r| r.id.clone())
                .collect()
        };
        let activity = |r: &Record, pick: &dyn Fn(&Details) -> bool| {
            matches!(&r.details, Details::Activity { status, .. } if *status != ActivityStatus::Cancelled)
                && under_way(r)
                && pick(&r.details)
        };
        let (records, fraction): (Vec<String>, Option<Vec<bool>>) = match measure.id {
            "1.1a" => (
                ids(&|r| {
                    activity(
                        r,
                        &|d| matches!(d, Details::Activity { supporting_offices, .. } if !supporting_offices.is_empty()),
                    )
                }),
                None,
            ),
            "1.1b" | "1.1c" => {
                let want = if measure.id == "1.1b" {
                    ActionScope::Partner
                } else {
                    ActionScope::Domestic
                };
                (
                    ids(&|r| {
                        matches!(&r.details, Details::Action { scope, .. } if *scope == want)
                            && in_q(r)
                    }),
                    None,
                )
            }
            "1.2a" => (
                ids(&|r| {
                    activity(r, &|d| {
                        matches!(
                            d,
                            Details::Activity {
                                activity_type: ActivityType::JointOperation,
                                ..
                            }
                        )
                    })
                }),
                None,
            ),
            "1.2b" => {
                let mut out: Vec<String> = self
                    .exchanges
                    .iter()
                    .filter(|(at, _)| quarter.contains(at))
                    .map(|(_, id)| id.clone())
                    .collect();
                out.extend(
                    self.notifications
                        .iter()
                        .filter(|n| n.reached("sent").is_some_and(|at| quarter.contains(at)))
                        .map(|n| n.id.clone()),
                );
                (out, None)
            }
            "1.3" => (
                ids(&|r| matches!(r.details, Details::Standard { .. }) && in_q(r)),
                None,
            ),
            "2.2a" => (
                ids(&|r| {
                    matches!(
                        r.details,
                        Details::Standard {
                            secure_development: true,
                            ..
                        }
                    ) && in_q(r)
                }),
                None,
            ),
            "2.1a" => (self.trusted_partners(quarter), None),
            "2.1b" => {
                let (records, reduced) = self.engagements(quarter);
                (records, Some(reduced))
            }
            "2.1c" => (self.mitigating_partners(quarter), None),
            "2.2b" => (
                self.first_per(
                    &|r| matches!(r.details, Details::Sbd { .. }) && in_q(r),
                    &|d| match d {
                        Details::Sbd { organisation, .. } => Some(organisation),
                        _ => None,
                    },
                ),
                None,
            ),
            "2.3a" => (
                ids(&|r| {
                    matches!(&r.details, Details::Service { gaps, .. } if !gaps.is_empty())
                        && in_q(r)
                }),
                None,
            ),
            "2.3b" => {
                let picked: Vec<&Record> = self
                    .records
                    .iter()
                    .filter(|r| matches!(r.details, Details::Assessment { .. }) && in_q(r))
                    .collect();
                (
                    picked.iter().map(|r| r.id.clone()).collect(),
                    Some(
                        picked
                            .iter()
                            .map(|r| {
                                matches!(
                                    r.details,
                                    Details::Assessment {
                                        competent: true,
                                        ..
                                    }
                                )
                            })
                            .collect(),
                    ),
                )
            }
            "2.3c" => (
                self.first_per(
                    &|r| matches!(r.details, Details::Trainer { .. }) && quarter.reached(&r.start),
                    &|d| match d {
                        Details::Trainer { partner, .. } => Some(partner),
                        _ => None,
                    },
                ),
                None,
            ),
            "2.3d" => {
                // The latest answer per partner in the quarter (records are by start date).
                let mut latest: BTreeMap<String, (String, bool)> = BTreeMap::new();
                for r in self
                    .records
                    .iter()
                    .filter(|r| matches!(r.details, Details::Survey { .. }) && in_q(r))
                {
                    if let Details::Survey {
                        partner,
                        before,
                        after,
                    } = &r.details
                    {
                        latest.insert(partner.to_lowercase(), (r.id.clone(), after > before));
                    }
                }
                let (records, stronger) = latest.into_values().unzip();
                (records, Some(stronger))
            }
            "3.1" => (
                ids(&|r| matches!(r.details, Details::Governance { .. }) && in_q(r)),
                None,
            ),
            "3.2a" => {
                let picked: Vec<&Record> = self
                    .records
                    .iter()
                    .filter(|r| activity(r, &|d| matches!(d, Details::Activity { objectives, .. } if goals(objectives) > 1)))
                    .collect();
                let through_ia = |r: &Record| match &r.details {
                    Details::Activity {
                        supporting_offices, ..
                    } => std::iter::once(&r.office)
                        .chain(supporting_offices)
                        .any(|o| o.eq_ignore_ascii_case(INTERNATIONAL_AFFAIRS)),
                    _ => false,
                };
                (
                    picked.iter().map(|r| r.id.clone()).collect(),
                    Some(picked.iter().map(|r| through_ia(r)).collect()),
                )
            }
            "3.2b" => (
                ids(&|r| matches!(r.details, Details::Awareness { .. }) && in_q(r)),
                None,
            ),
            "3.3a" | "3.3b" => {
                let mut records = Vec::new();
                let mut hits = Vec::new();
                for r in self
                    .records
                    .iter()
                    .filter(|r| matches!(r.details, Details::Workforce { .. }) && in_q(r))
                {
                    let Details::Workforce {
                        briefings,
                        improved,
                        ..
                    } = &r.details
                    else {
                        continue;
                    };
                    let hit = if measure.id == "3.3a" {
                        Some(REQUIRED_BRIEFINGS.iter().all(|b| briefings.contains(b)))
                    } else {
                        *improved
                    };
                    if let Some(hit) = hit {
                        records.push(r.id.clone());
                        hits.push(hit);
                    }
                }
                (records, Some(hits))
            }
            other => unreachable!("measure {other} has no computation"),
        };
        let (value, numerator, denominator) = match (measure.unit, fraction) {
            (Unit::Percent, Some(hits)) => {
                let n = hits.iter().filter(|h| **h).count() as u64;
                let d = hits.len() as u64;
                let pct = if d == 0 {
                    0.0
                } else {
                    100.0 * n as f64 / d as f64
                };
                ((pct * 10.0).round() / 10.0, Some(n), Some(d))
            }
            _ => (records.len() as f64, None, None),
        };
        Value {
            measure,
            quarter,
            value,
            numerator,
            denominator,
            records,
        }
    }

    /// The first record picked per distinct key (case-insensitive), by key.
    fn first_per(
        &self,
        pick: &dyn Fn(&Record) -> bool,
        key: &dyn Fn(&Details) -> Option<&String>,
    ) -> Vec<String> {
        let mut first: BTreeMap<String, String> = BTreeMap::new();
        for r in self.records.iter().filter(|r| pick(r)) {
            if let Some(k) = key(&r.details) {
                first
                    .entry(k.to_lowercase())
                    .or_insert_with(|| r.id.clone());
            }
        }
        first.into_values().collect()
    }

    fn trusted_partners(&self, quarter: Quarter) -> Vec<String> {
        let in_agreement: BTreeSet<&str> = self
            .agreements
            .iter()
            .filter(|a| quarter.reached(&a.created_at))
            .flat_map(|a| a.parties.iter().map(String::as_str))
            .collect();
        self.partners
            .iter()
            .filter(|p| {
                p.trust_tier <= 2
                    && quarter.reached(&p.created_at)
                    && in_agreement.contains(p.id.as_str())
            })
            .map(|p| p.id.clone())
            .collect()
    }

    fn mitigating_partners(&self, quarter: Quarter) -> Vec<String> {
        let partners: BTreeSet<String> = self
            .notifications
            .iter()
            .filter(|n| {
                n.reached("mitigated").is_some_and(|at| {
                    quarter.contains(at) && n.reached("exploited").is_none_or(|x| x > at)
                })
            })
            .map(|n| n.partner_id.clone())
            .collect();
        partners.into_iter().collect()
    }

    /// The engagements ending in the quarter with a recorded risk above zero, and whether each
    /// reduced it.
    fn engagements(&self, quarter: Quarter) -> (Vec<String>, Vec<bool>) {
        let notifications: HashMap<&str, &Notification> = self
            .notifications
            .iter()
            .map(|n| (n.id.as_str(), n))
            .collect();
        let mut ids = Vec::new();
        let mut reduced = Vec::new();
        for r in self
            .records
            .iter()
            .filter(|r| matches!(r.details, Details::Engagement { .. }) && quarter.contains(&r.end))
        {
            let Details::Engagement {
                assets,
                notifications: produced,
                risk_before: Some(before),
                ..
            } = &r.details
            else {
                continue;
            };
            if *before <= 0.0 {
                continue;
            }
            let mitigated: BTreeSet<&str> = produced
                .iter()
                .filter_map(|id| notifications.get(id.as_str()))
                .filter(|n| n.reached("mitigated").is_some_and(|at| quarter.reached(at)))
                .flat_map(|n| n.assets.iter().map(String::as_str))
                .collect();
            let after: f64 = assets
                .iter()
                .filter(|a| !mitigated.contains(a.as_str()))
                .filter_map(|a| self.priority.get(a))
                .sum();
            ids.push(r.id.clone());
            reduced.push(after < *before);
        }
        (ids, reduced)
    }
}

/// How many of the plan's goals (1, 2, 3) the objectives serve.
fn goals(objectives: &[String]) -> usize {
    objectives
        .iter()
        .filter_map(|o| o.split('.').next())
        .collect::<BTreeSet<_>>()
        .len()
}

/// Every measure's value for `quarter`.
pub fn values(store: &mut Store, actor: &Actor, quarter: Quarter) -> Result<Vec<Value>> {
    authorize(actor, Action::ReadCoordination)?;
    let data = Data::load(store)?;
    Ok(MEASURES.iter().map(|m| data.value(m, quarter)).collect())
}

/// One measure's value for `quarter`, with its drill-down.
pub fn value(store: &mut Store, actor: &Actor, id: &str, quarter: Quarter) -> Result<Value> {
    authorize(actor, Action::ReadCoordination)?;
    let measure = definition(id).ok_or_else(|| Error::NotFound {
        what: "measure",
        id: id.to_owned(),
    })?;
    Ok(Data::load(store)?.value(measure, quarter))
}

/// The measure `id` if `target` is a target it can have (0 to 100 for a percentage), else the
/// field at fault (`measure` or `target`) and why.
fn checked_target(
    id: &str,
    target: f64,
) -> std::result::Result<&'static Definition, (&'static str, String)> {
    let measure = definition(id)
        .ok_or_else(|| ("measure", format!("{id:?} is not a measure of the plan")))?;
    let max = match measure.unit {
        Unit::Count => f64::from(u32::MAX),
        Unit::Percent => 100.0,
    };
    if !(0.0..=max).contains(&target) {
        return Err(("target", format!("{target}: expected 0 to {max}")));
    }
    Ok(measure)
}

/// Sets the annual plan's target of a measure for a quarter (audited).
pub fn set_target(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    quarter: Quarter,
    target: f64,
) -> Result<()> {
    authorize(actor, Action::ManageMeasures)?;
    let measure = checked_target(id, target)
        .map_err(|(field, message)| Error::invalid(format!("/{field}"), message))?;
    let quarter_text = quarter.to_string();
    audited(
        store,
        actor,
        "measure.target",
        |store| Ok(store.set_measure_target(measure.id, &quarter_text, target)?),
        |()| {
            (
                vec![measure.id.to_owned()],
                format!("{} {quarter_text} {target}", measure.id),
            )
        },
    )
}

/// One row of an annual plan file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanRow {
    measure: String,
    quarter: String,
    target: f64,
}

/// Imports an annual plan: targets per measure and quarter, from CSV with the header
/// `measure,quarter,target` or a JSON array of `{measure, quarter, target}` objects. All or
/// nothing, audited once (`measure.plan`); each problem is named `file:line:` with its field,
/// and a measure given twice for one quarter is one. Targets the file does not name are left
/// as they are. Returns the targets set, in the file's order.
pub fn import_plan(
    store: &mut Store,
    actor: &Actor,
    name: &str,
    bytes: &[u8],
) -> Result<Vec<(&'static str, Quarter, f64)>> {
    authorize(actor, Action::ManageMeasures)?;
    let cell = |field: &str, text: &str| match (field, text.trim()) {
        (_, "") => Ok(None),
        ("target", t) => t
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(|n| Some(n.into()))
            .ok_or_else(|| format!("{t:?}: expected a number")),
        (_, t) => Ok(Some(t.to_owned().into())),
    };
    let mut plan = Vec::new();
    let mut seen: HashMap<(&'static str, Quarter), String> = HashMap::new();
    crate::coordination::read_rows(name, bytes, cell, |value, at, problems| {
        let row: PlanRow = match serde_json::from_value(value) {
            Ok(row) => row,
            Err(e) => {
                return problems.push(crate::Problem {
                    pointer: at,
                    message: e.to_string(),
                });
            }
        };
        let mut problem = |field: &str, message: String| {
            problems.push(crate::Problem {
                pointer: format!("{at}/{field}"),
                message,
            });
        };
        let Some(quarter) = Quarter::parse(&row.quarter) else {
            return problem("quarter", format!("{:?}: expected 2026Q3", row.quarter));
        };
        let measure = match checked_target(&row.measure, row.target) {
            Ok(measure) => measure,
            Err((field, message)) => return problem(field, message),
        };
        if let Some(first) = seen.insert((measure.id, quarter), at.clone()) {
            return problem(
                "measure",
                format!("{} for {quarter} is already set at {first}", measure.id),
            );
        }
        plan.push((measure.id, quarter, row.target));
    })?;
    if plan.is_empty() {
        return Err(Error::invalid(name, "no target in the file"));
    }
    audited(
        store,
        actor,
        "measure.plan",
        |store| {
            for (measure, quarter, target) in &plan {
                store.set_measure_target(measure, &quarter.to_string(), *target)?;
            }
            Ok(())
        },
        |()| {
            let ids: BTreeSet<String> = plan.iter().map(|(m, _, _)| (*m).to_owned()).collect();
            let change = plan
                .iter()
                .map(|(m, q, t)| format!("{m} {q} {t}"))
                .collect::<Vec<_>>()
                .join("\n");
            (ids.into_iter().collect(), change)
        },
    )?;
    Ok(plan)
}

/// The stored targets: measure id to quarter to target.
pub fn targets(store: &mut Store) -> Result<BTreeMap<String, BTreeMap<String, f64>>> {
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (measure, quarter, target) in store.measure_targets()? {
        out.entry(measure).or_default().insert(quarter, target);
    }
    Ok(out)
}

/// A measure against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// At or above the target.
    Met,
    /// Below the target but up on the previous quarter.
    Improving,
    /// Below the target and not up.
    Behind,
    /// No target set for the quarter.
    NoTarget,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Improving => "improving",
            Status::Behind => "behind",
            Status::NoTarget => "no target",
        }
    }
}

/// How many quarters the review's trend shows.
pub const TREND_QUARTERS: usize = 4;

/// One measure in the quarterly review.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewRow {
    pub value: Value,
    pub previous: f64,
    /// `value − previous`, to one decimal.
    pub change: f64,
    /// The plan's direction: every measure is to increase.
    pub direction: &'static str,
    pub target: Option<f64>,
    pub status: Status,
    /// The value in each of the [`TREND_QUARTERS`] quarters ending with the review's.
    pub trend: Vec<(Quarter, f64)>,
}

/// The quarterly review.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    pub quarter: Quarter,
    pub rows: Vec<ReviewRow>,
}

/// The review of `quarter`: every measure, the previous quarter's value, change, target and
/// status, and its trend.
pub fn review(store: &mut Store, actor: &Actor, quarter: Quarter) -> Result<Review> {
    authorize(actor, Action::ReadCoordination)?;
    let data = Data::load(store)?;
    let targets = targets(store)?;
    Ok(build_review(&data, &targets, quarter))
}

/// The review from loaded data and targets.
pub fn build_review(
    data: &Data,
    targets: &BTreeMap<String, BTreeMap<String, f64>>,
    quarter: Quarter,
) -> Review {
    let rows = MEASURES
        .iter()
        .map(|m| review_row(data, targets, m, quarter))
        .collect();
    Review { quarter, rows }
}

/// One measure of the review of `quarter` (its page): the value with its drill-down, the
/// previous quarter, change, target, status and trend, computed for this measure only.
pub fn measure_review(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    quarter: Quarter,
) -> Result<ReviewRow> {
    authorize(actor, Action::ReadCoordination)?;
    let measure = definition(id).ok_or_else(|| Error::NotFound {
        what: "measure",
        id: id.to_owned(),
    })?;
    let data = Data::load(store)?;
    Ok(review_row(&data, &targets(store)?, measure, quarter))
}

fn review_row(
    data: &Data,
    targets: &BTreeMap<String, BTreeMap<String, f64>>,
    m: &'static Definition,
    quarter: Quarter,
) -> ReviewRow {
    // The trend ends with the previous quarter and this one: each computed once.
    let mut values: Vec<Value> = quarter
        .trailing(TREND_QUARTERS)
        .iter()
        .map(|q| data.value(m, *q))
        .collect();
    let trend: Vec<(Quarter, f64)> = values.iter().map(|v| (v.quarter, v.value)).collect();
    let value = values.pop().expect("the trend ends with the quarter");
    let previous = values.last().map_or(0.0, |v| v.value);
    let change = ((value.value - previous) * 10.0).round() / 10.0;
    let target = targets
        .get(m.id)
        .and_then(|t| t.get(&quarter.to_string()))
        .copied();
    let status = match target {
        None => Status::NoTarget,
        Some(t) if value.value >= t => Status::Met,
        Some(_) if change > 0.0 => Status::Improving,
        Some(_) => Status::Behind,
    };
    ReviewRow {
        value,
        previous,
        change,
        direction: "increase",
        target,
        status,
        trend,
    }
}

#[cfg(test)]
mod tests;
