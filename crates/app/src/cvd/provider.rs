//! The trusted CSAF provider (CSAF 2.0 §7.1) served by `meridian serve` under
//! `/.well-known/csaf/`: `provider-metadata.json`, and per TLP directory the ROLIE feed
//! (`feed.json`), `index.txt`, `changes.csv` and the advisories `<year>/<file>.json` with their
//! `.sha256` and `.sha512` and, when the server has the provider's OpenPGP key, their `.asc`
//! signatures and the public key at `openpgp/<FINGERPRINT>.asc` (named in the metadata), built
//! from the published CVD cases in the store.
//!
//! An advisory's bytes are a function of the stored case alone (its release date is when the
//! case was published), so they, and their hashes, are the same on every request.
//!
//! Who sees what is the one release decision ([`exchange::policy`]): WHITE (TLP:CLEAR) is
//! public; GREEN and AMBER (AMBER+STRICT included) reach an authenticated reader only when the
//! decision releases the case's label to it, as an object of the collection
//! [`PROVIDER_COLLECTION`]: the hub's staff see every label below RED; a partner (its users and
//! its API token) what its agreements on that collection release to it, so AMBER only to the
//! parties of an agreement reaching AMBER (the implicit recipients). RED is never served to
//! anyone. What a reader may not see is absent from every listing and answered as not found;
//! only a request without credentials for a non-public directory is told to authenticate.

use exchange::policy::{ObjectLabel, Path};
use model::Tlp;
use serde_json::Value;
use store::{CvdState, Store};

use super::openpgp::SigningKey;
use super::{Listed, Placed, Site, TLP_DIRS, export};
use crate::authz::{Action, authorize};
use crate::sharing::Snapshot;
use crate::{Actor, Result};

/// The id of the TAXII collection whose agreements decide what partners read from the
/// provider. An administrator creates it (`meridian collection add --id …`) and grants partners
/// read on it up to the TLP they may receive; without it partners read only WHITE.
pub const PROVIDER_COLLECTION: &str = "6d0b3e52-8f1c-4c2a-9a57-c5af0e1d7b34";

/// The answer to a request for a provider path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Served {
    /// The file, with its media type.
    File {
        media_type: &'static str,
        bytes: Vec<u8>,
    },
    /// No such file, or one the reader may not see.
    NotFound,
    /// A non-public directory asked for without credentials.
    Unauthenticated,
}

/// The TLP 2.0 label a reader must be released to see a TLP directory: the label of its least
/// restrictive advisories.
fn dir_label(dir: &str) -> Option<Tlp> {
    match dir {
        "white" => Some(Tlp::Clear),
        "green" => Some(Tlp::Green),
        "amber" => Some(Tlp::Amber),
        "red" => Some(Tlp::Red),
        _ => None,
    }
}

/// Whether an advisory labelled `tlp` may be served to `reader` (`None`: anonymous).
fn released(snapshot: &Snapshot, reader: Option<&Actor>, tlp: Tlp) -> bool {
    match (tlp, reader) {
        (Tlp::Red, _) => false,
        (Tlp::Clear, _) => true,
        (_, None) => false,
        (_, Some(actor)) => {
            let label = ObjectLabel {
                tlp: Some(tlp),
                recipients: &[],
                submitter: None,
                source: None,
            };
            let collection = PROVIDER_COLLECTION;
            let default_tlp = snapshot.default_tlp;
            match actor {
                Actor::User { name, partner, .. } => {
                    let release = partner.as_deref().map(|p| snapshot.release(p));
                    exchange::policy::may_release_to_user(
                        release.as_ref().map(|r| &r.reader),
                        name,
                        collection,
                        &label,
                        default_tlp,
                    )
                }
                Actor::Local(_) => {
                    exchange::policy::may_release_to_user(None, "", collection, &label, default_tlp)
                }
                Actor::Partner(partner) => exchange::policy::may_release(
                    &snapshot.release(partner).reader,
                    collection,
                    &label,
                    default_tlp,
                    Path::Taxii,
                    None,
                ),
            }
        }
    }
}

/// The published advisories `reader` may see, by path in the directory.
struct Visible {
    advisories: Vec<Placed>,
    /// The TLP directories whose feeds the reader may see, in TLP order.
    dirs: Vec<&'static str>,
}

fn visible(store: &mut Store, site: &Site<'_>, reader: Option<&Actor>) -> Result<Visible> {
    if let Some(actor) = reader {
        authorize(actor, Action::ReadReleased)?;
    }
    let snapshot = Snapshot::load(store)?;
    let mut advisories = Vec::new();
    for case in store.cvd_cases()? {
        if case.state == CvdState::Published && released(&snapshot, reader, case.case.tlp) {
            advisories.push(export(&case, site)?);
        }
    }
    advisories.sort_by(|a, b| a.relative.cmp(&b.relative));
    let dirs = TLP_DIRS
        .into_iter()
        .filter(|dir| dir_label(dir).is_some_and(|tlp| released(&snapshot, reader, tlp)))
        .collect();
    Ok(Visible { advisories, dirs })
}

impl Visible {
    /// The advisories of the TLP directory `dir`.
    fn in_dir<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a Placed> + 'a {
        self.advisories
            .iter()
            .filter(move |p| p.tlp.eq_ignore_ascii_case(dir))
    }

    /// When the newest of `advisories` was released; now when there is none.
    fn updated<'a>(advisories: impl Iterator<Item = &'a Placed>) -> String {
        advisories
            .map(|p| p.released.clone())
            .max()
            .unwrap_or_else(crate::now)
    }
}

fn json(document: &Value) -> Served {
    Served::File {
        media_type: "application/json",
        bytes: serde_json::to_vec_pretty(document).expect("a JSON value serialises"),
    }
}

fn text(media_type: &'static str, text: String) -> Served {
    Served::File {
        media_type,
        bytes: text.into_bytes(),
    }
}

/// The file at `path` (relative to `/.well-known/csaf/`) as `reader` (`None`: anonymous) may
/// receive it, from the directory at `site`, signed with `key` when there is one.
pub fn serve(
    store: &mut Store,
    site: &Site<'_>,
    key: Option<&SigningKey>,
    reader: Option<&Actor>,
    path: &str,
) -> Result<Served> {
    let parts: Vec<&str> = path.split('/').collect();
    if parts == ["provider-metadata.json"] {
        let visible = visible(store, site, reader)?;
        let updated = Visible::updated(visible.advisories.iter());
        return Ok(json(&super::provider_metadata(
            site,
            &visible.dirs,
            &updated,
            key.map(SigningKey::fingerprint),
        )));
    }
    if let (["openpgp", name], Some(key)) = (parts.as_slice(), key) {
        return Ok(if *name == format!("{}.asc", key.fingerprint()) {
            text("application/pgp-keys", key.public_key().to_owned())
        } else {
            Served::NotFound
        });
    }
    let Some(dir) = parts.first().copied() else {
        return Ok(Served::NotFound);
    };
    let Some(label) = dir_label(dir) else {
        return Ok(Served::NotFound);
    };
    if reader.is_none() && label != Tlp::Clear {
        return Ok(Served::Unauthenticated);
    }
    let visible = visible(store, site, reader)?;
    if !visible.dirs.contains(&dir) {
        return Ok(Served::NotFound);
    }
    let served = match parts[1..] {
        ["feed.json"] => {
            let listed: Vec<Listed> = visible
                .in_dir(dir)
                .map(|p| Listed {
                    year: p.relative.split('/').nth(1).unwrap_or_default().to_owned(),
                    name: p.name.clone(),
                    document: serde_json::from_slice(&p.bytes).expect("an exported advisory"),
                })
                .collect();
            let updated = Visible::updated(visible.in_dir(dir));
            json(&super::feed(
                site,
                &dir.to_ascii_uppercase(),
                &listed,
                &updated,
                key.is_some(),
            ))
        }
        ["index.txt"] => text(
            "text/plain; charset=utf-8",
            visible
                .in_dir(dir)
                .map(|p| format!("{}\n", in_dir(p)))
                .collect(),
        ),
        ["changes.csv"] => {
            let mut changed: Vec<&Placed> = visible.in_dir(dir).collect();
            changed.sort_by(|a, b| {
                b.released
                    .cmp(&a.released)
                    .then(a.relative.cmp(&b.relative))
            });
            text(
                "text/csv; charset=utf-8",
                changed
                    .iter()
                    .map(|p| format!("\"{}\",\"{}\"\n", in_dir(p), p.released))
                    .collect(),
            )
        }
        [_, _] => {
            let found = |suffix: &str| {
                let stem = path.strip_suffix(suffix)?;
                visible.in_dir(dir).find(|p| p.relative == stem)
            };
            if let Some(p) = found(".sha256") {
                text("text/plain; charset=utf-8", p.sha256_line())
            } else if let Some(p) = found(".sha512") {
                text("text/plain; charset=utf-8", p.sha512_line())
            } else if let (Some(p), Some(key)) = (found(".asc"), key) {
                text("application/pgp-signature", key.sign(&p.bytes)?)
            } else if let Some(p) = found("") {
                Served::File {
                    media_type: "application/json",
                    bytes: p.bytes.clone(),
                }
            } else {
                Served::NotFound
            }
        }
        _ => Served::NotFound,
    };
    Ok(served)
}

/// An advisory's path in its TLP directory: `<year>/<file>`.
fn in_dir(placed: &Placed) -> &str {
    placed
        .relative
        .split_once('/')
        .map_or(placed.relative.as_str(), |(_, rest)| rest)
}
