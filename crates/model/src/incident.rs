//! Incident reports (§4): cyber or physical events on assets, reported by partner CSIRTs or the
//! hub's analysts, and sightings. They raise the threat of the assets they name.

/// Cyber (intrusion, ransomware, a sighting) or physical (sabotage, explosive device, natural
/// hazard).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IncidentKind {
    Cyber,
    Physical,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 2] = [IncidentKind::Cyber, IncidentKind::Physical];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::Cyber => "cyber",
            IncidentKind::Physical => "physical",
        }
    }

    pub fn parse(name: &str) -> Option<IncidentKind> {
        IncidentKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// An incident or sighting as reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentReport {
    /// The reporting partner; `None` when the hub's own analysts report it.
    pub partner_id: Option<String>,
    /// Who reported it, as shown (the partner id, or the analyst's name).
    pub reporter: String,
    pub kind: IncidentKind,
    /// `ransomware`, `sabotage`, `explosive-device`, `natural-hazard`, `intrusion`, `sighting`, …
    pub category: String,
    pub description: String,
    /// RFC 3339 UTC with milliseconds (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
    pub occurred_at: String,
    /// Same form as `occurred_at`.
    pub reported_at: String,
    /// The STIX incident or sighting it came from.
    pub stix_id: Option<String>,
    /// 1 (lowest) ..= 5.
    pub severity: u8,
    /// The asset ids it names; at least one.
    pub assets: Vec<String>,
}
