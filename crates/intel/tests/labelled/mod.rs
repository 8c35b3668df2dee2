//! The labelled corpus `crates/intel/tests/data/labelled-pairs.csv`: (product string,
//! vulnerability) pairs read from the real advisories of the shared data folder, each labelled
//! `affected` or `not-affected`, with decoys (fixed versions, versions just outside a range,
//! the same vendor's other products). Shared by the test (`tests/it/labelled.rs`, which holds the
//! targets) and the benchmark (`benches/labelled.rs`, which times matching and prints the same
//! table).
//!
//! A pair is predicted affected when matching its product against an index of every document
//! the corpus names (and the KEV catalog) gives a finding for its vulnerability that checked a
//! version. A finding that checked none is a candidate, never a decision: it counts as not
//! affected here, and is reported apart.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use intel::matching::{Index, Item};
use intel::{csaf, cve, kev, osv};

/// One labelled pair.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Pair {
    /// Where the label was read: `csaf-ics`, `csaf-redhat`, `cve5` (the CNA's names), `cve5-adp`
    /// (CISA ADP CPEs), `kev`, `osv`.
    pub source: String,
    /// The advisory it was read in, under the shared data folder.
    pub document: String,
    /// The inventory's product string (`vendor:product:version`, a CPE or a purl).
    pub product: String,
    pub cve: String,
    /// `affected` or `not-affected`.
    pub expected: String,
    /// Why the pair is there: `inside`, `boundary`, `fixed`, `outside`, `other-stream`,
    /// `other-ecosystem`, `same-vendor-other-product`.
    pub kind: String,
    /// The reading: the range as the advisory writes it and where the version falls.
    pub note: String,
}

impl Pair {
    pub fn affected(&self) -> bool {
        self.expected == "affected"
    }
}

/// The corpus, read from its CSV.
pub fn pairs() -> Vec<Pair> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/labelled-pairs.csv");
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.unwrap_or_else(|e| panic!("{}: row {}: {e}", path.display(), i + 1)))
        .collect()
}

/// An index of every document the pairs name, and the KEV catalog.
pub fn index(pairs: &[Pair]) -> Index {
    let mut index = Index::new();
    const KEV: &str = "kev/known_exploited_vulnerabilities.json";
    let documents: std::collections::BTreeSet<&str> = pairs
        .iter()
        .map(|p| p.document.as_str())
        .filter(|d| *d != KEV)
        .collect();
    for document in documents {
        let bytes = std::fs::read(test_support::shared_data(document))
            .unwrap_or_else(|e| panic!("{document}: {e}"));
        if document.starts_with("csaf/") {
            let (doc, _) = csaf::parse_csaf(&bytes).unwrap_or_else(|e| panic!("{document}: {e}"));
            index.add_csaf(&doc);
        } else if document.starts_with("cve/") {
            let (record, _) = cve::parse_cve(&bytes).unwrap_or_else(|e| panic!("{document}: {e}"));
            index.add_cve(&record);
        } else if document.starts_with("osv/") {
            let (record, _) = osv::parse_osv(&bytes).unwrap_or_else(|e| panic!("{document}: {e}"));
            index.add_osv(&record);
        } else {
            panic!("{document}: no reader for this folder");
        }
    }
    let kev = test_support::shared_data(KEV);
    let (catalog, _) = kev::parse_kev(&std::fs::read(kev).expect("KEV")).expect("KEV");
    index.add_kev(&catalog);
    index
}

/// What matching said about one pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Predicted {
    /// A finding that checked a version.
    Affected,
    /// Only a finding that checked none.
    Candidate,
    None,
}

pub fn predict(index: &Index, pair: &Pair) -> Predicted {
    let item =
        Item::parse("pair", &pair.product).unwrap_or_else(|e| panic!("{}: {e}", pair.product));
    let found = index.match_item(&item);
    match found.findings.iter().find(|f| f.cve == pair.cve) {
        Some(f) if f.version_checked() => Predicted::Affected,
        Some(_) => Predicted::Candidate,
        None => Predicted::None,
    }
}

/// Counts of one source.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
    /// Pairs whose only finding checked no version.
    pub candidates: usize,
}

impl Tally {
    pub fn precision(&self) -> f64 {
        let predicted = self.true_positives + self.false_positives;
        if predicted == 0 {
            1.0
        } else {
            self.true_positives as f64 / predicted as f64
        }
    }

    pub fn recall(&self) -> f64 {
        let actual = self.true_positives + self.false_negatives;
        if actual == 0 {
            1.0
        } else {
            self.true_positives as f64 / actual as f64
        }
    }

    fn add(&mut self, expected: bool, predicted: Predicted) {
        match (expected, predicted == Predicted::Affected) {
            (true, true) => self.true_positives += 1,
            (false, true) => self.false_positives += 1,
            (true, false) => self.false_negatives += 1,
            (false, false) => self.true_negatives += 1,
        }
        if predicted == Predicted::Candidate {
            self.candidates += 1;
        }
    }
}

/// Per source (and `all`), and every pair matching got wrong.
pub struct Report {
    pub by_source: BTreeMap<String, Tally>,
    pub all: Tally,
    pub wrong: Vec<(Pair, Predicted)>,
}

pub fn evaluate(index: &Index, pairs: &[Pair]) -> Report {
    let mut report = Report {
        by_source: BTreeMap::new(),
        all: Tally::default(),
        wrong: Vec::new(),
    };
    for pair in pairs {
        let predicted = predict(index, pair);
        report
            .by_source
            .entry(pair.source.clone())
            .or_default()
            .add(pair.affected(), predicted);
        report.all.add(pair.affected(), predicted);
        if pair.affected() != (predicted == Predicted::Affected) {
            report.wrong.push((pair.clone(), predicted));
        }
    }
    report
}

impl Report {
    /// One line per pair matching got wrong: what was expected, why, and what matching said.
    pub fn wrong_lines(&self) -> Vec<String> {
        self.wrong
            .iter()
            .map(|(p, got)| {
                format!(
                    "{} {} {} expected {} ({}) got {got:?} ({}: {})",
                    p.source, p.product, p.cve, p.expected, p.kind, p.document, p.note
                )
            })
            .collect()
    }

    /// A Markdown table: per source, pairs, TP/FP/FN/TN, candidates, precision, recall.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| source | pairs | TP | FP | FN | TN | candidates | precision | recall |\n|---|---|---|---|---|---|---|---|---|\n",
        );
        let rows = self
            .by_source
            .iter()
            .map(|(s, t)| (s.as_str(), t))
            .chain([("all", &self.all)]);
        for (source, t) in rows {
            let pairs = t.true_positives + t.false_positives + t.false_negatives + t.true_negatives;
            let _ = writeln!(
                out,
                "| {source} | {pairs} | {} | {} | {} | {} | {} | {:.1} % | {:.1} % |",
                t.true_positives,
                t.false_positives,
                t.false_negatives,
                t.true_negatives,
                t.candidates,
                100.0 * t.precision(),
                100.0 * t.recall(),
            );
        }
        out
    }
}
