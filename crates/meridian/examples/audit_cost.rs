//! What the audit row costs a TAXII envelope (bench/audit.sh): the store half of a TAXII POST
//! (`app::sharing::checked::store_batch`: `add_objects` and `audit::record` in one
//! transaction) timed with and without the audit row, envelopes alternating so that both see
//! the same collection size and the same machine load.
//!
//!   cargo run --release -p meridian --example audit_cost -- DB_URL [ENVELOPES] [BATCH]
//!
//! DB_URL: `sqlite:///tmp/x.db` or `postgres://…?schema=NAME` (a fresh one). Each envelope
//! holds BATCH (1000) new ~350-byte indicators; ENVELOPES (200) of them, half audited. Prints
//! one JSON line: per-envelope medians and means of the transaction without and with the row,
//! and of `audit::record` alone (the `join` of the objects' JSON, its SHA-256, the chained
//! INSERT and, on PostgreSQL, the advisory lock), all in milliseconds.

use std::time::Instant;

use app::Actor;
use store::{Collection, NewStixObject, Store};

fn indicator(i: usize) -> (String, String) {
    let id = format!("indicator--{:08x}-0000-4000-8000-{:012x}", i as u32, i);
    let json = format!(
        r#"{{"type":"indicator","spec_version":"2.1","id":"{id}","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"bench indicator {i}","pattern":"[ipv4-addr:value = '10.{}.{}.{}']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","indicator_types":["malicious-activity"]}}"#,
        (i >> 16) & 255,
        (i >> 8) & 255,
        i & 255
    );
    (id, json)
}

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let median = v[v.len() / 2];
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (median, mean)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or_else(|| anyhow::anyhow!("usage: audit_cost DB_URL [ENVELOPES] [BATCH]"))?;
    let envelopes: usize = args.get(2).map_or(Ok(200), |s| s.parse())?;
    let batch: usize = args.get(3).map_or(Ok(1000), |s| s.parse())?;
    let mut store = Store::open(url)?;
    let collection = format!("91d0c8a4-0000-4000-8000-{:012x}", batch);
    store.add_collection(&Collection {
        id: collection.clone(),
        title: "audit cost".to_owned(),
        description: String::new(),
        created_at: "2026-12-06T00:00:00Z".to_owned(),
    })?;
    let actor = Actor::Partner("cert-de".to_owned());
    let recipients: Vec<String> = Vec::new();
    let (mut without, mut with, mut record) = (Vec::new(), Vec::new(), Vec::new());
    for e in 0..envelopes {
        let objects: Vec<(String, String)> = (e * batch..(e + 1) * batch).map(indicator).collect();
        let rows: Vec<NewStixObject<'_>> = objects
            .iter()
            .map(|(id, json)| NewStixObject {
                object_id: id,
                object_type: "indicator",
                spec_version: "2.1",
                version: "2026-01-01T00:00:00.000Z",
                tlp: None,
                recipients: &recipients,
                submitter: Some("cert-de"),
                source: None,
                json,
            })
            .collect();
        // ABBA order: pairs alternate which of the two goes first.
        let audited = (e % 2 == 0) == (e / 2 % 2 == 0);
        let mut in_record = 0.0;
        let t = Instant::now();
        store.atomically(|store| -> anyhow::Result<()> {
            store.add_objects(&collection, &rows)?;
            if audited {
                let r = Instant::now();
                let ids: Vec<&str> = rows.iter().map(|r| r.object_id).collect();
                let stored: Vec<&str> = rows.iter().map(|r| r.json).collect();
                app::audit::record(
                    store,
                    &actor,
                    "taxii.add_objects",
                    &ids,
                    stored.join("\n").as_bytes(),
                )?;
                in_record = r.elapsed().as_secs_f64() * 1e3;
            }
            Ok(())
        })?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if audited {
            with.push(ms);
            record.push(in_record);
        } else {
            without.push(ms);
        }
    }
    let (wo_med, wo_mean) = stats(without);
    let (w_med, w_mean) = stats(with);
    let (r_med, r_mean) = stats(record);
    let backend = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    println!(
        "{{\"backend\":\"{backend}\",\"batch\":{batch},\"envelopes\":{envelopes},\
         \"without_median_ms\":{wo_med:.3},\"without_mean_ms\":{wo_mean:.3},\
         \"with_median_ms\":{w_med:.3},\"with_mean_ms\":{w_mean:.3},\
         \"record_median_ms\":{r_med:.3},\"record_mean_ms\":{r_mean:.3}}}"
    );
    Ok(())
}
