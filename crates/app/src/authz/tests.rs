use std::collections::BTreeSet;

use super::*;

fn user(role: Role) -> Actor {
    Actor::User {
        name: "ana".to_owned(),
        role,
        partner: (role == Role::Partner).then(|| "cert-de".to_owned()),
    }
}

/// Every (role × action) cell: `allowed` names the roles that may, the others may not. A
/// partner's token acts as a partner user, the local command line as an administrator.
fn check(action: Action, allowed: &str) {
    let allowed: Vec<Role> = allowed
        .split_whitespace()
        .map(|r| Role::parse(r).expect("a role name"))
        .collect();
    for role in Role::ALL {
        let result = authorize(&user(role), action);
        assert_eq!(
            result.is_ok(),
            allowed.contains(&role),
            "{role} × {action:?}: {result:?}"
        );
        if let Err(e) = result {
            assert!(matches!(e, Error::Forbidden(_)), "{e:?}");
            let message = e.to_string();
            assert!(
                message.contains(role.as_str()) && message.contains(action.describe()),
                "{message}"
            );
        }
    }
    let partner = Actor::Partner("cert-de".to_owned());
    assert_eq!(
        authorize(&partner, action).is_ok(),
        allowed.contains(&Role::Partner),
        "partner token × {action:?}"
    );
    assert!(authorize(&Actor::Local("root".to_owned()), action).is_ok());
}

const MATRIX: &[(Action, &str)] = &[
    (Action::ManageUsers, "admin"),
    (Action::ManagePartners, "admin"),
    (Action::ManageCollections, "admin"),
    (Action::ManageAgreements, "admin"),
    (Action::ManageSettings, "admin"),
    (Action::ManageRemotes, "admin"),
    (Action::Sync, "admin"),
    (Action::Bundles, "admin"),
    (Action::ReadAudit, "admin"),
    (Action::ImportAtlas, "admin analyst"),
    (Action::ExportAtlas, "admin analyst"),
    (Action::EditAtlas, "admin analyst"),
    (Action::RunAnalysis, "admin analyst"),
    (Action::ImportIntel, "admin analyst"),
    (Action::MarkFalsePositives, "admin analyst"),
    (Action::ManageCvdCases, "admin analyst"),
    (Action::ManageAlerts, "admin analyst"),
    (Action::DraftNotifications, "admin analyst coordinator"),
    (Action::ManageIncidents, "admin analyst coordinator"),
    (Action::SendNotifications, "admin coordinator"),
    (Action::AdvanceNotifications, "admin coordinator"),
    (Action::ManageActivities, "admin coordinator"),
    (Action::ManageMeasures, "admin coordinator"),
    (Action::ReadAtlas, "admin analyst coordinator"),
    (Action::ReadAnalysis, "admin analyst coordinator"),
    (Action::ReadIntel, "admin analyst coordinator"),
    (Action::ReadExchange, "admin analyst coordinator"),
    (Action::ReadCoordination, "admin analyst coordinator"),
    (Action::ReportOwnNotifications, "admin partner"),
    (Action::ReportIncidents, "admin analyst coordinator partner"),
    (Action::ReadReleased, "admin analyst coordinator partner"),
];

#[test]
fn every_role_and_action() {
    for &(action, allowed) in MATRIX {
        check(action, allowed);
    }
}

#[test]
fn the_matrix_covers_every_action_once() {
    let listed: BTreeSet<Action> = MATRIX.iter().map(|(a, _)| *a).collect();
    assert_eq!(listed.len(), MATRIX.len(), "an action listed twice");
    assert_eq!(listed, Action::ALL.into_iter().collect());
}

#[test]
fn the_module_table_matches_the_rules() {
    let doc = include_str!("../authz.rs");
    for action in Action::ALL {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("//! | `{action:?}`")))
            .unwrap_or_else(|| panic!("no table row for {action:?}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        for (i, role) in Role::ALL.into_iter().enumerate() {
            let documented = cells[i + 2] == "x";
            assert_eq!(
                documented,
                authorize(&user(role), action).is_ok(),
                "table row {row:?}, {role}"
            );
        }
    }
}

#[test]
fn refusals_name_the_actor_role_and_action() {
    let err = authorize(&user(Role::Analyst), Action::ManageUsers).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "user:ana has the role analyst, which may not manage users"
    );
}
