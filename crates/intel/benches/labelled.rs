//! The labelled corpus (`tests/data/labelled-pairs.csv`): prints precision and recall per source
//! and times matching every pair against the index of the documents they name.
//!
//! `cargo bench -p intel --bench labelled`

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "../tests/labelled/mod.rs"]
mod corpus;

fn labelled(c: &mut Criterion) {
    let pairs = corpus::pairs();
    let index = corpus::index(&pairs);
    let report = corpus::evaluate(&index, &pairs);
    println!("{}", report.table());
    for line in report.wrong_lines() {
        println!("wrong: {line}");
    }
    c.bench_function("labelled_pairs_match", |b| {
        b.iter(|| {
            corpus::evaluate(black_box(&index), black_box(&pairs))
                .all
                .true_positives
        })
    });
    c.bench_function("labelled_pairs_index", |b| {
        b.iter(|| corpus::index(black_box(&pairs)).len())
    });
}

criterion_group!(benches, labelled);
criterion_main!(benches);
