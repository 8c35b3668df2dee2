//! What the fuzz targets share: the product's own entry points, called the way the CLI and the
//! hub call them, plus cheap invariants the crates promise. Every target is a few lines over
//! one of these functions, so `cargo test` here (with a seed file) reproduces a target's run.

use std::sync::LazyLock;

use intel::matching::{Index, Item};
use interchange::{Format, Parsed};

/// One STIX validator for the process, as the hub keeps one (it compiles every schema).
pub static VALIDATOR: LazyLock<stix::Validator> = LazyLock::new(stix::Validator::new);

/// `meridian atlas import FILE`: `interchange::parse` (format from the name and the bytes,
/// which is what `read_files` does per file), then `check_batch` against an empty store.
/// A batch that imports cleanly must survive export → import → export unchanged
/// (ARCHITECTURE.md: "export → import round-trips exactly").
pub fn atlas(file: &str, format: Format, data: &[u8]) {
    let parsed = match interchange::parse(file, data) {
        Ok(parsed) => parsed,
        Err(errors) => {
            assert!(!errors.is_empty(), "an error result without errors");
            return;
        }
    };
    assert_eq!(parsed.atlas.assets.len(), parsed.asset_origin.len());
    assert_eq!(
        parsed.atlas.dependencies.len(),
        parsed.dependency_origin.len()
    );
    if !interchange::check_batch(&parsed, |_| false).is_empty() {
        return;
    }
    let Some(first) = export(&parsed, format) else {
        return;
    };
    let again = interchange::parse_as(format, file, &first).unwrap_or_else(|e| {
        panic!(
            "the export of a valid import does not import: {e:?}\n{}",
            String::from_utf8_lossy(&first)
        )
    });
    assert!(
        interchange::check_batch(&again, |_| false).is_empty(),
        "the export of a valid import fails the batch checks"
    );
    let second = export(&again, format).expect("the re-import exports");
    assert!(
        first == second,
        "export → import → export differs:\n{}\n---\n{}",
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
}

/// The atlas in `format`, in memory. CSV is the one file of the kind that was read.
fn export(parsed: &Parsed, format: Format) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let atlas = &parsed.atlas;
    match format {
        Format::Csv => {
            if atlas.dependencies.is_empty() {
                interchange::write_assets_csv(&atlas.assets, &mut out).ok()?
            } else if atlas.assets.is_empty() {
                interchange::write_dependencies_csv(&atlas.dependencies, &mut out).ok()?
            } else {
                return None;
            }
        }
        Format::Json => interchange::write_json_to(atlas, &mut out).expect("JSON export"),
        Format::GraphMl => interchange::write_graphml_to(atlas, &mut out).expect("GraphML export"),
        Format::Stix => interchange::write_stix_to(atlas, &mut out).expect("STIX export"),
    }
    Some(out)
}

/// A few inventory items of every kind, matched against each index the intel targets build.
pub static ITEMS: LazyLock<Vec<Item>> = LazyLock::new(|| {
    [
        "pkg:npm/lodash@4.17.20",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        "pkg:golang/golang.org/x/net@0.7.0",
        "cpe:2.3:o:siemens:simatic_s7-1500_firmware:2.8:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_1:*:*:*:*:*:*",
        "Siemens:SIMATIC S7-1500:V2.8",
        "Schneider Electric:Modicon M340:V3.40",
        "Acme:Gateway:1.2",
    ]
    .iter()
    .enumerate()
    .map(|(i, p)| Item::parse(&i.to_string(), p).expect("a valid item"))
    .collect()
});

/// Matches the fixed items and `extra` against `index`.
pub fn match_all(index: &Index, extra: &[Item]) {
    let mut items = ITEMS.clone();
    items.extend_from_slice(extra);
    let matches = index.match_items(&items);
    for f in &matches.findings {
        let _ = format!("{f:?}");
    }
}

/// Splits `data` into at most `n` text fields at newlines (invalid UTF-8 replaced).
pub fn fields(data: &[u8], n: usize) -> Vec<String> {
    String::from_utf8_lossy(data)
        .splitn(n, '\n')
        .map(str::to_owned)
        .collect()
}
