//! Validation throughput: `cargo run --release -p stix --example validate_speed`.
//! Validates 100,000 distinct indicators on one thread and prints objects per second, for
//! validation alone and for parsing plus validation, by wall clock and by CPU time.

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

    let valid = measure("validate", || {
        values
            .iter()
            .filter(|value| validator.validate(value).is_ok())
            .count()
    });
    assert_eq!(valid, values.len(), "every generated indicator is valid");

    let valid = measure("parse + validate", || {
        texts
            .iter()
            .filter(|text| {
                serde_json::from_str::<serde_json::Value>(text)
                    .is_ok_and(|value| validator.validate(&value).is_ok())
            })
            .count()
    });
    assert_eq!(valid, texts.len(), "every generated indicator is valid");
}

/// Runs `work` over the `COUNT` indicators and prints objects per second, by wall clock and by
/// the thread's CPU time (the latter does not depend on other processes sharing the cores).
fn measure(label: &str, work: impl FnOnce() -> usize) -> usize {
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    let result = work();
    let wall = started.elapsed().as_secs_f64();
    let rate = |seconds: f64| {
        format!(
            "{:.0} objects/s ({:.2} µs each)",
            f64::from(COUNT) / seconds,
            seconds * 1e6 / f64::from(COUNT)
        )
    };
    println!(
        "{label:>16}: {COUNT} indicators, wall {wall:.3} s = {}",
        rate(wall)
    );
    if let (Some(before), Some(after)) = (cpu_started, cpu_seconds()) {
        let cpu = after - before;
        println!("{:>16}  CPU  {cpu:.3} s = {}", "", rate(cpu));
    }
    result
}

/// CPU time of this thread in seconds, from Linux's `/proc/thread-self/schedstat`.
fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds / 1e9)
}
