//! `partner …`, `collection …`, `agreement …` and `setting …`: the CSIRT hub's parties and the
//! sharing agreements that decide what each receives (§4 of the specification).

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::json;
use store::{Agreement, AgreementKind, Collection, CollectionGrant, Partner, PartnerToken, Tlp};

use crate::config::Config;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Register a partner CSIRT.
    Add(PartnerArgs),
    /// Every partner.
    List,
    /// One partner with its agreements.
    Show { id: String },
    /// Issue an API token (printed once; only its argon2 hash is kept). `--revoke` revokes
    /// every token of the partner instead.
    Token {
        id: String,
        #[arg(long)]
        revoke: bool,
    },
    /// Set the Ed25519 public key (64 hex characters) that verifies the partner's bundles.
    Key { id: String, public_key: String },
}

#[derive(Debug, Args)]
pub struct PartnerArgs {
    /// Lowercase slug, also the HTTP Basic user name (`cert-de`).
    pub id: String,
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
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// A UUID to use as the id (default: a new random one).
        #[arg(long)]
        id: Option<String>,
    },
    /// Every collection.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// Record a sharing agreement.
    Add(AgreementArgs),
    /// Every agreement.
    List,
    /// Remove an agreement (what it granted stops at once).
    Remove { id: String },
}

#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// Lowercase slug.
    pub id: String,
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
    #[arg(long, default_value = "")]
    pub purpose: String,
    /// How long shared objects may be kept, in days.
    #[arg(long)]
    pub retention_days: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum SettingCommand {
    /// Set a setting: `default_tlp` (CLEAR … RED) is the TLP of unmarked objects.
    Set { key: String, value: String },
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

fn slug(id: &str) -> anyhow::Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        bail!("{id:?}: use 1–64 lowercase letters, digits, '-' or '_'");
    }
    Ok(())
}

fn country(code: &str) -> anyhow::Result<String> {
    let code = code.trim().to_ascii_uppercase();
    if model::country(&code).is_none() {
        bail!("{code:?} is not an ISO 3166-1 alpha-2 country code");
    }
    Ok(code)
}

fn public_key(hex_key: &str) -> anyhow::Result<String> {
    let key = hex_key.trim().to_ascii_lowercase();
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("public key: expected 64 hex characters (an Ed25519 key), got {hex_key:?}");
    }
    Ok(key)
}

pub fn run_partner(config: &Config, command: PartnerCommand) -> anyhow::Result<()> {
    match command {
        PartnerCommand::Add(args) => add_partner(config, args),
        PartnerCommand::List => list_partners(config),
        PartnerCommand::Show { id } => show_partner(config, &id),
        PartnerCommand::Token { id, revoke } => token(config, &id, revoke),
        PartnerCommand::Key {
            id,
            public_key: key,
        } => {
            let mut store = config.open_store()?;
            let mut partner = store
                .partner(&id)?
                .with_context(|| format!("no partner {id:?}"))?;
            partner.public_key = Some(public_key(&key)?);
            store.update_partner(&partner)?;
            output::note(config.quiet, format!("public key of {id} set"));
            Ok(())
        }
    }
}

fn add_partner(config: &Config, a: PartnerArgs) -> anyhow::Result<()> {
    slug(&a.id)?;
    let home = country(&a.country)?;
    let countries = if a.constituency_countries.is_empty() {
        vec![home.clone()]
    } else {
        a.constituency_countries
            .iter()
            .map(|c| country(c))
            .collect::<anyhow::Result<_>>()?
    };
    for sector in &a.sectors {
        if model::sector(sector).is_none() {
            bail!("--sectors: {sector:?} is not a sector id (ENERGY, WATER, …)");
        }
    }
    let partner = Partner {
        id: a.id.clone(),
        name: a.name,
        country: home,
        constituency_countries: countries,
        constituency_sectors: a.sectors,
        trust_tier: a.tier,
        contacts: a.contacts,
        public_key: a.public_key.as_deref().map(public_key).transpose()?,
        anonymise: a.anonymise,
        created_at: super::now(),
    };
    if !config.open_store()?.add_partner(&partner)? {
        bail!("a partner {:?} already exists", a.id);
    }
    if config.json {
        return output::json(&json!({ "id": a.id }));
    }
    outln!("{}", a.id);
    Ok(())
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

fn list_partners(config: &Config) -> anyhow::Result<()> {
    let partners = config.open_store()?.partners()?;
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

fn show_partner(config: &Config, id: &str) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let partner = store
        .partner(id)?
        .with_context(|| format!("no partner {id:?}"))?;
    let agreements = store.agreements_of(id)?;
    if config.json {
        let mut value = partner_json(&partner);
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
    for a in &agreements {
        outln!(
            "agreement {}: up to TLP:{}, {}",
            a.id,
            a.highest_tlp,
            a.title
        );
    }
    Ok(())
}

fn token(config: &Config, id: &str, revoke: bool) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    store
        .partner(id)?
        .with_context(|| format!("no partner {id:?}"))?;
    if revoke {
        let n = store.revoke_partner_tokens(id)?;
        output::note(config.quiet, format!("{n} token(s) of {id} revoked"));
        return Ok(());
    }
    let issued = exchange::token::issue();
    store.add_partner_token(&PartnerToken {
        token_id: issued.token_id.clone(),
        partner_id: id.to_owned(),
        hash: issued.hash.clone(),
        created_at: super::now(),
        revoked: false,
    })?;
    if config.json {
        return output::json(&json!({ "partner": id, "token": issued.secret_token }));
    }
    outln!("{}", issued.secret_token);
    output::note(
        config.quiet,
        "this token is shown once; Meridian keeps only its argon2 hash",
    );
    Ok(())
}

pub fn run_collection(config: &Config, command: CollectionCommand) -> anyhow::Result<()> {
    match command {
        CollectionCommand::Add {
            title,
            description,
            id,
        } => {
            let id = match id {
                Some(id) => uuid::Uuid::parse_str(&id)
                    .with_context(|| format!("--id {id:?} is not a UUID"))?
                    .to_string(),
                None => uuid::Uuid::new_v4().to_string(),
            };
            let collection = Collection {
                id: id.clone(),
                title,
                description,
                created_at: super::now(),
            };
            if !config.open_store()?.add_collection(&collection)? {
                bail!("a collection {id} already exists");
            }
            if config.json {
                return output::json(&json!({ "id": id }));
            }
            outln!("{id}");
            Ok(())
        }
        CollectionCommand::List => {
            let mut store = config.open_store()?;
            let collections = store.collections()?;
            let mut rows = Vec::new();
            for c in &collections {
                rows.push((c, store.count_objects(&c.id)?));
            }
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
    match command {
        AgreementCommand::Add(a) => {
            slug(&a.id)?;
            let agreement = Agreement {
                id: a.id.clone(),
                title: a.title,
                kind: if a.parties.len() <= 2 {
                    AgreementKind::Bilateral
                } else {
                    AgreementKind::Multilateral
                },
                parties: a.parties,
                highest_tlp: a.tlp,
                purpose: a.purpose,
                retention_days: a.retention_days,
                grants: a.grants,
                created_at: super::now(),
            };
            if !config.open_store()?.add_agreement(&agreement)? {
                bail!("an agreement {:?} already exists", a.id);
            }
            output::note(config.quiet, format!("agreement {} recorded", a.id));
            Ok(())
        }
        AgreementCommand::List => {
            let agreements = config.open_store()?.agreements()?;
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
            if !config.open_store()?.remove_agreement(&id)? {
                bail!("no agreement {id:?}");
            }
            output::note(config.quiet, format!("agreement {id} removed"));
            Ok(())
        }
    }
}

pub fn run_setting(config: &Config, command: SettingCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        SettingCommand::Set { key, value } => {
            let value = match key.as_str() {
                app::sharing::DEFAULT_TLP_SETTING => parse_tlp(&value)
                    .map_err(|e| anyhow::anyhow!("{key}: {e}"))?
                    .as_str()
                    .to_owned(),
                _ => bail!(
                    "unknown setting {key:?}; known: {}",
                    app::sharing::DEFAULT_TLP_SETTING
                ),
            };
            store.set_setting(&key, &value)?;
            output::note(config.quiet, format!("{key} = {value}"));
            Ok(())
        }
        SettingCommand::List => {
            let value = store
                .setting(app::sharing::DEFAULT_TLP_SETTING)?
                .unwrap_or_else(|| "GREEN (unset)".to_owned());
            if config.json {
                return output::json(&json!({ app::sharing::DEFAULT_TLP_SETTING: value }));
            }
            outln!("{} = {value}", app::sharing::DEFAULT_TLP_SETTING);
            Ok(())
        }
    }
}
