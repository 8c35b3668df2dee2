//! SSVC for deployers, with the CISA coordinator decision table as data.
//!
//! The table is `data/cisa_coordinator_2_0_3.csv`, a verbatim copy of
//! `CERTCC/SSVC:data/csv/cisa/cisa_coordinator_2_0_3.csv` (commit e3b00a256158, SEI MIT-style
//! data licence; see `shared/data/ssvc/LICENSE-data.txt`): the "CISA Coordinator" tree v2.0.3
//! with outcome group "CISA Levels" v1.1.0 (Track, Track*, Attend, Act). It is read, not
//! transcribed into `match` arms, and [`DecisionTable::parse_csv`] refuses a table that does not
//! cover every combination of inputs exactly once.
//!
//! Vulnrichment writes Exploitation `poc` (and capitalised values) where the SSVC tables write
//! `public poc`: [`Exploitation::parse`] accepts both.

use std::fmt;
use std::sync::OnceLock;

use crate::Diagnostic;

/// Exploitation v1.1.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exploitation {
    None,
    PublicPoc,
    Active,
}

/// Automatable v2.0.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Automatable {
    No,
    Yes,
}

/// Technical Impact v1.0.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TechnicalImpact {
    Partial,
    Total,
}

/// Mission and Well-Being Impact v1.0.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MissionWellbeing {
    Low,
    Medium,
    High,
}

/// CISA Levels v1.1.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    Track,
    TrackStar,
    Attend,
    Act,
}

fn norm(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['_', '-'], " ")
}

impl Exploitation {
    pub const ALL: [Exploitation; 3] = [
        Exploitation::None,
        Exploitation::PublicPoc,
        Exploitation::Active,
    ];

    /// `none`, `poc` / `public poc` / `PoC`, `active`, any case.
    pub fn parse(s: &str) -> Option<Exploitation> {
        match norm(s).as_str() {
            "none" | "n" => Some(Exploitation::None),
            "poc" | "public poc" | "publicpoc" | "p" => Some(Exploitation::PublicPoc),
            "active" | "a" => Some(Exploitation::Active),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Exploitation::None => "none",
            Exploitation::PublicPoc => "public poc",
            Exploitation::Active => "active",
        }
    }

    /// Exploitation for a finding: `active` when the CVE is in KEV or was sighted in an incident,
    /// otherwise the ADP value, otherwise `none` (the strongest evidence wins).
    pub fn combine(in_kev: bool, sighted: bool, adp: Option<Exploitation>) -> Exploitation {
        let observed = if in_kev || sighted {
            Exploitation::Active
        } else {
            Exploitation::None
        };
        observed.max(adp.unwrap_or(Exploitation::None))
    }
}

impl Automatable {
    pub const ALL: [Automatable; 2] = [Automatable::No, Automatable::Yes];

    pub fn parse(s: &str) -> Option<Automatable> {
        match norm(s).as_str() {
            "no" | "n" => Some(Automatable::No),
            "yes" | "y" => Some(Automatable::Yes),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Automatable::No => "no",
            Automatable::Yes => "yes",
        }
    }
}

impl TechnicalImpact {
    pub const ALL: [TechnicalImpact; 2] = [TechnicalImpact::Partial, TechnicalImpact::Total];

    pub fn parse(s: &str) -> Option<TechnicalImpact> {
        match norm(s).as_str() {
            "partial" | "p" => Some(TechnicalImpact::Partial),
            "total" | "t" => Some(TechnicalImpact::Total),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TechnicalImpact::Partial => "partial",
            TechnicalImpact::Total => "total",
        }
    }
}

/// `impact` at or above this is High Mission & Well-being.
pub const MWI_HIGH_THRESHOLD: f64 = 0.5;
/// `impact` at or above this (and below [`MWI_HIGH_THRESHOLD`]) is Medium.
pub const MWI_MEDIUM_THRESHOLD: f64 = 0.05;

impl MissionWellbeing {
    pub const ALL: [MissionWellbeing; 3] = [
        MissionWellbeing::Low,
        MissionWellbeing::Medium,
        MissionWellbeing::High,
    ];

    pub fn parse(s: &str) -> Option<MissionWellbeing> {
        match norm(s).as_str() {
            "low" | "l" => Some(MissionWellbeing::Low),
            "medium" | "m" => Some(MissionWellbeing::Medium),
            "high" | "h" => Some(MissionWellbeing::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MissionWellbeing::Low => "low",
            MissionWellbeing::Medium => "medium",
            MissionWellbeing::High => "high",
        }
    }

    /// Mission & Well-being from an asset's §2.4 impact: the sum over NCFs of the degradation
    /// (0..=1 each, NCF-weighted) that the asset's loss alone causes.
    ///
    /// - **High** at `impact ≥ 0.5`: losing the asset takes out at least half of a national
    ///   critical function's worth of service. SSVC's High is "Mission Prevalence essential", i.e.
    ///   the asset provides a mission-essential function, and half an NCF is the point where the
    ///   function can no longer be said to run in a degraded mode.
    /// - **Medium** at `0.05 ≤ impact < 0.5`: a noticeable (≥ 5 %) share of one NCF depends on it;
    ///   it "supports" a mission (Mission Prevalence support).
    /// - **Low** below 0.05, and for negative, NaN or missing impact: the dependency analysis
    ///   finds no essential or supporting role (Mission Prevalence minimal).
    ///
    /// SSVC's MWI table leaves Minimal mission prevalence with Material public well-being impact
    /// undefined; Meridian's impact already folds public-facing NCFs into one number, so the gap
    /// does not arise here.
    pub fn from_impact(impact: f64) -> MissionWellbeing {
        if impact >= MWI_HIGH_THRESHOLD {
            MissionWellbeing::High
        } else if impact >= MWI_MEDIUM_THRESHOLD {
            MissionWellbeing::Medium
        } else {
            MissionWellbeing::Low
        }
    }
}

impl Decision {
    /// `track`, `track*`, `attend`, `act`, any case.
    pub fn parse(s: &str) -> Option<Decision> {
        match s.trim().to_ascii_lowercase().as_str() {
            "track" => Some(Decision::Track),
            "track*" => Some(Decision::TrackStar),
            "attend" => Some(Decision::Attend),
            "act" => Some(Decision::Act),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Track => "Track",
            Decision::TrackStar => "Track*",
            Decision::Attend => "Attend",
            Decision::Act => "Act",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The inputs of one decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SsvcInputs {
    pub exploitation: Exploitation,
    pub automatable: Automatable,
    pub technical_impact: TechnicalImpact,
    pub mission_wellbeing: MissionWellbeing,
}

impl SsvcInputs {
    fn index(&self) -> usize {
        ((self.exploitation as usize * 2 + self.automatable as usize) * 2
            + self.technical_impact as usize)
            * 3
            + self.mission_wellbeing as usize
    }

    /// Every combination of inputs (3 × 2 × 2 × 3 = 36).
    pub fn all() -> impl Iterator<Item = SsvcInputs> {
        Exploitation::ALL.into_iter().flat_map(|exploitation| {
            Automatable::ALL.into_iter().flat_map(move |automatable| {
                TechnicalImpact::ALL
                    .into_iter()
                    .flat_map(move |technical_impact| {
                        MissionWellbeing::ALL
                            .into_iter()
                            .map(move |mission_wellbeing| SsvcInputs {
                                exploitation,
                                automatable,
                                technical_impact,
                                mission_wellbeing,
                            })
                    })
            })
        })
    }
}

/// Where one SSVC input's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputSource {
    /// The CVE is in the CISA KEV catalog.
    Kev,
    /// The CISA ADP container of the CVE record carries a `kev` metric.
    AdpKev,
    /// A cyber incident or sighting on the asset.
    Incident,
    /// The CISA ADP SSVC vote of the CVE record.
    AdpVote,
    /// The asset's §2.4 single-failure impact, as the ranking computes it.
    AnalysisImpact,
    /// No source: the CVE record has no CISA ADP vote (and nothing else speaks for the input).
    /// The decision assumes a value and says which ([`Assessment::assumed`]).
    Missing,
}

impl InputSource {
    pub fn as_str(self) -> &'static str {
        match self {
            InputSource::Kev => "KEV",
            InputSource::AdpKev => "CISA ADP KEV",
            InputSource::Incident => "incident",
            InputSource::AdpVote => "CISA ADP vote",
            InputSource::AnalysisImpact => "analysis impact",
            InputSource::Missing => "missing",
        }
    }
}

/// The inputs of one decision and where each comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Assessment {
    /// The values decided on; a [`InputSource::Missing`] input holds the value assumed.
    pub inputs: SsvcInputs,
    pub exploitation: InputSource,
    pub automatable: InputSource,
    pub technical_impact: InputSource,
    pub mission_wellbeing: InputSource,
}

impl Assessment {
    /// The inputs for one finding, each with its source:
    ///
    /// - Exploitation `active` when the CVE is in KEV (the catalog, or the CISA ADP `kev`
    ///   metric) or the asset had an incident or sighting; otherwise the ADP vote's value
    ///   (the strongest evidence wins, [`Exploitation::combine`]).
    /// - Automatable and Technical Impact from the ADP vote.
    /// - Mission & Well-being from the asset's §2.4 impact ([`MissionWellbeing::from_impact`]).
    ///
    /// An input without a source is [`InputSource::Missing`]: Exploitation then assumes `none`
    /// (nothing observed), Automatable and Technical Impact the worse value (`yes`, `total`) so
    /// that missing data never lowers a priority. [`Assessment::assumed`] names the assumptions,
    /// so that the decision says it rests on them; the analyst can override.
    pub fn for_finding(
        adp: Option<&crate::cve::SsvcVote>,
        kev: bool,
        adp_kev: bool,
        sighted: bool,
        impact: f64,
    ) -> Assessment {
        let exploitation = if kev {
            InputSource::Kev
        } else if adp_kev {
            InputSource::AdpKev
        } else if sighted {
            InputSource::Incident
        } else if adp.is_some() {
            InputSource::AdpVote
        } else {
            InputSource::Missing
        };
        let voted = if adp.is_some() {
            InputSource::AdpVote
        } else {
            InputSource::Missing
        };
        Assessment {
            inputs: SsvcInputs {
                exploitation: Exploitation::combine(
                    kev || adp_kev,
                    sighted,
                    adp.map(|v| v.exploitation),
                ),
                automatable: adp.map_or(Automatable::Yes, |v| v.automatable),
                technical_impact: adp.map_or(TechnicalImpact::Total, |v| v.technical_impact),
                mission_wellbeing: MissionWellbeing::from_impact(impact),
            },
            exploitation,
            automatable: voted,
            technical_impact: voted,
            mission_wellbeing: InputSource::AnalysisImpact,
        }
    }

    /// The assumed values of the missing inputs, in input order (`automatable yes`,
    /// `technical impact total`…); empty when every input has a source.
    pub fn assumed(&self) -> Vec<String> {
        [
            (
                "exploitation",
                self.exploitation,
                self.inputs.exploitation.as_str(),
            ),
            (
                "automatable",
                self.automatable,
                self.inputs.automatable.as_str(),
            ),
            (
                "technical impact",
                self.technical_impact,
                self.inputs.technical_impact.as_str(),
            ),
            (
                "mission & well-being",
                self.mission_wellbeing,
                self.inputs.mission_wellbeing.as_str(),
            ),
        ]
        .into_iter()
        .filter(|(_, source, _)| *source == InputSource::Missing)
        .map(|(name, _, value)| format!("{name} {value}"))
        .collect()
    }
}

const COMBINATIONS: usize = 36;

/// A complete decision table: one outcome for each combination of inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionTable {
    outcomes: [Decision; COMBINATIONS],
}

/// The CISA coordinator CSV, embedded (see the module docs for its source).
pub const CISA_COORDINATOR_2_0_3_CSV: &str = include_str!("../data/cisa_coordinator_2_0_3.csv");

impl DecisionTable {
    /// Read an SSVC CSV with header `row,Exploitation …,Automatable …,Technical Impact …,Mission and Well-Being Impact …,<outcome>`.
    /// Columns are found by name, so their order does not matter.
    pub fn parse_csv(text: &str) -> Result<DecisionTable, Diagnostic> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines
            .next()
            .ok_or_else(|| Diagnostic::new("line 1", "empty table"))?;
        let cols: Vec<String> = header
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let find = |name: &str| {
            cols.iter()
                .position(|c| c.starts_with(name))
                .ok_or_else(|| Diagnostic::new("line 1", format!("no column {name:?}")))
        };
        let (e, a, t, m) = (
            find("exploitation")?,
            find("automatable")?,
            find("technical impact")?,
            find("mission and well-being")?,
        );
        let outcome = cols.len() - 1;
        let mut outcomes: [Option<Decision>; COMBINATIONS] = [None; COMBINATIONS];
        for (n, line) in lines {
            let at = format!("line {}", n + 1);
            let cells: Vec<&str> = line.split(',').collect();
            if cells.len() != cols.len() {
                return Err(Diagnostic::new(
                    at,
                    format!("{} cells, the header has {}", cells.len(), cols.len()),
                ));
            }
            let bad = |what: &str, v: &str| {
                Diagnostic::new(at.clone(), format!("unknown {what} value {v:?}"))
            };
            let inputs = SsvcInputs {
                exploitation: Exploitation::parse(cells[e])
                    .ok_or_else(|| bad("Exploitation", cells[e]))?,
                automatable: Automatable::parse(cells[a])
                    .ok_or_else(|| bad("Automatable", cells[a]))?,
                technical_impact: TechnicalImpact::parse(cells[t])
                    .ok_or_else(|| bad("Technical Impact", cells[t]))?,
                mission_wellbeing: MissionWellbeing::parse(cells[m])
                    .ok_or_else(|| bad("Mission and Well-Being", cells[m]))?,
            };
            let decision =
                Decision::parse(cells[outcome]).ok_or_else(|| bad("outcome", cells[outcome]))?;
            let slot = &mut outcomes[inputs.index()];
            if slot.is_some() {
                return Err(Diagnostic::new(at, "combination already given"));
            }
            *slot = Some(decision);
        }
        let mut complete = [Decision::Track; COMBINATIONS];
        for inputs in SsvcInputs::all() {
            complete[inputs.index()] = outcomes[inputs.index()].ok_or_else(|| {
                Diagnostic::new(
                    "$",
                    format!(
                        "no row for {} / {} / {} / {}",
                        inputs.exploitation.as_str(),
                        inputs.automatable.as_str(),
                        inputs.technical_impact.as_str(),
                        inputs.mission_wellbeing.as_str()
                    ),
                )
            })?;
        }
        Ok(DecisionTable { outcomes: complete })
    }

    /// The embedded CISA coordinator table v2.0.3.
    pub fn cisa_coordinator() -> &'static DecisionTable {
        static TABLE: OnceLock<DecisionTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            DecisionTable::parse_csv(CISA_COORDINATOR_2_0_3_CSV)
                .expect("the embedded CISA table is complete; the ssvc tests check it row by row")
        })
    }

    pub fn decide(&self, inputs: SsvcInputs) -> Decision {
        self.outcomes[inputs.index()]
    }
}
