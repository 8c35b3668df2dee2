//! The hub's parties and what decides what each receives: partner CSIRTs (their tokens and
//! bundle keys), TAXII collections, sharing agreements and the installation's settings.

use model::Tlp;
use store::{Agreement, AgreementKind, Collection, CollectionGrant, Partner, PartnerToken, Store};

use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::notifications::{ACKNOWLEDGE_DAYS_SETTING, FollowUp, MITIGATE_DAYS_SETTING};
use crate::sharing::DEFAULT_TLP_SETTING;
use crate::{Actor, Error, Result};

/// A partner CSIRT to register.
#[derive(Clone, Debug, Default)]
pub struct NewPartner {
    /// Lowercase slug, also the HTTP Basic user name (`cert-de`).
    pub id: String,
    pub name: String,
    /// ISO 3166-1 alpha-2, any case.
    pub country: String,
    /// 1 (highest) to 3.
    pub tier: u8,
    /// Countries of the constituency (default: the partner's country).
    pub constituency_countries: Vec<String>,
    /// Sector ids of the constituency; empty means all.
    pub sectors: Vec<String>,
    pub contacts: Vec<String>,
    /// Ed25519 public key, 64 hex characters.
    pub public_key: Option<String>,
    pub anonymise: bool,
}

/// A partner with the agreements it is party to.
#[derive(Clone, Debug)]
pub struct PartnerDetail {
    pub partner: Partner,
    pub agreements: Vec<Agreement>,
}

/// A partner API token just issued: the secret is shown once, only its hash is kept.
pub struct IssuedPartnerToken {
    pub partner_id: String,
    pub secret: String,
}

/// A TAXII collection to create.
#[derive(Clone, Debug, Default)]
pub struct NewCollection {
    pub title: String,
    pub description: String,
    /// A UUID to use as the id (default: a new random one).
    pub id: Option<String>,
}

/// A sharing agreement to record.
#[derive(Clone, Debug)]
pub struct NewAgreement {
    /// Lowercase slug.
    pub id: String,
    pub title: String,
    pub parties: Vec<String>,
    /// The highest TLP shared under it.
    pub highest_tlp: Tlp,
    pub grants: Vec<CollectionGrant>,
    pub purpose: String,
    /// How long shared objects may be kept, in days.
    pub retention_days: Option<u32>,
}

/// The installation's settings, as stored (`None`: unset).
#[derive(Clone, Debug)]
pub struct Settings {
    pub default_tlp: Option<String>,
    /// The notifications' follow-up periods, defaults filled in.
    pub follow_up: FollowUp,
}

fn slug(pointer: &str, id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        return Err(Error::invalid(
            pointer,
            format!("{id:?}: use 1–64 lowercase letters, digits, '-' or '_'"),
        ));
    }
    Ok(())
}

fn country(pointer: &str, code: &str) -> Result<String> {
    let code = code.trim().to_ascii_uppercase();
    if model::country(&code).is_none() {
        return Err(Error::invalid(
            pointer,
            format!("{code:?} is not an ISO 3166-1 alpha-2 country code"),
        ));
    }
    Ok(code)
}

fn public_key(hex_key: &str) -> Result<String> {
    let key = hex_key.trim().to_ascii_lowercase();
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid(
            "/public_key",
            format!("expected 64 hex characters (an Ed25519 key), got {hex_key:?}"),
        ));
    }
    Ok(key)
}

fn existing_partner(store: &mut Store, id: &str) -> Result<Partner> {
    store.partner(id)?.ok_or_else(|| Error::NotFound {
        what: "partner",
        id: id.to_owned(),
    })
}

/// Registers a partner CSIRT.
pub fn add_partner(store: &mut Store, actor: &Actor, new: NewPartner) -> Result<Partner> {
    authorize(actor, Action::ManagePartners)?;
    slug("/id", &new.id)?;
    let home = country("/country", &new.country)?;
    if !(1..=3).contains(&new.tier) {
        return Err(Error::invalid(
            "/tier",
            format!("{}: expected 1 (highest) to 3", new.tier),
        ));
    }
    let countries = if new.constituency_countries.is_empty() {
        vec![home.clone()]
    } else {
        new.constituency_countries
            .iter()
            .enumerate()
            .map(|(i, c)| country(&format!("/constituency_countries/{i}"), c))
            .collect::<Result<_>>()?
    };
    for (i, sector) in new.sectors.iter().enumerate() {
        if model::sector(sector).is_none() {
            return Err(Error::invalid(
                format!("/sectors/{i}"),
                format!("{sector:?} is not a sector id (ENERGY, WATER, …)"),
            ));
        }
    }
    let partner = Partner {
        id: new.id,
        name: new.name,
        country: home,
        constituency_countries: countries,
        constituency_sectors: new.sectors,
        trust_tier: new.tier,
        contacts: new.contacts,
        public_key: new.public_key.as_deref().map(public_key).transpose()?,
        anonymise: new.anonymise,
        created_at: crate::now(),
    };
    audited(
        store,
        actor,
        "partner.add",
        |store| {
            if !store.add_partner(&partner)? {
                return Err(Error::Conflict(format!(
                    "a partner {:?} already exists",
                    partner.id
                )));
            }
            Ok(partner)
        },
        |p| (vec![p.id.clone()], format!("{p:?}")),
    )
}

pub fn partners(store: &mut Store) -> Result<Vec<Partner>> {
    Ok(store.partners()?)
}

/// One partner with its agreements.
pub fn partner(store: &mut Store, id: &str) -> Result<PartnerDetail> {
    let partner = existing_partner(store, id)?;
    let agreements = store.agreements_of(id)?;
    Ok(PartnerDetail {
        partner,
        agreements,
    })
}

/// Sets the Ed25519 public key that verifies the partner's bundles; returns the partner as it
/// now is.
pub fn set_partner_key(store: &mut Store, actor: &Actor, id: &str, key: &str) -> Result<Partner> {
    authorize(actor, Action::ManagePartners)?;
    let mut partner = existing_partner(store, id)?;
    partner.public_key = Some(public_key(key)?);
    audited(
        store,
        actor,
        "partner.key",
        |store| Ok(store.update_partner(&partner)?),
        |_| {
            (
                vec![partner.id.clone()],
                format!("{:?}", partner.public_key),
            )
        },
    )?;
    Ok(partner)
}

/// Issues an API token for the partner; only its argon2id hash is kept.
pub fn issue_partner_token(
    store: &mut Store,
    actor: &Actor,
    id: &str,
) -> Result<IssuedPartnerToken> {
    authorize(actor, Action::ManagePartners)?;
    existing_partner(store, id)?;
    let issued = exchange::token::issue();
    let token = PartnerToken {
        token_id: issued.token_id.clone(),
        partner_id: id.to_owned(),
        hash: issued.hash.clone(),
        created_at: crate::now(),
        revoked: false,
    };
    // The entry names the token by its public id; neither the token nor its hash is logged.
    audited(
        store,
        actor,
        "partner.token.issue",
        |store| Ok(store.add_partner_token(&token)?),
        |()| (vec![id.to_owned()], token.token_id.clone()),
    )?;
    Ok(IssuedPartnerToken {
        partner_id: id.to_owned(),
        secret: issued.secret_token,
    })
}

/// Revokes every token of the partner; returns how many were in force.
pub fn revoke_partner_tokens(store: &mut Store, actor: &Actor, id: &str) -> Result<u64> {
    authorize(actor, Action::ManagePartners)?;
    existing_partner(store, id)?;
    audited(
        store,
        actor,
        "partner.token.revoke",
        |store| Ok(store.revoke_partner_tokens(id)?),
        |n| (vec![id.to_owned()], format!("{n} revoked")),
    )
}

/// Creates a TAXII collection.
pub fn add_collection(store: &mut Store, actor: &Actor, new: NewCollection) -> Result<Collection> {
    authorize(actor, Action::ManageCollections)?;
    let id = match new.id {
        Some(id) => uuid::Uuid::parse_str(&id)
            .map_err(|_| Error::invalid("/id", format!("{id:?} is not a UUID")))?
            .to_string(),
        None => uuid::Uuid::new_v4().to_string(),
    };
    let collection = Collection {
        id,
        title: new.title,
        description: new.description,
        created_at: crate::now(),
    };
    audited(
        store,
        actor,
        "collection.add",
        |store| {
            if !store.add_collection(&collection)? {
                return Err(Error::Conflict(format!(
                    "a collection {} already exists",
                    collection.id
                )));
            }
            Ok(collection)
        },
        |c| (vec![c.id.clone()], format!("{c:?}")),
    )
}

/// Every collection with the number of objects it holds.
pub fn collections(store: &mut Store) -> Result<Vec<(Collection, u64)>> {
    let collections = store.collections()?;
    let mut rows = Vec::with_capacity(collections.len());
    for c in collections {
        let n = store.count_objects(&c.id)?;
        rows.push((c, n));
    }
    Ok(rows)
}

/// Records a sharing agreement (bilateral with two parties or fewer, else multilateral).
pub fn add_agreement(store: &mut Store, actor: &Actor, new: NewAgreement) -> Result<Agreement> {
    authorize(actor, Action::ManageAgreements)?;
    slug("/id", &new.id)?;
    if new.parties.is_empty() {
        return Err(Error::invalid("/parties", "an agreement needs a party"));
    }
    let agreement = Agreement {
        id: new.id,
        title: new.title,
        kind: if new.parties.len() <= 2 {
            AgreementKind::Bilateral
        } else {
            AgreementKind::Multilateral
        },
        parties: new.parties,
        highest_tlp: new.highest_tlp,
        purpose: new.purpose,
        retention_days: new.retention_days,
        grants: new.grants,
        created_at: crate::now(),
    };
    audited(
        store,
        actor,
        "agreement.add",
        |store| {
            if !store.add_agreement(&agreement)? {
                return Err(Error::Conflict(format!(
                    "an agreement {:?} already exists",
                    agreement.id
                )));
            }
            Ok(agreement)
        },
        |a| (vec![a.id.clone()], format!("{a:?}")),
    )
}

pub fn agreements(store: &mut Store) -> Result<Vec<Agreement>> {
    Ok(store.agreements()?)
}

/// Removes an agreement: what it granted stops at once.
pub fn remove_agreement(store: &mut Store, actor: &Actor, id: &str) -> Result<()> {
    authorize(actor, Action::ManageAgreements)?;
    audited(
        store,
        actor,
        "agreement.remove",
        |store| {
            if !store.remove_agreement(id)? {
                return Err(Error::NotFound {
                    what: "agreement",
                    id: id.to_owned(),
                });
            }
            Ok(())
        },
        |()| (vec![id.to_owned()], String::new()),
    )
}

/// Sets a setting; returns the value as stored ([`set_settings`]).
pub fn set_setting(store: &mut Store, actor: &Actor, key: &str, value: &str) -> Result<String> {
    let mut stored = set_settings(store, actor, &[(key, value)])?;
    Ok(stored.remove(0))
}

/// Sets settings, all or nothing; returns the values as stored, in order: `default_tlp` (the
/// TLP of unmarked objects, in its canonical spelling), `acknowledge_days` and `mitigate_days`
/// (the notifications' follow-up periods, 1 to 365 days: `notifications::follow_up`). Every
/// value is checked before any is written; a bad one is named by its key's pointer.
pub fn set_settings(
    store: &mut Store,
    actor: &Actor,
    changes: &[(&str, &str)],
) -> Result<Vec<String>> {
    authorize(actor, Action::ManageSettings)?;
    if changes.is_empty() {
        return Err(Error::invalid(
            "",
            format!(
                "name at least one setting: {DEFAULT_TLP_SETTING}, {ACKNOWLEDGE_DAYS_SETTING}, \
                 {MITIGATE_DAYS_SETTING}"
            ),
        ));
    }
    let checked = changes
        .iter()
        .map(|(key, value)| Ok((*key, checked_setting(key, value)?)))
        .collect::<Result<Vec<(&str, String)>>>()?;
    audited(
        store,
        actor,
        "setting.set",
        |store| {
            for (key, value) in &checked {
                store.set_setting(key, value)?;
            }
            Ok(())
        },
        |()| {
            (
                checked.iter().map(|(key, _)| (*key).to_owned()).collect(),
                checked
                    .iter()
                    .map(|(key, value)| format!("{key} = {value}\n"))
                    .collect(),
            )
        },
    )?;
    Ok(checked.into_iter().map(|(_, value)| value).collect())
}

/// A setting's value in its stored form, or why it cannot be stored.
fn checked_setting(key: &str, value: &str) -> Result<String> {
    Ok(match key {
        ACKNOWLEDGE_DAYS_SETTING | MITIGATE_DAYS_SETTING => value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|days| (1..=365).contains(days))
            .ok_or_else(|| {
                Error::invalid(
                    format!("/{key}"),
                    format!("{value:?}: expected a number of days from 1 to 365"),
                )
            })?
            .to_string(),
        DEFAULT_TLP_SETTING => Tlp::parse(value)
            .ok_or_else(|| {
                Error::invalid(
                    format!("/{key}"),
                    "expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED",
                )
            })?
            .as_str()
            .to_owned(),
        _ => {
            return Err(Error::invalid(
                "/key",
                format!(
                    "unknown setting {key:?}; known: {DEFAULT_TLP_SETTING}, \
                     {ACKNOWLEDGE_DAYS_SETTING}, {MITIGATE_DAYS_SETTING}"
                ),
            ));
        }
    })
}

pub fn settings(store: &mut Store) -> Result<Settings> {
    Ok(Settings {
        default_tlp: store.setting(DEFAULT_TLP_SETTING)?,
        follow_up: crate::notifications::follow_up(store)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    fn user(role: Role) -> Actor {
        Actor::User {
            name: "someone".into(),
            role,
            partner: (role == Role::Partner).then(|| "cert-fr".into()),
        }
    }

    fn partner(id: &str) -> NewPartner {
        NewPartner {
            id: id.into(),
            name: "CERT".into(),
            country: "fr".into(),
            tier: 2,
            ..NewPartner::default()
        }
    }

    #[test]
    fn only_administrators_manage_partners_and_each_write_is_audited() {
        let mut store = Store::open("sqlite::memory:").expect("store");
        for role in [Role::Analyst, Role::Coordinator, Role::Partner] {
            let refused = add_partner(&mut store, &user(role), partner("cert-fr"));
            assert!(
                matches!(refused, Err(Error::Forbidden(_))),
                "{role}: {refused:?}"
            );
        }
        assert!(partners(&mut store).expect("read").is_empty());
        let added = add_partner(&mut store, &user(Role::Admin), partner("cert-fr")).expect("admin");
        assert_eq!(added.country, "FR");
        let again = add_partner(&mut store, &Actor::Local("root".into()), partner("cert-fr"));
        assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
        let filter = crate::audit::AuditFilter {
            limit: 100,
            ..crate::audit::AuditFilter::default()
        };
        let log = crate::audit::list(&mut store, &filter).expect("audit");
        let actions: Vec<(&str, &str)> = log
            .iter()
            .map(|e| (e.actor.as_str(), e.action.as_str()))
            .collect();
        // The refused and the failed writes left no entry.
        assert_eq!(actions, [("user:someone", "partner.add")]);
    }
}
