//! Who may do what: every kind of write and privileged read in the product is an [`Action`],
//! and [`authorize`] decides from the actor's [`Role`] alone. Which records a partner may see or
//! report on (its own notifications, what the release decision lets through) is decided by the
//! use case after this check; a partner's API token ([`Actor::Partner`]) acts as a partner user,
//! the local command line ([`Actor::Local`]) as an administrator.
//!
//! | action                   | admin | analyst | coordinator | partner |
//! |--------------------------|:-----:|:-------:|:-----------:|:-------:|
//! | `ManageUsers`            |   x   |         |             |         |
//! | `ManagePartners`         |   x   |         |             |         |
//! | `ManageCollections`      |   x   |         |             |         |
//! | `ManageAgreements`       |   x   |         |             |         |
//! | `ManageSettings`         |   x   |         |             |         |
//! | `ManageRemotes`          |   x   |         |             |         |
//! | `Sync`                   |   x   |         |             |         |
//! | `Bundles`                |   x   |         |             |         |
//! | `ReadAudit`              |   x   |         |             |         |
//! | `ImportAtlas`            |   x   |    x    |             |         |
//! | `ExportAtlas`            |   x   |    x    |             |         |
//! | `EditAtlas`              |   x   |    x    |             |         |
//! | `RunAnalysis`            |   x   |    x    |             |         |
//! | `ImportIntel`            |   x   |    x    |             |         |
//! | `MarkFalsePositives`     |   x   |    x    |             |         |
//! | `ManageCvdCases`         |   x   |    x    |             |         |
//! | `ManageAlerts`           |   x   |    x    |             |         |
//! | `DraftNotifications`     |   x   |    x    |      x      |         |
//! | `ManageIncidents`        |   x   |    x    |      x      |         |
//! | `SendNotifications`      |   x   |         |      x      |         |
//! | `AdvanceNotifications`   |   x   |         |      x      |         |
//! | `ManageActivities`       |   x   |         |      x      |         |
//! | `ManageMeasures`         |   x   |         |      x      |         |
//! | `ReadAtlas`              |   x   |    x    |      x      |         |
//! | `ReadAnalysis`           |   x   |    x    |      x      |         |
//! | `ReadIntel`              |   x   |    x    |      x      |         |
//! | `ReadExchange`           |   x   |    x    |      x      |         |
//! | `ReadCoordination`       |   x   |    x    |      x      |         |
//! | `ReportOwnNotifications` |   x   |         |             |    x    |
//! | `ReportIncidents`        |   x   |    x    |      x      |    x    |
//! | `ReadReleased`           |   x   |    x    |      x      |    x    |

use std::fmt;

use crate::{Actor, Error, Result, Role};

#[cfg(test)]
mod tests;

/// A kind of write or privileged read. See the module documentation for who may do each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Add, disable and change users; issue and revoke others' tokens.
    ManageUsers,
    /// Add and change partner CSIRTs and their API tokens.
    ManagePartners,
    /// Add and change TAXII collections.
    ManageCollections,
    /// Add, change and remove sharing agreements.
    ManageAgreements,
    /// Change installation settings.
    ManageSettings,
    /// Add, change and remove federation remotes.
    ManageRemotes,
    /// Pull from and push to remotes; fetch feeds.
    Sync,
    /// Export and import signed offline bundles.
    Bundles,
    /// Read the audit log.
    ReadAudit,
    /// Import assets and dependencies.
    ImportAtlas,
    /// Export the whole atlas.
    ExportAtlas,
    /// Change or delete single assets and dependencies, scenarios.
    EditAtlas,
    /// Run and store analyses (cascade, rank, …).
    RunAnalysis,
    /// Import intel documents (KEV, CVE, CSAF, SBOM, …).
    ImportIntel,
    /// Mark and unmark findings as false positives.
    MarkFalsePositives,
    /// Open and advance coordinated vulnerability disclosure cases.
    ManageCvdCases,
    /// Create and change alerts.
    ManageAlerts,
    /// Draft notifications to partners.
    DraftNotifications,
    /// Record, triage and change incidents.
    ManageIncidents,
    /// Send drafted notifications to partners.
    SendNotifications,
    /// Move notifications along their states.
    AdvanceNotifications,
    /// Create and change coordination activities.
    ManageActivities,
    /// Create and change coordination measures.
    ManageMeasures,
    /// Read assets, dependencies and atlas statistics.
    ReadAtlas,
    /// Read analysis results (cascades, rankings, scenarios).
    ReadAnalysis,
    /// Read intel documents, findings and CVD cases.
    ReadIntel,
    /// Read partners, agreements, alerts, notifications and incidents as the installation
    /// sees them (not filtered by a release decision).
    ReadExchange,
    /// Read coordination activities and measures.
    ReadCoordination,
    /// Report on the notifications addressed to one's own partner (acknowledge, resolve).
    ReportOwnNotifications,
    /// Submit incident reports.
    ReportIncidents,
    /// Read what the release decision lets through to the actor (shared objects, released
    /// alerts and notifications).
    ReadReleased,
}

impl Action {
    pub const ALL: [Action; 31] = [
        Action::ManageUsers,
        Action::ManagePartners,
        Action::ManageCollections,
        Action::ManageAgreements,
        Action::ManageSettings,
        Action::ManageRemotes,
        Action::Sync,
        Action::Bundles,
        Action::ReadAudit,
        Action::ImportAtlas,
        Action::ExportAtlas,
        Action::EditAtlas,
        Action::RunAnalysis,
        Action::ImportIntel,
        Action::MarkFalsePositives,
        Action::ManageCvdCases,
        Action::ManageAlerts,
        Action::DraftNotifications,
        Action::ManageIncidents,
        Action::SendNotifications,
        Action::AdvanceNotifications,
        Action::ManageActivities,
        Action::ManageMeasures,
        Action::ReadAtlas,
        Action::ReadAnalysis,
        Action::ReadIntel,
        Action::ReadExchange,
        Action::ReadCoordination,
        Action::ReportOwnNotifications,
        Action::ReportIncidents,
        Action::ReadReleased,
    ];

    /// What the action does, in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Action::ManageUsers => "manage users",
            Action::ManagePartners => "manage partners",
            Action::ManageCollections => "manage collections",
            Action::ManageAgreements => "manage agreements",
            Action::ManageSettings => "change settings",
            Action::ManageRemotes => "manage remotes",
            Action::Sync => "sync with remotes and feeds",
            Action::Bundles => "export and import bundles",
            Action::ReadAudit => "read the audit log",
            Action::ImportAtlas => "import into the atlas",
            Action::ExportAtlas => "export the atlas",
            Action::EditAtlas => "edit the atlas",
            Action::RunAnalysis => "run analyses",
            Action::ImportIntel => "import intel",
            Action::MarkFalsePositives => "mark false positives",
            Action::ManageCvdCases => "manage CVD cases",
            Action::ManageAlerts => "manage alerts",
            Action::DraftNotifications => "draft notifications",
            Action::ManageIncidents => "manage incidents",
            Action::SendNotifications => "send notifications",
            Action::AdvanceNotifications => "advance notifications",
            Action::ManageActivities => "manage activities",
            Action::ManageMeasures => "manage measures",
            Action::ReadAtlas => "read the atlas",
            Action::ReadAnalysis => "read analyses",
            Action::ReadIntel => "read intel",
            Action::ReadExchange => "read partners, alerts, notifications and incidents",
            Action::ReadCoordination => "read activities and measures",
            Action::ReportOwnNotifications => "report on its partner's notifications",
            Action::ReportIncidents => "report incidents",
            Action::ReadReleased => "read what is released to it",
        }
    }

    /// The roles allowed the action (the administrator always is).
    fn roles(self) -> &'static [Role] {
        use Role::{Admin, Analyst, Coordinator, Partner};
        match self {
            Action::ManageUsers
            | Action::ManagePartners
            | Action::ManageCollections
            | Action::ManageAgreements
            | Action::ManageSettings
            | Action::ManageRemotes
            | Action::Sync
            | Action::Bundles
            | Action::ReadAudit => &[Admin],
            Action::ImportAtlas
            | Action::ExportAtlas
            | Action::EditAtlas
            | Action::RunAnalysis
            | Action::ImportIntel
            | Action::MarkFalsePositives
            | Action::ManageCvdCases
            | Action::ManageAlerts => &[Admin, Analyst],
            Action::SendNotifications
            | Action::AdvanceNotifications
            | Action::ManageActivities
            | Action::ManageMeasures => &[Admin, Coordinator],
            Action::DraftNotifications
            | Action::ManageIncidents
            | Action::ReadAtlas
            | Action::ReadAnalysis
            | Action::ReadIntel
            | Action::ReadExchange
            | Action::ReadCoordination => &[Admin, Analyst, Coordinator],
            Action::ReportOwnNotifications => &[Admin, Partner],
            Action::ReportIncidents | Action::ReadReleased => {
                &[Admin, Analyst, Coordinator, Partner]
            }
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Passes when the actor's role allows `action`; otherwise [`Error::Forbidden`] naming the
/// actor, its role and the action.
pub fn authorize(actor: &Actor, action: Action) -> Result<()> {
    let role = actor.role();
    if action.roles().contains(&role) {
        return Ok(());
    }
    Err(Error::Forbidden(format!(
        "{} has the role {role}, which may not {action}",
        actor.audit_name()
    )))
}
