//! Validation throughput: `cargo run --release -p stix --example validate_speed`.
//! Validates 100,000 distinct indicators on one thread and prints objects per second, for
//! validation alone and for parsing plus validation.

use std::time::Instant;

const COUNT: u32 = 100_000;

fn indicator(i: u32) -> String {
    format!(
        r#"{{"type":"indicator","spec_version":"2.1","id":"indicator--{i:08x}-7d4c-4e2a-9c5f-3b2a1d0e{low:04x}",
"created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
"created":"2024-03-{day:02}T10:{min:02}:00.000Z","modified":"2024-03-{day:02}T11:{min:02}:00.000Z",
"name":"C2 server {i}","description":"Command and control server seen in campaign {i}.",
"indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.{a}.{b}']",
"pattern_type":"stix","pattern_version":"2.1","valid_from":"2024-03-{day:02}T10:{min:02}:00Z",
"kill_chain_phases":[{{"kill_chain_name":"lockheed-martin-cyber-kill-chain","phase_name":"command-and-control"}}],
"labels":["c2"],"confidence":80,
"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}}"#,
        low = i % 0x1_0000,
        day = 1 + i % 28,
        min = i % 60,
        a = (i / 256) % 256,
        b = i % 256,
    )
}

fn main() {
    let started = Instant::now();
    let validator = stix::Validator::new();
    println!(
        "Validator::new: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let texts: Vec<String> = (0..COUNT).map(indicator).collect();
    let values: Vec<serde_json::Value> = texts
        .iter()
        .map(|text| serde_json::from_str(text).expect("the generated indicators are JSON"))
        .collect();

    let started = Instant::now();
    let valid = values
        .iter()
        .filter(|value| validator.validate(value).is_ok())
        .count();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(valid, values.len(), "every generated indicator is valid");
    println!(
        "validate:         {COUNT} indicators in {:.3} s = {:.0} objects/s ({:.2} µs each)",
        seconds,
        f64::from(COUNT) / seconds,
        seconds * 1e6 / f64::from(COUNT)
    );

    let started = Instant::now();
    let valid = texts
        .iter()
        .filter(|text| {
            serde_json::from_str::<serde_json::Value>(text)
                .is_ok_and(|value| validator.validate(&value).is_ok())
        })
        .count();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(valid, texts.len(), "every generated indicator is valid");
    println!(
        "parse + validate: {COUNT} indicators in {:.3} s = {:.0} objects/s ({:.2} µs each)",
        seconds,
        f64::from(COUNT) / seconds,
        seconds * 1e6 / f64::from(COUNT)
    );
}
