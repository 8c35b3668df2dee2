//! What changed since a user's previous visit, for the dashboard: the alerts, incidents, intel
//! documents and rankings recorded after the user's previous login (the second newest
//! `session.login` of the audit log, so no extra state is kept), and the assets whose rank moved
//! in a ranking stored since.

use store::{Alert, AuditFilter, Incident, Store};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::analysis::{RankQuery, RankRow, stored_ranking};
use crate::authz::{Action, authorize};
use crate::intel::DocumentRow;
use crate::{Actor, Error, Result};

/// What was recorded after `since`.
#[derive(Clone, Debug)]
pub struct Changes {
    /// The previous login; `None` on a first visit (everything is then new, nothing is listed).
    pub since: Option<String>,
    pub alerts: Vec<Alert>,
    pub incidents: Vec<Incident>,
    pub documents: Vec<DocumentRow>,
    /// Rankings stored since.
    pub rankings: usize,
    /// In the newest ranking, when it was stored since: the assets that moved or entered, the
    /// largest moves first.
    pub movers: Vec<RankRow>,
}

/// How many movers are listed.
const MOVERS: usize = 10;

/// When the actor logged in before its current session; `None` for a first login or an actor
/// that does not log in (tokens, the command line).
pub fn previous_login(store: &mut Store, actor: &Actor) -> Result<Option<String>> {
    let Actor::User { .. } = actor else {
        return Ok(None);
    };
    let logins = store.audit_list(&AuditFilter {
        actor: Some(actor.audit_name()),
        action: Some("session.login".to_owned()),
        after: None,
        limit: 2,
    })?;
    Ok((logins.len() == 2).then(|| logins[0].at.clone()))
}

/// What changed since the actor's previous login, for the installation whose home country is
/// `home`.
pub fn since_previous_login(store: &mut Store, actor: &Actor, home: &str) -> Result<Changes> {
    authorize(actor, Action::ReadAnalysis)?;
    let Some(since) = previous_login(store, actor)? else {
        return Ok(Changes {
            since: None,
            alerts: Vec::new(),
            incidents: Vec::new(),
            documents: Vec::new(),
            rankings: 0,
            movers: Vec::new(),
        });
    };
    // The stored forms differ in precision (seconds, milliseconds): compare instants, and count
    // what shares the login's second as new rather than hide it.
    let instant = |at: &str| OffsetDateTime::parse(at, &Rfc3339).ok();
    let since_at = instant(&since);
    let after = |at: &str| matches!((instant(at), since_at), (Some(at), Some(s)) if at >= s);
    let alerts = crate::alerts::list(store)?
        .into_iter()
        .filter(|a| after(&a.created_at))
        .collect();
    let incidents = crate::incidents::list(store, None)?
        .into_iter()
        .filter(|i| after(&i.report.reported_at))
        .collect();
    let documents = crate::intel::documents(store)?
        .into_iter()
        .filter(|d| after(&d.imported_at))
        .collect();
    let rankings = store
        .ranking_runs()?
        .into_iter()
        .filter(|r| r.home == home && after(&r.created_at))
        .count();
    let movers = if rankings == 0 {
        Vec::new()
    } else {
        match stored_ranking(
            store,
            &RankQuery {
                home: home.to_owned(),
                ..Default::default()
            },
        ) {
            Ok(ranking) if ranking.previous_run.is_some() => {
                let mut moved: Vec<RankRow> = ranking
                    .rows
                    .into_iter()
                    .filter(|r| r.movement() != Some(0))
                    .collect();
                moved.sort_by_key(|r| std::cmp::Reverse(r.movement().map_or(i64::MAX, i64::abs)));
                moved.truncate(MOVERS);
                moved
            }
            Ok(_) | Err(Error::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(e),
        }
    };
    Ok(Changes {
        since: Some(since),
        alerts,
        incidents,
        documents,
        rankings,
        movers,
    })
}
