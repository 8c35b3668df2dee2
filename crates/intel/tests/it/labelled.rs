//! Precision and recall on the labelled corpus (see `tests/labelled/mod.rs`), per source.

#[path = "../labelled/mod.rs"]
mod corpus;

/// Issue #12's targets: precision ≥ 99 %, recall ≥ 98 %, per source and overall.
#[test]
fn labelled_pairs_meet_the_precision_and_recall_targets() {
    let pairs = corpus::pairs();
    assert!(pairs.len() >= 300, "only {} pairs", pairs.len());
    let negatives = pairs.iter().filter(|p| !p.affected()).count();
    assert!(
        negatives * 3 >= pairs.len(),
        "at least a third are decoys: {negatives}"
    );
    let index = corpus::index(&pairs);
    let report = corpus::evaluate(&index, &pairs);
    println!("{}", report.table());
    let wrong = report.wrong_lines();
    for (source, t) in report
        .by_source
        .iter()
        .chain([(&"all".to_owned(), &report.all)])
    {
        assert!(
            t.precision() >= 0.99 && t.recall() >= 0.98,
            "{source}: precision {:.3}, recall {:.3}\n{}\n{}",
            t.precision(),
            t.recall(),
            report.table(),
            wrong.join("\n")
        );
    }
}
