//! `partner …`, `collection …`, `agreement …` and `setting …`: the CSIRT hub's parties and the
//! sharing agreements that decide what each receives (§4 of the specification).

use app::Actor;
use app::notifications::{ACKNOWLEDGE_DAYS_SETTING, MITIGATE_DAYS_SETTING};
use app::partners::{self, NewAgreement, NewCollection, NewPartner, PartnerDetail};
use app::sharing::DEFAULT_TLP_SETTING;
use clap::{Args, Subcommand};
use serde_json::json;
use store::{Agreement, AgreementKind, CollectionGrant, Partner, Tlp};

use crate::config::Config;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Register a partner CSIRT.
    Add(PartnerArgs),
    /// Every partner.
    List,
    /// One partner with its agreements.
    Show {
        /// The partner id.
        id: String,
    },
    /// Issue an API token (printed once; only its argon2 hash is kept). `--revoke` revokes
    /// every token of the partner instead.
    Token {
        /// The partner id.
        id: String,
        /// Revoke every token of the partner instead of issuing one.
        #[arg(long)]
        revoke: bool,
    },
    /// Set the Ed25519 public key (64 hex characters) that verifies the partner's bundles.
    Key {
        /// The partner id.
        id: String,
        /// The Ed25519 public key, 64 hex characters (its `hub.pub`).
        public_key: String,
    },
}

#[derive(Debug, Args)]
pub struct PartnerArgs {
    /// Lowercase slug, also the HTTP Basic user name (`cert-de`).
    pub id: String,
    /// The partner CSIRT's name.
    #[arg(long)]
    pub name: String,
    /// ISO 3166-1 alpha-2 code.
    #[arg(long, value_name = "CC")]
    pub country: String,
    /// 1 (highest) to 3.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub tier: u8,
    /// Countries of the constituency, comma-separated (default: the partner's country).
    #[arg(long, value_delimiter = ',', value_name = "CC,…")]
    pub constituency_countries: Vec<String>,
    /// Sectors of the constituency, comma-separated ids (ENERGY,…); empty means all.
    #[arg(long, value_delimiter = ',', value_name = "SECTOR,…")]
    pub sectors: Vec<String>,
    /// A contact (e-mail or phone); repeat for several.
    #[arg(long = "contact")]
    pub contacts: Vec<String>,
    /// The Ed25519 public key (64 hex characters) that verifies its bundles.
    #[arg(long, value_name = "HEX")]
    pub public_key: Option<String>,
    /// Hide this partner as the submitter of its objects from other partners.
    #[arg(long)]
    pub anonymise: bool,
}

#[derive(Debug, Subcommand)]
pub enum CollectionCommand {
    /// Create a TAXII collection; prints its id.
    Add {
        /// The collection's title.
        #[arg(long)]
        title: String,
        /// What the collection holds.
        #[arg(long, default_value = "")]
        description: String,
        /// A UUID to use as the id (default: a new random one).
        #[arg(long)]
        id: Option<String>,
    },
    /// Every collection.
    List,
    /// A collection's objects with their TLP, as this hub's staff see them (a TLP:RED object
    /// only by the users it names, so never here).
    Show {
        /// The collection id.
        id: String,
        /// Objects to print.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// Record a sharing agreement.
    Add(AgreementArgs),
    /// Every agreement.
    List,
    /// Remove an agreement (what it granted stops at once).
    Remove {
        /// The agreement id.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// Lowercase slug.
    pub id: String,
    /// The agreement's title.
    #[arg(long)]
    pub title: String,
    /// A partner party to it; repeat for several.
    #[arg(long = "party", required = true)]
    pub parties: Vec<String>,
    /// The highest TLP shared under it.
    #[arg(long, value_parser = parse_tlp)]
    pub tlp: Tlp,
    /// `COLLECTION:r`, `:w` or `:rw`; repeat for several.
    #[arg(long = "collection", value_name = "ID:RIGHTS", value_parser = parse_grant)]
    pub grants: Vec<CollectionGrant>,
    /// What the shared information may be used for.
    #[arg(long, default_value = "")]
    pub purpose: String,
    /// How long shared objects may be kept, in days.
    #[arg(long)]
    pub retention_days: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum SettingCommand {
    /// Set a setting: `default_tlp` (CLEAR … RED) is the TLP of unmarked objects;
    /// `acknowledge_days` (default 3) and `mitigate_days` (default 30) are how long a partner
    /// has, from sending, to acknowledge a notification and to report its outcome.
    Set {
        /// The setting's name (`default_tlp`, `acknowledge_days`, `mitigate_days`).
        key: String,
        /// Its new value.
        value: String,
    },
    /// Every setting.
    List,
}

pub fn parse_tlp(label: &str) -> Result<Tlp, String> {
    Tlp::parse(label).ok_or_else(|| "expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED".to_owned())
}

fn parse_grant(text: &str) -> Result<CollectionGrant, String> {
    let (id, rights) = text
        .rsplit_once(':')
        .ok_or_else(|| "expected COLLECTION:r, :w or :rw".to_owned())?;
    let (read, write) = match rights {
        "r" => (true, false),
        "w" => (false, true),
        "rw" | "wr" => (true, true),
        _ => return Err(format!("rights {rights:?}: expected r, w or rw")),
    };
    Ok(CollectionGrant {
        collection_id: id.to_owned(),
        read,
        write,
    })
}

pub fn run_partner(config: &Config, command: PartnerCommand) -> anyhow::Result<()> {
    let actor = Actor::local();
    let mut store = config.open_store()?;
    match command {
        PartnerCommand::Add(a) => {
            let partner = partners::add_partner(
                &mut store,
                &actor,
                NewPartner {
                    id: a.id,
                    name: a.name,
                    country: a.country,
                    tier: a.tier,
                    constituency_countries: a.constituency_countries,
                    sectors: a.sectors,
                    contacts: a.contacts,
                    public_key: a.public_key,
                    anonymise: a.anonymise,
                },
            )?;
            if config.json {
                return output::json(&json!({ "id": partner.id }));
            }
            outln!("{}", partner.id);
            Ok(())
        }
        PartnerCommand::List => list_partners(config, &partners::partners(&mut store)?),
        PartnerCommand::Show { id } => show_partner(config, &partners::partner(&mut store, &id)?),
        PartnerCommand::Token { id, revoke } => {
            if revoke {
                let n = partners::revoke_partner_tokens(&mut store, &actor, &id)?;
                output::note(config.quiet, format!("{n} token(s) of {id} revoked"));
                return Ok(());
            }
            let issued = partners::issue_partner_token(&mut store, &actor, &id)?;
            if config.json {
                return output::json(
                    &json!({ "partner": issued.partner_id, "token": issued.secret }),
                );
            }
            outln!("{}", issued.secret);
            output::note(
                config.quiet,
                "this token is shown once; Meridian keeps only its argon2 hash",
            );
            Ok(())
        }
        PartnerCommand::Key {
            id,
            public_key: key,
        } => {
            partners::set_partner_key(&mut store, &actor, &id, &key)?;
            output::note(config.quiet, format!("public key of {id} set"));
            Ok(())
        }
    }
}

fn partner_json(p: &Partner) -> serde_json::Value {
    json!({
        "id": p.id,
        "name": p.name,
        "country": p.country,
        "constituency_countries": p.constituency_countries,
        "constituency_sectors": p.constituency_sectors,
        "trust_tier": p.trust_tier,
        "contacts": p.contacts,
        "public_key": p.public_key,
        "anonymise": p.anonymise,
        "created_at": p.created_at,
    })
}

fn list_partners(config: &Config, partners: &[Partner]) -> anyhow::Result<()> {
    if config.json {
        let all: Vec<_> = partners.iter().map(partner_json).collect();
        return output::json(&all);
    }
    output::table(
        &["id", "name", "country", "tier", "constituency", "key"],
        partners.iter().map(|p| {
            vec![
                p.id.clone(),
                p.name.clone(),
                p.country.clone(),
                p.trust_tier.to_string(),
                p.constituency_countries.join(","),
                if p.public_key.is_some() { "yes" } else { "" }.to_owned(),
            ]
        }),
    );
    Ok(())
}

fn show_partner(config: &Config, detail: &PartnerDetail) -> anyhow::Result<()> {
    let PartnerDetail {
        partner,
        agreements,
    } = detail;
    if config.json {
        let mut value = partner_json(partner);
        value["agreements"] = agreements.iter().map(agreement_json).collect();
        return output::json(&value);
    }
    outln!(
        "{} — {} ({}, tier {})",
        partner.id,
        partner.name,
        partner.country,
        partner.trust_tier
    );
    outln!(
        "constituency: {} {}",
        partner.constituency_countries.join(","),
        partner.constituency_sectors.join(",")
    );
    for a in agreements {
        outln!(
            "agreement {}: up to TLP:{}, {}",
            a.id,
            a.highest_tlp,
            a.title
        );
    }
    Ok(())
}

pub fn run_collection(config: &Config, command: CollectionCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        CollectionCommand::Add {
            title,
            description,
            id,
        } => {
            let collection = partners::add_collection(
                &mut store,
                &Actor::local(),
                NewCollection {
                    title,
                    description,
                    id,
                },
            )?;
            if config.json {
                return output::json(&json!({ "id": collection.id }));
            }
            outln!("{}", collection.id);
            Ok(())
        }
        CollectionCommand::List => {
            let rows = partners::collections(&mut store)?;
            if config.json {
                let all: Vec<_> = rows
                    .iter()
                    .map(|(c, n)| json!({ "id": c.id, "title": c.title, "description": c.description, "objects": n }))
                    .collect();
                return output::json(&all);
            }
            output::table(
                &["id", "title", "objects"],
                rows.iter()
                    .map(|(c, n)| vec![c.id.clone(), c.title.clone(), n.to_string()]),
            );
            Ok(())
        }
        CollectionCommand::Show { id, limit } => {
            let stored = store.count_objects(&id)?;
            // One page past the limit says whether more are shown than printed.
            let page = app::sharing::read_objects(
                &mut store,
                &Actor::local(),
                &id,
                None,
                limit.saturating_add(1),
            )?;
            if config.json {
                let all: Vec<serde_json::Value> = page
                    .objects
                    .iter()
                    .take(limit)
                    .map(|o| {
                        json!({ "id": o.id, "type": o.kind, "tlp": o.tlp.as_str(),
                                "object": serde_json::from_str::<serde_json::Value>(&o.json).unwrap_or_default() })
                    })
                    .collect();
                return output::json(&all);
            }
            output::limited_table(
                config.quiet,
                "objects",
                &["id", "type", "TLP"],
                &page.objects,
                limit,
                |o| vec![o.id.clone(), o.kind.clone(), o.tlp.as_str().to_owned()],
            );
            output::note(
                config.quiet,
                format!(
                    "{stored} object(s) stored; TLP:RED ones are shown only to the users they name"
                ),
            );
            Ok(())
        }
    }
}

fn agreement_json(a: &Agreement) -> serde_json::Value {
    let grants: Vec<_> = a
        .grants
        .iter()
        .map(|g| json!({ "collection": g.collection_id, "read": g.read, "write": g.write }))
        .collect();
    json!({
        "id": a.id,
        "title": a.title,
        "kind": match a.kind { AgreementKind::Bilateral => "bilateral", AgreementKind::Multilateral => "multilateral" },
        "parties": a.parties,
        "highest_tlp": a.highest_tlp.as_str(),
        "purpose": a.purpose,
        "retention_days": a.retention_days,
        "collections": grants,
        "created_at": a.created_at,
    })
}

pub fn run_agreement(config: &Config, command: AgreementCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        AgreementCommand::Add(a) => {
            let agreement = partners::add_agreement(
                &mut store,
                &Actor::local(),
                NewAgreement {
                    id: a.id,
                    title: a.title,
                    parties: a.parties,
                    highest_tlp: a.tlp,
                    grants: a.grants,
                    purpose: a.purpose,
                    retention_days: a.retention_days,
                },
            )?;
            output::note(config.quiet, format!("agreement {} recorded", agreement.id));
            Ok(())
        }
        AgreementCommand::List => {
            let agreements = partners::agreements(&mut store)?;
            if config.json {
                let all: Vec<_> = agreements.iter().map(agreement_json).collect();
                return output::json(&all);
            }
            output::table(
                &["id", "parties", "tlp", "collections", "title"],
                agreements.iter().map(|a| {
                    let grants: Vec<String> = a
                        .grants
                        .iter()
                        .map(|g| {
                            let rights = match (g.read, g.write) {
                                (true, true) => "rw",
                                (true, false) => "r",
                                _ => "w",
                            };
                            format!("{}:{rights}", g.collection_id)
                        })
                        .collect();
                    vec![
                        a.id.clone(),
                        a.parties.join(","),
                        a.highest_tlp.as_str().to_owned(),
                        grants.join(" "),
                        a.title.clone(),
                    ]
                }),
            );
            Ok(())
        }
        AgreementCommand::Remove { id } => {
            partners::remove_agreement(&mut store, &Actor::local(), &id)?;
            output::note(config.quiet, format!("agreement {id} removed"));
            Ok(())
        }
    }
}

pub fn run_setting(config: &Config, command: SettingCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        SettingCommand::Set { key, value } => {
            let value = partners::set_setting(&mut store, &Actor::local(), &key, &value)?;
            output::note(config.quiet, format!("{key} = {value}"));
            Ok(())
        }
        SettingCommand::List => {
            let settings = partners::settings(&mut store)?;
            let tlp = settings
                .default_tlp
                .unwrap_or_else(|| "GREEN (unset)".to_owned());
            let follow_up = settings.follow_up;
            if config.json {
                return output::json(&json!({
                    DEFAULT_TLP_SETTING: tlp,
                    ACKNOWLEDGE_DAYS_SETTING: follow_up.acknowledge_days,
                    MITIGATE_DAYS_SETTING: follow_up.mitigate_days,
                }));
            }
            outln!("{DEFAULT_TLP_SETTING} = {tlp}");
            outln!(
                "{ACKNOWLEDGE_DAYS_SETTING} = {}",
                follow_up.acknowledge_days
            );
            outln!("{MITIGATE_DAYS_SETTING} = {}", follow_up.mitigate_days);
            Ok(())
        }
    }
}
