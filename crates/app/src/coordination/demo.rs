//! The demo's coordination register (§7): a year of records across several offices, ending
//! today, with planted deconfliction conflicts and near-misses that are not conflicts, a stored
//! ranking for the records' asset links, and the annual plan's targets for the last four
//! quarters. Deterministic from the seed and the day it runs.
//!
//! Planted, by the partners and countries only they use:
//! - overlap: `cyber-operations` and `policy` with `asean-cyber-centre (synthetic)`, 300 days
//!   ago, and `cyber-operations` and `international-affairs` with `gulf-cert-forum
//!   (synthetic)`, 20 days ago;
//! - window: `capacity-building` and `standards` in the first spare country, 15 days apart;
//! - duplicate: two `capacity-building` trainings for objective 2.3 with `au-cyber-desk
//!   (synthetic)`, 10 days apart;
//! - near-misses: `asean-cyber-centre` again 150 days later (far apart); two overlapping
//!   activities of one office in the second spare country (same office).

use std::collections::{BTreeMap, BTreeSet};

use store::{Partner, Store};
use time::{Duration, OffsetDateTime};

use super::{
    ActionScope, ActivityStatus, ActivityType, Briefing, Details, GovernanceForm, Record,
    StandardStage, WorkforceRole, store_records,
};
use crate::demo::Draw;
use crate::measures::{self, MEASURES, Quarter, Unit};
use crate::{Actor, Result};

const OFFICES: [&str; 6] = [
    "cyber-operations",
    "policy",
    "capacity-building",
    "standards",
    "workforce",
    "international-affairs",
];
const OBJECTIVES: [&[&str]; 6] = [
    &["1.1"],
    &["1.2", "2.1"],
    &["2.3"],
    &["1.3", "2.2"],
    &["3.3"],
    &["1.1", "3.2"],
];
const GAPS: [&str; 4] = [
    "incident handling",
    "malware analysis",
    "ICS monitoring",
    "vulnerability coordination",
];
const REGIONS: [&str; 4] = ["Europe", "Indo-Pacific", "Africa", "Americas"];
/// Countries for the planted window pair and the same-office near-miss, when no partner is
/// in them.
const SPARE_COUNTRIES: [&str; 8] = ["KE", "NA", "MN", "UY", "FJ", "IS", "BW", "PY"];
const WEEKS: i64 = 52;

fn day(t: OffsetDateTime) -> String {
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

struct Maker<'a> {
    draw: &'a Draw,
    today: OffsetDateTime,
    records: Vec<(String, Record)>,
}

impl Maker<'_> {
    /// A record starting `ago` days before today and lasting `days` (at least one).
    fn add(&mut self, office: &str, ago: i64, days: i64, details: Details) {
        let start = self.today - Duration::days(ago);
        let end = (start + Duration::days(days.max(1) - 1)).min(self.today);
        let at = format!("demo:{}", self.records.len());
        self.records.push((
            at,
            Record {
                id: String::new(),
                office: office.to_owned(),
                start: day(start),
                end: day(end.max(start)),
                details,
            },
        ));
    }

    fn chance(&self, label: &str, percent: u64) -> bool {
        self.draw.u64(label) % 100 < percent
    }

    #[allow(clippy::too_many_arguments)]
    fn activity(
        &mut self,
        office: &str,
        ago: i64,
        days: i64,
        title: String,
        activity_type: ActivityType,
        supporting: &[&str],
        partners: &[&str],
        countries: &[&str],
        objectives: &[&str],
    ) {
        let status = if ago - days >= 0 {
            ActivityStatus::Completed
        } else {
            ActivityStatus::Ongoing
        };
        let texts = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        self.add(
            office,
            ago,
            days,
            Details::Activity {
                title,
                activity_type,
                supporting_offices: texts(supporting),
                partners: texts(partners),
                countries: texts(countries),
                objectives: texts(objectives),
                status,
                outcomes: String::new(),
                lessons_learned: String::new(),
            },
        );
    }
}

/// Adds the register, a stored ranking and the targets; returns the records and flags added.
pub(crate) fn populate(
    store: &mut Store,
    actor: &Actor,
    home: [u8; 2],
    draw: &Draw,
    today: OffsetDateTime,
    partners: &[Partner],
) -> Result<(usize, usize)> {
    // The ranking the records' asset links are read against.
    let engine = crate::analysis::Engine::load(store, home, &())?;
    let scores = crate::analysis::scores(store, &engine, &())?;
    let ranking = crate::analysis::rank(store, &engine, &scores, true, actor)?;
    let top: Vec<String> = ranking
        .rows
        .iter()
        .take(40)
        .map(|r| r.asset.clone())
        .collect();
    let country_partners: Vec<&Partner> = partners
        .iter()
        .filter(|p| p.constituency_sectors.is_empty())
        .collect();
    if country_partners.is_empty() || top.is_empty() {
        return Ok((0, 0));
    }
    let taken: BTreeSet<&str> = partners.iter().map(|p| p.country.as_str()).collect();
    let spare: Vec<&str> = SPARE_COUNTRIES
        .into_iter()
        .filter(|c| !taken.contains(c))
        .collect();
    let mut m = Maker {
        draw,
        today,
        records: Vec::new(),
    };

    // One activity a week, each partner (and its country) in turn: a partner comes back only
    // after as many weeks as there are partners, so the rota has no conflicts of its own.
    for w in 0..WEEKS {
        let i = usize::try_from(w).unwrap_or(0);
        let partner = country_partners[i % country_partners.len()];
        let office = OFFICES[i % OFFICES.len()];
        let kind = ActivityType::ALL[i % ActivityType::ALL.len()];
        let supporting: &[&str] = match i % 3 {
            0 => &[],
            1 => &["international-affairs"],
            _ => &["policy"],
        };
        let supporting: Vec<&str> = supporting
            .iter()
            .copied()
            .filter(|s| *s != office)
            .collect();
        let ago = 364 - w * 7;
        let days = m.draw.between(&format!("activity {w} days"), 1, 4);
        m.activity(
            office,
            ago,
            days,
            format!("{} with {} (synthetic)", kind.as_str(), partner.name),
            kind,
            &supporting,
            &[partner.id.as_str()],
            &[partner.country.as_str()],
            OBJECTIVES[i % OBJECTIVES.len()],
        );
    }
    // The planted conflicts and near-misses (see the module).
    let asean = "asean-cyber-centre (synthetic)";
    let gulf = "gulf-cert-forum (synthetic)";
    let au = "au-cyber-desk (synthetic)";
    m.activity(
        "cyber-operations",
        300,
        5,
        "Joint exercise with ASEAN centre".into(),
        ActivityType::JointOperation,
        &[],
        &[asean],
        &[],
        &["1.2"],
    );
    m.activity(
        "policy",
        298,
        2,
        "Policy talks with ASEAN centre".into(),
        ActivityType::PolicyDialogue,
        &[],
        &[asean],
        &[],
        &["3.1"],
    );
    m.activity(
        "standards",
        150,
        2,
        "Standards workshop with ASEAN centre".into(),
        ActivityType::TechnicalExchange,
        &[],
        &[asean],
        &[],
        &["1.3"],
    );
    m.activity(
        "cyber-operations",
        20,
        6,
        "Gulf incident coordination".into(),
        ActivityType::JointOperation,
        &["policy"],
        &[gulf],
        &[],
        &["1.2", "2.1"],
    );
    m.activity(
        "international-affairs",
        18,
        2,
        "Gulf CERT forum plenary".into(),
        ActivityType::Conference,
        &[],
        &[gulf],
        &[],
        &["1.1", "3.2"],
    );
    m.activity(
        "capacity-building",
        120,
        3,
        "OT security course".into(),
        ActivityType::Training,
        &[],
        &[au],
        &[],
        &["2.3"],
    );
    m.activity(
        "capacity-building",
        110,
        3,
        "OT security course (regional)".into(),
        ActivityType::Training,
        &[],
        &[au],
        &[],
        &["2.3"],
    );
    if let [window_country, same_office_country, ..] = spare.as_slice() {
        m.activity(
            "capacity-building",
            200,
            2,
            "Cyber hygiene campaign".into(),
            ActivityType::CapacityBuilding,
            &[],
            &[],
            &[window_country],
            &["2.3"],
        );
        m.activity(
            "standards",
            185,
            2,
            "Standards outreach".into(),
            ActivityType::TechnicalExchange,
            &[],
            &[],
            &[window_country],
            &["2.2"],
        );
        m.activity(
            "workforce",
            240,
            5,
            "Attaché familiarisation visit".into(),
            ActivityType::Engagement,
            &[],
            &[],
            &[same_office_country],
            &["3.3"],
        );
        m.activity(
            "workforce",
            238,
            2,
            "Liaison officer handover".into(),
            ActivityType::Engagement,
            &[],
            &[],
            &[same_office_country],
            &["3.3"],
        );
    }

    // Actions on prioritised foreign infrastructure, twice a month.
    for k in 0..24_i64 {
        let i = usize::try_from(k).unwrap_or(0);
        let (scope, actor_name) = if k % 3 == 0 {
            (
                ActionScope::Domestic,
                "Domestic grid operator (synthetic)".to_owned(),
            )
        } else {
            let p = country_partners[i % country_partners.len()];
            (ActionScope::Partner, p.id.clone())
        };
        m.add(
            "cyber-operations",
            360 - k * 15,
            1,
            Details::Action {
                scope,
                actor: actor_name,
                assets: vec![top[i % top.len()].clone()],
                description: "Hardening of exposed management interfaces (synthetic).".into(),
                ranks: Vec::new(),
            },
        );
    }
    // Services, training with assessments, trainers, surveys.
    for k in 0..16_i64 {
        let i = usize::try_from(k).unwrap_or(0);
        let p = country_partners[i % country_partners.len()];
        let gaps = if k % 4 == 3 {
            Vec::new()
        } else {
            vec![GAPS[i % GAPS.len()].to_owned()]
        };
        m.add(
            "capacity-building",
            355 - k * 22,
            2,
            Details::Service {
                partner: p.id.clone(),
                service: format!("{} support", GAPS[(i + 1) % GAPS.len()]),
                gaps,
            },
        );
    }
    for s in 0..8_i64 {
        let i = usize::try_from(s).unwrap_or(0);
        let p = country_partners[(i * 2) % country_partners.len()];
        let course = ["ICS incident response", "Malware triage"][i % 2];
        let ago = 350 - s * 45;
        m.add(
            "capacity-building",
            ago,
            3,
            Details::Training {
                course: course.into(),
                partner: p.id.clone(),
                region: REGIONS[i % REGIONS.len()].into(),
                participants: 5,
            },
        );
        for n in 0..5 {
            let competent = m.chance(&format!("session {s} participant {n}"), 70);
            m.add(
                "capacity-building",
                ago - 3,
                1,
                Details::Assessment {
                    course: course.into(),
                    participant: format!("Participant {s}-{n} (synthetic)"),
                    partner: p.id.clone(),
                    competent,
                },
            );
        }
        if s % 2 == 1 {
            m.add(
                "capacity-building",
                ago - 10,
                1,
                Details::Trainer {
                    partner: p.id.clone(),
                    name: format!("Certified trainer {s} (synthetic)"),
                    region: REGIONS[i % REGIONS.len()].into(),
                },
            );
        }
    }
    for (i, p) in country_partners.iter().enumerate() {
        for round in 0..2 {
            let label = format!("survey {} {round}", p.id);
            let before = u8::try_from(m.draw.between(&label, 1, 4)).unwrap_or(2);
            let after = before + u8::from(m.chance(&format!("{label} stronger"), 60));
            let ago = 340 - i64::try_from(i).unwrap_or(0) * 11 - round * 170;
            m.add(
                "capacity-building",
                ago.max(1),
                1,
                Details::Survey {
                    partner: p.id.clone(),
                    before,
                    after,
                },
            );
        }
    }
    // Workforce deployments with their briefings and survey answers.
    for k in 0..12_i64 {
        let i = usize::try_from(k).unwrap_or(0);
        let briefings: Vec<Briefing> = Briefing::ALL
            .iter()
            .copied()
            .filter(|b| !m.chance(&format!("deployment {k} {}", b.as_str()), 15))
            .collect();
        // Every fourth has not answered the survey yet; two in three of the others improved.
        let improved = (k % 4 != 3).then_some(k % 3 != 1);
        m.add(
            "workforce",
            350 - k * 30,
            90,
            Details::Workforce {
                person: format!("Officer {k} (synthetic)"),
                role: WorkforceRole::ALL[i % WorkforceRole::ALL.len()],
                briefings,
                improved,
            },
        );
    }
    // Governance, standards, Secure by Design, awareness.
    for k in 0..8_i64 {
        let i = usize::try_from(k).unwrap_or(0);
        let ago = 345 - k * 44;
        m.add(
            "policy",
            ago,
            1,
            Details::Governance {
                title: format!("International engagement procedure {k} (synthetic)"),
                form: [GovernanceForm::Document, GovernanceForm::Process][i % 2],
            },
        );
        m.add(
            "standards",
            ago - 5,
            1,
            Details::Standard {
                title: format!("Secure update profile part {k} (synthetic)"),
                body: ["ISO/IEC JTC 1/SC 27", "IETF", "ETSI TC CYBER"][i % 3].into(),
                stage: [StandardStage::Contribution, StandardStage::Publication][i % 2],
                secure_development: k % 3 != 2,
            },
        );
        m.add(
            "international-affairs",
            ago - 9,
            1,
            Details::Awareness {
                title: format!("Partner landscape brief {k} (synthetic)"),
            },
        );
    }
    for k in 0..12_i64 {
        let i = usize::try_from(k).unwrap_or(0);
        let p = country_partners[i % country_partners.len()];
        m.add(
            "standards",
            352 - k * 29,
            1,
            Details::Sbd {
                organisation: format!("Device maker {k} (synthetic)"),
                country: p.country.clone(),
            },
        );
    }
    // CSIRT engagements on notifications of each alert, from when it was sent to a week after
    // it was mitigated (or a month after it was sent), when that is past.
    let notifications = store.notifications(&store::NotificationFilter::default())?;
    let now_day = day(today);
    let mut per_alert: BTreeMap<&str, usize> = BTreeMap::new();
    let at_risk: BTreeSet<&str> = ranking
        .rows
        .iter()
        .filter(|r| r.priority > 0.0)
        .map(|r| r.asset.as_str())
        .collect();
    for n in notifications.iter().filter(|n| {
        n.reached("sent").is_some() && n.assets.iter().any(|a| at_risk.contains(a.as_str()))
    }) {
        // Up to four per alert, on assets at risk, so that every alert's outcomes are engaged on.
        let engaged = per_alert.entry(n.alert_id.as_str()).or_default();
        if *engaged == 4 {
            continue;
        }
        *engaged += 1;
        let Some(sent) = n
            .reached("sent")
            .and_then(|t| crate::coordination::parse_date(t.get(..10)?).ok())
        else {
            continue;
        };
        let ended = match n
            .reached("mitigated")
            .and_then(|t| crate::coordination::parse_date(t.get(..10)?).ok())
        {
            Some(mitigated) => mitigated + Duration::days(7),
            None => sent + Duration::days(30),
        };
        let start = (today.date() - sent).whole_days();
        let days = (ended - sent).whole_days() + 1;
        if day(ended.midnight().assume_utc()) > now_day {
            continue;
        }
        m.add(
            "cyber-operations",
            start,
            days,
            Details::Engagement {
                partner: n.partner_id.clone(),
                assets: n.assets.clone(),
                notifications: vec![n.id.clone()],
                outcome: format!("Engagement on notification {} (synthetic)", n.id),
                risk_before: None,
            },
        );
    }

    // The catalogue of the courses the sessions and assessments name.
    for (course, competencies) in [
        (
            "ICS incident response",
            ["OT network triage", "PLC forensics", "safe shutdown"],
        ),
        (
            "Malware triage",
            ["static analysis", "sandboxing", "indicator sharing"],
        ),
    ] {
        m.add(
            "capacity-building",
            364,
            1,
            Details::Course {
                title: course.into(),
                competencies: competencies.map(str::to_owned).to_vec(),
            },
        );
    }

    let stored = store_records(store, actor, "demo.coordination", m.records)?;
    // Annual plan targets for the last four quarters.
    for quarter in Quarter::of(&now_day)
        .map(|q| q.trailing(measures::TREND_QUARTERS))
        .unwrap_or_default()
    {
        for (i, measure) in MEASURES.iter().enumerate() {
            let target = match measure.unit {
                Unit::Count => 2.0 + (i % 3) as f64,
                Unit::Percent => 60.0 + 5.0 * (i % 4) as f64,
            };
            measures::set_target(store, actor, measure.id, quarter, target)?;
        }
    }
    let flags = store.deconflict_flags()?.len();
    Ok((stored.len(), flags))
}
