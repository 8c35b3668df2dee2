//! The sharing configuration every release decides with: collections, partners, each
//! partner's grants, the installation's default TLP and each collection's revision. The server
//! keeps one and renews it in the background (`hub`), so several servers over one PostgreSQL
//! agree within a second; the CLI reads one per command.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use exchange::policy::{Grant, Reader};
use model::Tlp;
use store::{Collection, Partner, Store};

use super::release::Release;

/// The setting that holds the TLP of unmarked objects.
pub const DEFAULT_TLP_SETTING: &str = "default_tlp";

pub struct Snapshot {
    pub default_tlp: Tlp,
    pub collections: Vec<Collection>,
    pub partners: HashMap<String, Partner>,
    readers: HashMap<String, Reader>,
    anonymised: Arc<HashSet<String>>,
    /// Each collection's revision (see `Store::collection_revisions`).
    revisions: HashMap<String, i64>,
    /// A hash of everything above but the revisions: equal fingerprints, equal decisions.
    pub fingerprint: u64,
    loaded: Instant,
}

impl Snapshot {
    pub fn load(store: &mut Store) -> store::Result<Snapshot> {
        let default_tlp = default_tlp(store)?;
        let collections = store.collections()?;
        let partners = store.partners()?;
        let agreements = store.agreements()?;
        let revisions = store.collection_revisions()?.into_iter().collect();
        let fingerprint = {
            let mut hasher = std::hash::DefaultHasher::new();
            format!("{default_tlp:?}{collections:?}{partners:?}{agreements:?}").hash(&mut hasher);
            hasher.finish()
        };
        let partners: HashMap<String, Partner> =
            partners.into_iter().map(|p| (p.id.clone(), p)).collect();
        let mut readers: HashMap<String, Reader> = HashMap::new();
        for agreement in &agreements {
            for party in &agreement.parties {
                let reader = readers.entry(party.clone()).or_insert_with(|| Reader {
                    partner_id: party.clone(),
                    grants: Vec::new(),
                });
                reader.grants.extend(agreement.grants.iter().map(|g| Grant {
                    collection_id: g.collection_id.clone(),
                    read: g.read,
                    write: g.write,
                    highest_tlp: agreement.highest_tlp,
                }));
            }
        }
        let anonymised = Arc::new(
            partners
                .values()
                .filter(|p| p.anonymise)
                .map(|p| p.id.clone())
                .collect(),
        );
        Ok(Snapshot {
            default_tlp,
            collections,
            partners,
            readers,
            anonymised,
            revisions,
            fingerprint,
            loaded: Instant::now(),
        })
    }

    /// What the partner may receive; a partner without agreements has no grants.
    pub fn release(&self, partner_id: &str) -> Release {
        let reader = self
            .readers
            .get(partner_id)
            .cloned()
            .unwrap_or_else(|| Reader {
                partner_id: partner_id.to_owned(),
                grants: Vec::new(),
            });
        Release {
            reader,
            default_tlp: self.default_tlp,
            anonymised: self.anonymised.clone(),
        }
    }

    /// The collection's revision when the snapshot was read (0 for an unknown collection).
    pub fn revision(&self, collection: &str) -> i64 {
        self.revisions.get(collection).copied().unwrap_or(0)
    }

    /// How long ago it was read from the store.
    pub fn age(&self) -> Duration {
        self.loaded.elapsed()
    }

    pub fn collection(&self, id: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.id == id)
    }
}

/// The installation's TLP for unmarked objects: the stored setting, GREEN when unset, RED when
/// the stored value is not a TLP label (a setting that cannot be read fails closed).
pub fn default_tlp(store: &mut Store) -> store::Result<Tlp> {
    Ok(match store.setting(DEFAULT_TLP_SETTING)? {
        None => Tlp::Green,
        Some(value) => Tlp::parse(&value).unwrap_or_else(|| {
            tracing::warn!(value = %value, "the default_tlp setting is not a TLP label: RED");
            Tlp::Red
        }),
    })
}
