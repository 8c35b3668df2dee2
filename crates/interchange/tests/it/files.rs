//! Fixtures on disk: a hand-written CSV world, canonical CSV, several files in one batch.

use std::fs;

use interchange::{Format, check_batch, export, read_files};
use model::Atlas;

use crate::data;
use crate::roundtrip::round_trip;

fn import(paths: &[std::path::PathBuf]) -> Atlas {
    match read_files(paths) {
        Ok(parsed) => {
            let errors = check_batch(&parsed, |_| false);
            assert!(errors.is_empty(), "{errors:#?}");
            parsed.atlas
        }
        Err(errors) => panic!("{errors:#?}"),
    }
}

#[test]
fn csv_world_import_export_import() {
    let first = import(&[data("world/assets.csv"), data("world/dependencies.csv")]);
    assert_eq!(first.assets.len(), 4);
    assert_eq!(first.dependencies.len(), 4);
    let plant = &first.assets[0];
    assert_eq!(plant.name, "Plant A, \"Inc.\"");
    assert_eq!(plant.sectors, ["ENERGY", "WATER"]);
    assert_eq!(
        plant.attributes.get("criticality").map(String::as_str),
        Some("high")
    );
    let wacs = &first.assets[1];
    assert_eq!(
        (wacs.country.as_str(), wacs.operator.as_str(), wacs.exposure),
        ("NA", "Telecom Namibia", None)
    );
    assert!(wacs.attributes.is_empty(), "empty cells are not attributes");

    let dir = tempfile::tempdir().expect("temp dir");
    let written = export(&first, Format::Csv, dir.path()).expect("export");
    let mut second = import(&written);
    let mut expected = first.clone();
    expected.sort();
    second.sort();
    assert_eq!(second, expected);
    for format in [Format::Json, Format::GraphMl, Format::Stix] {
        assert_eq!(round_trip(&first, format), expected, "{format:?}");
    }
}

#[test]
fn canonical_csv_is_reproduced_byte_for_byte() {
    let inputs = [
        data("canonical/assets.csv"),
        data("canonical/dependencies.csv"),
    ];
    let atlas = import(&inputs);
    let dir = tempfile::tempdir().expect("temp dir");
    let written = export(&atlas, Format::Csv, dir.path()).expect("export");
    for (input, output) in inputs.iter().zip(&written) {
        let (input, output) = (
            fs::read_to_string(input).expect("read"),
            fs::read_to_string(output).expect("read"),
        );
        assert_eq!(output, input);
    }
}

#[test]
fn many_files_one_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, content: &str| {
        let path = dir.path().join(name);
        fs::write(&path, content).expect("write");
        path
    };
    let files = [
        write("a.csv", "id,country\nx,US\ny,FR\n"),
        write(
            "b.json",
            "{\"assets\": [\n  {\"id\": \"z\", \"country\": \"DE\"},\n  {\"id\": \"x\", \"country\": \"US\"}\n]}",
        ),
        write(
            "c.graphml",
            "<graphml><key id=\"k\" attr.name=\"country\"/><graph>\n<edge source=\"z\" target=\"y\"/>\n<edge source=\"z\" target=\"w\"/>\n</graph></graphml>",
        ),
        write("d.csv", "provider,dependent\ny,z\nstored,x\n"),
    ];
    let parsed = read_files(&files).expect("every file parses");
    assert_eq!(
        (parsed.atlas.assets.len(), parsed.atlas.dependencies.len()),
        (4, 4)
    );
    let name = |f: &str| dir.path().join(f).display().to_string();
    let errors: Vec<String> = check_batch(&parsed, |id| id == "stored")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            format!(
                "{}:3: id: duplicate asset id \"x\" (first at {}:2)",
                name("b.json"),
                name("a.csv")
            ),
            format!(
                "{}:3: provider: unknown provider id \"w\": not in this import nor in the atlas",
                name("c.graphml")
            ),
            format!(
                "{}:2: provider: duplicate dependency \"z\" -> \"y\" (first at {}:2)",
                name("d.csv"),
                name("c.graphml")
            ),
        ]
    );
}

#[test]
fn errors_of_all_files_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.csv");
    fs::write(&bad, "id,country\na,XX\n").expect("write");
    let missing = dir.path().join("missing.csv");
    let errors: Vec<String> = read_files([&bad, &missing])
        .expect_err("errors")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[0],
        format!(
            "{}:2: country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)",
            bad.display()
        )
    );
    assert!(
        errors[1].starts_with(&format!("{}: cannot read: ", missing.display())),
        "{}",
        errors[1]
    );
}

/// A file over the size limit is refused before it is read, with its size and the limit; a
/// stream without a known length is cut one byte past the limit.
#[test]
fn files_over_the_size_limit_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("assets.csv");
    std::fs::write(&path, "id,country\na,US\n").expect("write");
    let name = path.display().to_string();
    assert!(interchange::read_files_limited([&path], 16).is_ok());
    let errors = interchange::read_files_limited([&path], 15).expect_err("over the limit");
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [format!(
            "{name}: the file is 16 bytes, larger than the limit of 15 bytes (raise it with --max-file-size or MERIDIAN_MAX_FILE_SIZE)"
        )]
    );
    #[cfg(unix)]
    {
        let message = interchange::read_limited(std::path::Path::new("/dev/zero"), 1024)
            .expect_err("an endless stream");
        assert!(message.contains("more than 1024 bytes"), "{message}");
    }
}
