//! Deconfliction (§5): activities of different lead offices with the same partner or country
//! whose dates overlap or fall within a window of each other, and likely duplicates (same
//! objective, partner and type, within the window, whatever the office), are flagged with the
//! reason. A coordinator resolves each flag: merge the two activities, or keep both with a note.
//!
//! No pair scan over the whole register: activities are grouped by each partner, country and
//! (objective, partner, type) they name, each group is sorted by start date, and an activity is
//! compared only with those starting before its end plus the window. A flag's fingerprint is the
//! SHA-256 of the pair, the reason and what they share, so a resolved flag stays resolved while
//! edits leave those unchanged.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};
use store::{DeconflictFlag, FlagSync, Store};

use super::{ActivityStatus, Details, Record, parse_date};
use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::{Actor, Error, Result};

/// The window when none is set, in days.
pub const DEFAULT_WINDOW_DAYS: i64 = 30;
/// The setting that keeps the window.
pub const WINDOW_SETTING: &str = "deconflict.window_days";

/// Why two activities are flagged, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Same objective, partner and type, within the window.
    Duplicate,
    /// Different lead offices, same partner or country, dates overlapping.
    Overlap,
    /// Different lead offices, same partner or country, dates within the window.
    Window,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Duplicate => "duplicate",
            Reason::Overlap => "overlap",
            Reason::Window => "window",
        }
    }
}

/// One pair found by [`find`]: `a` < `b` by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub a: String,
    pub b: String,
    pub reason: Reason,
    /// What they share: `partner:cert-fr`, `country:FR`, `duplicate:2.3/cert-fr/training`.
    pub shared: BTreeSet<String>,
    /// Days between the end of the earlier and the start of the later (negative: overlap).
    pub gap_days: i64,
}

impl Found {
    /// The flag's fingerprint: the pair, the reason and what they share.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [self.a.as_str(), self.b.as_str(), self.reason.as_str()]
            .into_iter()
            .chain(self.shared.iter().map(String::as_str))
        {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hex::encode(hasher.finalize())
    }

    /// What the pair shares and how far apart it is, in words (the reason is a field of its
    /// own): `objective 2.3, partner cert-fr, type training; dates overlap`.
    pub fn detail(&self) -> String {
        let shared: Vec<String> = self.shared.iter().map(|key| words(key)).collect();
        let when = if self.gap_days < 0 {
            "dates overlap".to_owned()
        } else {
            format!("{} days apart", self.gap_days)
        };
        format!("{}; {when}", shared.join(" and "))
    }
}

/// A shared key in words: `partner:cert-fr` → `partner cert-fr`,
/// `duplicate:2.3/cert-fr/training` → `objective 2.3, partner cert-fr, type training`.
fn words(key: &str) -> String {
    match key.split_once(':') {
        Some(("duplicate", rest)) => {
            // The objective and the type hold no `/`; a partner's name may.
            let (objective, rest) = rest.split_once('/').unwrap_or((rest, ""));
            let (partner, kind) = rest.rsplit_once('/').unwrap_or((rest, ""));
            format!("objective {objective}, partner {partner}, type {kind}")
        }
        Some((what, value)) => format!("{what} {value}"),
        None => key.to_owned(),
    }
}

struct Item<'a> {
    id: &'a str,
    office: &'a str,
    start: i32,
    end: i32,
}

/// The pairs to flag among `activities` (records of other kinds and cancelled activities are
/// ignored), by (a, b).
pub fn find(activities: &[Record], window_days: i64) -> Vec<Found> {
    let mut groups: HashMap<String, Vec<Item<'_>>> = HashMap::new();
    for r in activities {
        let Details::Activity {
            partners,
            countries,
            objectives,
            activity_type,
            status,
            ..
        } = &r.details
        else {
            continue;
        };
        if *status == ActivityStatus::Cancelled {
            continue;
        }
        let (Ok(start), Ok(end)) = (parse_date(&r.start), parse_date(&r.end)) else {
            continue;
        };
        let item = || Item {
            id: &r.id,
            office: &r.office,
            start: start.to_julian_day(),
            end: end.to_julian_day(),
        };
        let mut keys: BTreeSet<String> = partners
            .iter()
            .map(|p| format!("partner:{}", p.to_lowercase()))
            .chain(
                countries
                    .iter()
                    .map(|c| format!("country:{}", c.to_uppercase())),
            )
            .collect();
        for o in objectives {
            for p in partners {
                keys.insert(format!(
                    "duplicate:{o}/{}/{}",
                    p.to_lowercase(),
                    activity_type.as_str()
                ));
            }
        }
        for key in keys {
            groups.entry(key).or_default().push(item());
        }
    }
    let window = i32::try_from(window_days.max(0)).unwrap_or(i32::MAX);
    let mut pairs: BTreeMap<(String, String), Found> = BTreeMap::new();
    for (key, mut items) in groups {
        items.sort_unstable_by(|x, y| x.start.cmp(&y.start).then(x.id.cmp(y.id)));
        let duplicate = key.starts_with("duplicate:");
        for (i, x) in items.iter().enumerate() {
            let reach = x.end.saturating_add(window);
            for y in items[i + 1..].iter().take_while(|y| y.start <= reach) {
                if !duplicate && x.office.eq_ignore_ascii_case(y.office) {
                    continue;
                }
                // Sorted by start: `y` starts no earlier than `x`.
                let gap = i64::from(y.start - x.end);
                let gap = if gap <= 0 { -1 } else { gap };
                let reason = match (duplicate, gap < 0) {
                    (true, _) => Reason::Duplicate,
                    (false, true) => Reason::Overlap,
                    (false, false) => Reason::Window,
                };
                let (a, b) = if x.id < y.id {
                    (x.id, y.id)
                } else {
                    (y.id, x.id)
                };
                let found = pairs
                    .entry((a.to_owned(), b.to_owned()))
                    .or_insert_with(|| Found {
                        a: a.to_owned(),
                        b: b.to_owned(),
                        reason,
                        shared: BTreeSet::new(),
                        gap_days: gap,
                    });
                if reason < found.reason {
                    found.reason = reason;
                    found.shared.clear();
                }
                if reason == found.reason {
                    found.shared.insert(key.clone());
                }
            }
        }
    }
    pairs.into_values().collect()
}

/// The window in force: the stored setting, else [`DEFAULT_WINDOW_DAYS`].
pub fn window(store: &mut Store) -> Result<i64> {
    Ok(store
        .setting(WINDOW_SETTING)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_WINDOW_DAYS))
}

/// Finds the pairs among the stored activities and brings the stored flags in line: new ones
/// open, open ones no longer found removed, resolved ones kept. Runs inside the caller's
/// transaction when there is one (the writes of activities call it).
pub(crate) fn refresh(store: &mut Store) -> Result<FlagSync> {
    let window = window(store)?;
    let activities = super::list(store, Some("activity"))?;
    let now = crate::now();
    let flags: Vec<DeconflictFlag> = find(&activities, window)
        .into_iter()
        .map(|f| {
            let fingerprint = f.fingerprint();
            DeconflictFlag {
                id: format!("FLAG-{}", &fingerprint[..10]),
                activity_a: f.a.clone(),
                activity_b: f.b.clone(),
                reason: f.reason.as_str().to_owned(),
                detail: f.detail(),
                fingerprint,
                status: "open".to_owned(),
                resolution: None,
                note: None,
                resolved_by: None,
                resolved_at: None,
                detected_at: now.clone(),
            }
        })
        .collect();
    Ok(store.sync_deconflict_flags(&flags)?)
}

/// Sets the window (when given) and runs deconfliction over the register (audited).
pub fn run(store: &mut Store, actor: &Actor, window_days: Option<i64>) -> Result<FlagSync> {
    authorize(actor, Action::ManageActivities)?;
    if let Some(days) = window_days
        && !(0..=3650).contains(&days)
    {
        return Err(Error::invalid(
            "/window",
            format!("{days}: expected 0 to 3650 days"),
        ));
    }
    audited(
        store,
        actor,
        "deconflict.run",
        |store| {
            if let Some(days) = window_days {
                store.set_setting(WINDOW_SETTING, &days.to_string())?;
            }
            refresh(store)
        },
        |sync| (Vec::new(), format!("window={window_days:?} {sync:?}")),
    )
}

/// The stored flags, open ones first, each by its pair of activities.
pub fn flags(store: &mut Store, actor: &Actor) -> Result<Vec<DeconflictFlag>> {
    authorize(actor, Action::ReadCoordination)?;
    let mut all = store.deconflict_flags()?;
    all.sort_by(|x, y| {
        let key = |f: &DeconflictFlag| {
            (
                f.status != "open",
                f.activity_a.clone(),
                f.activity_b.clone(),
            )
        };
        key(x).cmp(&key(y))
    });
    Ok(all)
}

/// How many flags are open (waiting for a coordinator).
pub fn open_count(store: &mut Store, actor: &Actor) -> Result<usize> {
    authorize(actor, Action::ReadCoordination)?;
    Ok(store
        .deconflict_flags()?
        .iter()
        .filter(|f| f.status == "open")
        .count())
}

/// How a coordinator resolves a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Fold the later activity into the earlier one (by id): offices, partners, countries and
    /// objectives joined, dates spanning both, texts appended; the later one is deleted.
    Merge,
    /// Keep both; the note says why.
    Keep,
}

impl Resolution {
    /// `merge` or `keep`.
    pub fn parse(text: &str) -> Option<Resolution> {
        match text.trim() {
            "merge" => Some(Resolution::Merge),
            "keep" => Some(Resolution::Keep),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Merge => "merge",
            Resolution::Keep => "keep",
        }
    }
}

/// Resolves the open flag `id`; a note is required.
pub fn resolve(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    resolution: Resolution,
    note: &str,
) -> Result<DeconflictFlag> {
    authorize(actor, Action::ManageActivities)?;
    if note.trim().is_empty() {
        return Err(Error::invalid("/note", "say why (a note is required)"));
    }
    let flag = store
        .deconflict_flags()?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(|| Error::NotFound {
            what: "flag",
            id: id.to_owned(),
        })?;
    if flag.status != "open" {
        return Err(Error::Conflict(format!("flag {id} is resolved already")));
    }
    let merged = match resolution {
        Resolution::Merge => Some(merge(
            super::get(store, &flag.activity_a)?,
            super::get(store, &flag.activity_b)?,
        )),
        Resolution::Keep => None,
    };
    let how = resolution.as_str();
    let at = crate::now();
    let by = actor.audit_name();
    audited(
        store,
        actor,
        "deconflict.resolve",
        |store| {
            store.resolve_deconflict_flag(id, how, note.trim(), &by, &at)?;
            if let Some(kept) = &merged {
                store.put_coord_records(&[kept.to_stored(&at)?])?;
                store.delete_coord_record(&flag.activity_b)?;
                refresh(store)?;
            }
            Ok(store
                .deconflict_flags()?
                .into_iter()
                .find(|f| f.id == id)
                .expect("the flag resolved in this transaction"))
        },
        |f| {
            (
                vec![f.id.clone(), f.activity_a.clone(), f.activity_b.clone()],
                format!("{how}: {note}"),
            )
        },
    )
}

/// `b` folded into `a`.
fn merge(mut a: Record, b: Record) -> Record {
    fn join(into: &mut Vec<String>, from: Vec<String>) {
        for x in from {
            if !into.contains(&x) {
                into.push(x);
            }
        }
    }
    fn append(into: &mut String, from: String) {
        if !from.is_empty() && !into.contains(&from) {
            if !into.is_empty() {
                into.push('\n');
            }
            into.push_str(&from);
        }
    }
    if let (
        Details::Activity {
            supporting_offices,
            partners,
            countries,
            objectives,
            outcomes,
            lessons_learned,
            ..
        },
        Details::Activity {
            supporting_offices: b_offices,
            partners: b_partners,
            countries: b_countries,
            objectives: b_objectives,
            outcomes: b_outcomes,
            lessons_learned: b_lessons,
            ..
        },
    ) = (&mut a.details, b.details)
    {
        let mut offices = b_offices;
        offices.insert(0, b.office);
        offices.retain(|o| !o.eq_ignore_ascii_case(&a.office));
        join(supporting_offices, offices);
        join(partners, b_partners);
        join(countries, b_countries);
        join(objectives, b_objectives);
        append(outcomes, b_outcomes);
        append(lessons_learned, b_lessons);
    }
    a.start = a.start.clone().min(b.start);
    a.end = a.end.clone().max(b.end);
    a
}
