use super::*;

/// Parses one file, runs the batch checks (asset `stored` is already in the atlas) and
/// compares every error as displayed.
fn check(file: &str, input: &str, expected: &[&str]) {
    check_bytes(file, input.as_bytes(), expected);
}

fn check_bytes(file: &str, input: &[u8], expected: &[&str]) {
    let got: Vec<String> = match parse(file, input) {
        Ok(parsed) => check_batch(&parsed, |id| id == "stored")
            .iter()
            .map(ToString::to_string)
            .collect(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(got, expected, "input:\n{}", String::from_utf8_lossy(input));
}

/// Parses a file that must be valid and returns its atlas.
fn atlas(file: &str, input: &str) -> Atlas {
    match parse(file, input.as_bytes()) {
        Ok(parsed) => parsed.atlas,
        Err(errors) => panic!("{errors:#?}"),
    }
}

#[test]
fn format_detection() {
    let check = |file: &str, input: &str, expected: Option<Format>| {
        assert_eq!(Format::detect(file, input.as_bytes()), expected, "{file}");
    };
    check("assets.csv", "id,country\n", Some(Format::Csv));
    check("DEPS.CSV", "", Some(Format::Csv));
    check("atlas.json", r#"{"assets": []}"#, Some(Format::Json));
    check(
        "atlas.json",
        r#"{"objects": [], "type": "bundle"}"#,
        Some(Format::Stix),
    );
    check("atlas.json", r#"{"type": "bundle""#, Some(Format::Stix));
    check("atlas.json", r#"{"assets": [}"#, Some(Format::Json));
    check("a.graphml", "", Some(Format::GraphMl));
    check("a.xml", "", Some(Format::GraphMl));
    check("export", "\u{feff}  <graphml/>", Some(Format::GraphMl));
    check("export", r#"{"type": "bundle"}"#, Some(Format::Stix));
    check(
        "b.json",
        "\u{feff}{\"type\": \"bundle\"}",
        Some(Format::Stix),
    );
    check("notes.txt", "id,country", None);
    let kind = |header: &[&str]| CsvKind::of_header(header.iter().copied());
    assert_eq!(kind(&["name", "id"]), Some(CsvKind::Assets));
    assert_eq!(kind(&["provider", "kind"]), Some(CsvKind::Dependencies));
    assert_eq!(kind(&["name"]), None);
}

#[test]
fn unknown_format() {
    check(
        "notes.txt",
        "hello",
        &["notes.txt: unknown format: expected a .csv, .json, .graphml or .xml file"],
    );
}

#[test]
fn csv_values() {
    let got = atlas(
        "assets.csv",
        "lon,id,country,sectors,criticality,name,owner_country,weight,exposure,tags\n\
         -3.5,na:1,NA, ENERGY ;;WATER ,high,\"Windhoek, \"\"main\"\"\",NA,0.25,open,\n\
         ,b,ZZ,,,,,,,x; y\n",
    );
    let expected = vec![
        Asset {
            id: "na:1".into(),
            name: "Windhoek, \"main\"".into(),
            country: "NA".into(),
            sectors: vec!["ENERGY".into(), "WATER".into()],
            lon: Some(-3.5),
            weight: Some(0.25),
            exposure: Some(model::Exposure::Open),
            owner_country: Some("NA".into()),
            attributes: [("criticality".to_owned(), "high".to_owned())].into(),
            ..Asset::default()
        },
        Asset {
            id: "b".into(),
            country: "ZZ".into(),
            tags: vec!["x".into(), "y".into()],
            ..Asset::default()
        },
    ];
    assert_eq!(got.assets, expected);
    let got = atlas(
        "d.csv",
        "provider,dependent,group,kind,strength,tolerance_hours\nb,a,g,cyber,0.5,12\na,b,,,,\n",
    );
    let expected = vec![
        Dependency {
            dependent: "a".into(),
            provider: "b".into(),
            kind: Some(model::DependencyKind::Cyber),
            group: Some("g".into()),
            strength: Some(0.5),
            tolerance_hours: Some(12.0),
            ..Dependency::default()
        },
        Dependency {
            dependent: "b".into(),
            provider: "a".into(),
            ..Dependency::default()
        },
    ];
    assert_eq!(got.dependencies, expected);
}

#[test]
fn csv_bad_rows() {
    check("assets.csv", "id,country\nna,NA\n", &[]);
    check(
        "assets.csv",
        "id,country\na,XX\n",
        &["assets.csv:2: country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)"],
    );
    check(
        "assets.csv",
        "id,country\na,na\n",
        &["assets.csv:2: country: \"na\" is not an ISO 3166-1 alpha-2 country code (or ZZ)"],
    );
    check(
        "assets.csv",
        "id,country,ncfs\na,US,NCF-C01; NCF-Z99\n",
        &["assets.csv:2: ncfs: unknown NCF \"NCF-Z99\""],
    );
    check(
        "assets.csv",
        "id,country,sectors\na,US,SPACE\n",
        &["assets.csv:2: sectors: unknown sector \"SPACE\""],
    );
    check(
        "assets.csv",
        "id,country,lat\na,US,north\n",
        &["assets.csv:2: lat: \"north\" is not a number"],
    );
    check(
        "assets.csv",
        "id,country,exposure\na,US,wide\n",
        &["assets.csv:2: exposure: \"wide\" is not an exposure (open, controlled or small)"],
    );
    check(
        "assets.csv",
        "id,country,weight\na,US,-1\n",
        &["assets.csv:2: weight: -1 must be a finite number >= 0"],
    );
    check(
        "assets.csv",
        "id,country\n a,US\n",
        &["assets.csv:2: id: \" a\" has leading/trailing whitespace or control characters"],
    );
    check(
        "assets.csv",
        "id,country\n,US\n",
        &["assets.csv:2: id: is required and empty"],
    );
    check(
        "assets.csv",
        "id,country\na,US\nb,US\na,FR\n",
        &["assets.csv:4: id: duplicate asset id \"a\" (first at assets.csv:2)"],
    );
    check(
        "assets.csv",
        "id,country\na,US,extra\n",
        &["assets.csv:2: expected 2 fields, found 3"],
    );
    check(
        "assets.csv",
        "id,country,name\na,US,\"two\nlines\"\nb,XX,\n",
        &["assets.csv:4: country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)"],
    );
    check(
        "assets.csv",
        "id,country,lat\na,XX,1\nb,US,x\nc,US,91\n",
        &[
            "assets.csv:2: country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)",
            "assets.csv:3: lat: \"x\" is not a number",
            "assets.csv:4: lat: 91 is outside [-90, 90]",
        ],
    );
    let deps = "dependencies.csv";
    check(
        deps,
        "dependent,provider\nstored,ghost\n",
        &[
            "dependencies.csv:2: provider: unknown provider id \"ghost\": not in this import nor in the atlas",
        ],
    );
    check(
        deps,
        "dependent,provider\nghost,stored\n",
        &[
            "dependencies.csv:2: dependent: unknown dependent id \"ghost\": not in this import nor in the atlas",
        ],
    );
    check(
        deps,
        "dependent,provider,tolerance_hours\na,stored,abc\n",
        &["dependencies.csv:2: tolerance_hours: \"abc\" is not a number"],
    );
    check(
        deps,
        "dependent,provider,tolerance_hours\na,stored,-2\n",
        &["dependencies.csv:2: tolerance_hours: -2 must be a finite number >= 0"],
    );
    check(
        deps,
        "dependent,provider,strength\na,stored,0\n",
        &["dependencies.csv:2: strength: 0 is outside (0, 1]"],
    );
    check(
        deps,
        "dependent,provider,strength\na,stored,1.5\n",
        &["dependencies.csv:2: strength: 1.5 is outside (0, 1]"],
    );
    check(
        deps,
        "dependent,provider,strength\na,stored,NaN\n",
        &["dependencies.csv:2: strength: NaN is outside (0, 1]"],
    );
    check(
        deps,
        "dependent,provider,kind\na,stored,social\n",
        &[
            "dependencies.csv:2: kind: \"social\" is not a dependency kind (physical, cyber, geographic or logical)",
        ],
    );
    check(
        deps,
        "dependent,provider\nstored,stored\n",
        &["dependencies.csv:2: provider: an asset cannot depend on itself"],
    );
    check(
        deps,
        "dependent,provider\nstored,x\nstored,x\n",
        &[
            "dependencies.csv:2: provider: unknown provider id \"x\": not in this import nor in the atlas",
            "dependencies.csv:3: provider: unknown provider id \"x\": not in this import nor in the atlas",
            "dependencies.csv:3: provider: duplicate dependency \"stored\" -> \"x\" (first at dependencies.csv:2)",
        ],
    );
}

#[test]
fn csv_bad_bytes_and_headers() {
    check_bytes(
        "assets.csv",
        b"id,country,name\na,US,ok\nb,US,caf\xe9\n",
        &["assets.csv:3: name: invalid UTF-8"],
    );
    check_bytes(
        "assets.csv",
        b"id,country,n\xffme\n",
        &["assets.csv:1: column 3 name: invalid UTF-8"],
    );
    check(
        "assets.csv",
        "id,name\na,x\n",
        &["assets.csv:1: missing required column `country`"],
    );
    check(
        "dependencies.csv",
        "dependent,kind\n",
        &["dependencies.csv:1: missing required column `provider`"],
    );
    check(
        "assets.csv",
        "id,country,id\n",
        &["assets.csv:1: duplicate column `id`"],
    );
    check(
        "assets.csv",
        "id,country,\n",
        &["assets.csv:1: column 3 has no name"],
    );
    check(
        "assets.csv",
        "name,country\n",
        &[
            "assets.csv:1: header has neither an `id` column (assets) nor `dependent` and `provider` columns (dependencies)",
        ],
    );
    check(
        "assets.csv",
        "",
        &[
            "assets.csv:1: header has neither an `id` column (assets) nor `dependent` and `provider` columns (dependencies)",
        ],
    );
    check("assets.csv", "\u{feff}id,country\r\na,US\r\n", &[]);
}

#[test]
fn csv_streaming() {
    let input = "id,country\na,US\nb,XX\nc,FR\n".as_bytes();
    let rows: Vec<_> = CsvReader::<Asset, _>::new("assets.csv", input)
        .expect("header is valid")
        .map(|row| {
            row.map(|(asset, line)| (asset.id, line))
                .map_err(|e| e[0].to_string())
        })
        .collect();
    assert_eq!(
        rows,
        [
            Ok(("a".to_owned(), 2)),
            Err(
                "assets.csv:3: country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)"
                    .to_owned()
            ),
            Ok(("c".to_owned(), 4)),
        ]
    );
}

#[test]
fn json_errors() {
    let f = "atlas.json";
    check(
        f,
        r#"{"assets": [{"id": "a", "country": "NA"}], "dependencies": [{"dependent": "a", "provider": "stored"}]}"#,
        &[],
    );
    check(
        f,
        "{\"assets\": [\n",
        &["atlas.json:2: malformed JSON: EOF while parsing a list"],
    );
    check(
        f,
        r#"{"assets": [], "edges": []}"#,
        &[
            "atlas.json:1: malformed JSON: unknown field `edges`, expected `assets` or `dependencies`",
        ],
    );
    check(
        f,
        "[]",
        &["atlas.json:1: malformed JSON: expected an object with `assets` and `dependencies`"],
    );
    check(
        f,
        "\u{feff}{\"assets\": [{\"id\": \"a\", \"country\": \"XX\"}]}",
        &[
            "atlas.json:1: assets[0].country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)",
        ],
    );
    check_bytes(
        f,
        b"{\"assets\": [\n{\"id\": \"\xff\"}]}",
        &["atlas.json:2: invalid UTF-8"],
    );
    let input = r#"{
  "assets": [
    {"id": "a", "country": "US"},
    {"id": "b", "country": "XX",
     "sectors": ["SPACE"]},
    {"id": "c", "country": "US", "colour": "red"},
    {"id": "d", "country": "US",
     "weight": "heavy"},
    {"id": "e", "country": "US", "sectors": ["ENERGY", 7]},
    7
  ],
  "dependencies": [
    {"dependent": "a", "provider": "stored", "strength": 1.5},
    {"dependent": "a", "provider": "stored", "kind": "social"}
  ]
}"#;
    check(
        f,
        input,
        &[
            "atlas.json:4: assets[1].country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)",
            "atlas.json:4: assets[1].sectors: unknown sector \"SPACE\"",
            "atlas.json:6: assets[2].colour: unknown field",
            "atlas.json:8: assets[3].weight: invalid type: string \"heavy\", expected f64",
            "atlas.json:9: assets[4].sectors[1]: invalid type: integer `7`, expected a string",
            "atlas.json:10: assets[5]: invalid type: integer `7`, expected struct Asset",
            "atlas.json:13: dependencies[0].strength: 1.5 is outside (0, 1]",
            "atlas.json:14: dependencies[1].kind: unknown variant `social`, expected one of `physical`, `cyber`, `geographic`, `logical`",
        ],
    );
}

#[test]
fn graphml_errors() {
    let f = "atlas.graphml";
    let doc = |body: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<graphml>\n<key id=\"c\" for=\"node\" attr.name=\"country\"/>\n\
             <key id=\"s\" for=\"edge\" attr.name=\"strength\"/>\n<graph edgedefault=\"directed\">\n{body}</graph>\n</graphml>\n"
        )
    };
    check(
        f,
        &doc(
            "<node id=\"a\"><data key=\"c\">NA</data></node>\n<edge source=\"a\" target=\"stored\"/>\n",
        ),
        &[],
    );
    check(
        f,
        &doc("<node id=\"a\">\n<data key=\"c\">XX</data></node>\n"),
        &["atlas.graphml:6: country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)"],
    );
    check(
        f,
        &doc("<node id=\"a\"/>\n"),
        &["atlas.graphml:6: country: \"\" is not an ISO 3166-1 alpha-2 country code (or ZZ)"],
    );
    check(
        f,
        &doc(
            "<node id=\"a\"><data key=\"c\">US</data></node>\n<edge source=\"a\" target=\"b\">\n<data key=\"s\">0</data></edge>\n<edge source=\"a\" target=\"c\">\n  <data key=\"s\">strong</data>\n</edge>\n",
        ),
        &[
            "atlas.graphml:10: strength: \"strong\" is not a number",
            "atlas.graphml:7: strength: 0 is outside (0, 1]",
        ],
    );
    check(
        f,
        &doc("<node id=\"a\"><data key=\"zz\">1</data><data key=\"c\">US</data></node>\n"),
        &["atlas.graphml:6: data key \"zz\" is not declared"],
    );
    check(
        f,
        &doc("<node><data key=\"c\">US</data></node>\n"),
        &["atlas.graphml:6: <node> has no `id` attribute"],
    );
    check(
        f,
        &doc("<edge source=\"a\"/>\n"),
        &["atlas.graphml:6: <edge> has no `target` attribute"],
    );
    check(
        f,
        &doc("<node id=\"a\"><data key=\"c\">US</node>\n"),
        &[
            "atlas.graphml:6:30: malformed XML: ill-formed document: expected `</data>`, but `</node>` was found",
        ],
    );
    check(
        f,
        &doc("<node id=\"a\"><data key=\"c\">U&bogus;S</data></node>\n"),
        &["atlas.graphml:6: unknown entity &bogus;"],
    );
    check(
        f,
        "<?xml version=\"1.0\"?>\n<svg/>\n",
        &["atlas.graphml:2:1: not a GraphML document: the root element is <svg>, not <graphml>"],
    );
}

/// A GraphML file must be a closed, well-formed document: a file cut short, garbage, or
/// content outside the root is an error with line and column, and nothing is kept.
#[test]
fn graphml_truncated_or_garbage_is_refused() {
    let f = "atlas.graphml";
    let full = "<?xml version=\"1.0\"?>\n<graphml>\n<key id=\"c\" for=\"node\" attr.name=\"country\"/>\n\
                <graph edgedefault=\"directed\">\n<node id=\"a\"><data key=\"c\">US</data></node>\n\
                <node id=\"b\"><data key=\"c\">US</data></node>\n<edge source=\"a\" target=\"b\"/>\n\
                </graph>\n</graphml>\n";
    assert_eq!(atlas(f, full).assets.len(), 2);
    // Cut right after the first `</node>`.
    let cut = &full[..full.find("</node>").expect("a node") + "</node>".len()];
    check(
        f,
        cut,
        &[
            "atlas.graphml:5:44: unexpected end of file: <graph> (line 4, column 1) is not closed; the file is truncated or not well-formed",
        ],
    );
    // Cut inside the root, after the graph closed.
    let cut = &full[..full.find("</graphml>").expect("root end")];
    check(
        f,
        cut,
        &[
            "atlas.graphml:9:1: unexpected end of file: <graphml> (line 2, column 1) is not closed; the file is truncated or not well-formed",
        ],
    );
    check(
        f,
        "hello world",
        &[
            "atlas.graphml:1:1: not a GraphML document: text \"hello world\" before the <graphml> root element",
        ],
    );
    check(
        "atlas.xml",
        "",
        &["atlas.xml:1:1: not a GraphML document: no <graphml> root element"],
    );
    check(
        f,
        "<?xml version=\"1.0\"?>\n<!-- nothing -->\n",
        &["atlas.graphml:3:1: not a GraphML document: no <graphml> root element"],
    );
    check(
        f,
        "<graphml><graph/></graphml>\n<graphml/>",
        &["atlas.graphml:2:1: <graphml> after the end of the <graphml> root element"],
    );
    check(
        f,
        "<graphml><graph/></graphml> trailing",
        &[
            "atlas.graphml:1:29: not a GraphML document: text \"trailing\" after the <graphml> root element",
        ],
    );
    // An end tag without its start tag.
    check(
        f,
        "<graphml><graph></node></graph></graphml>",
        &[
            "atlas.graphml:1:17: malformed XML: ill-formed document: expected `</graph>`, but `</node>` was found",
        ],
    );
    // Still fine: an empty root, comments and whitespace around it.
    assert!(
        atlas(f, "<!-- a -->\n<graphml/>\n<!-- b -->\n")
            .assets
            .is_empty()
    );
}

#[test]
fn graphml_with_bom_and_comments() {
    let input = "\u{feff}<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<graphml><key id=\"k\" for=\"node\" attr.name=\"country\"/>\n<graph><node id=\"a\"><data key=\"k\">NA</data></node></graph></graphml>";
    let expected = Asset {
        id: "a".into(),
        country: "NA".into(),
        ..Asset::default()
    };
    assert_eq!(atlas("a.graphml", input).assets, [expected]);
}

#[test]
fn graphml_from_other_tools() {
    // yEd style: arbitrary key ids, graphics keys without attr.name, a default, nested markup in data,
    // an `id` key that renames the node, an edge declared before its nodes.
    let input = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
  <key for="node" id="d0" yfiles.type="nodegraphics"/>
  <key attr.name="country" attr.type="string" for="node" id="d1"><default>US</default></key>
  <key attr.name="weight" attr.type="double" for="node" id="d2"/>
  <key attr.name="criticality" attr.type="string" for="all" id="d3"/>
  <key attr.name="id" attr.type="string" for="node" id="d4"/>
  <key attr.name="kind" attr.type="string" for="edge" id="d5"/>
  <graph edgedefault="directed" id="G">
    <edge id="e0" source="n0" target="n1"><data key="d5">cyber</data><data key="d3">high</data></edge>
    <node id="n0"><data key="d0"><y:ShapeNode><y:NodeLabel>A &amp; B</y:NodeLabel></y:ShapeNode></data>
      <data key="d4">plant:a</data><data key="d2">2.5</data></node>
    <node id="n1"><data key="d1">FR</data><data key="d3"><![CDATA[x<y]]> &#9;z</data></node>
  </graph>
</graphml>
"#;
    let expected = Atlas {
        assets: vec![
            Asset {
                id: "plant:a".into(),
                country: "US".into(),
                weight: Some(2.5),
                ..Asset::default()
            },
            Asset {
                id: "n1".into(),
                country: "FR".into(),
                attributes: [("criticality".to_owned(), "x<y \tz".to_owned())].into(),
                ..Asset::default()
            },
        ],
        dependencies: vec![Dependency {
            dependent: "plant:a".into(),
            provider: "n1".into(),
            kind: Some(model::DependencyKind::Cyber),
            attributes: [("criticality".to_owned(), "high".to_owned())].into(),
            ..Dependency::default()
        }],
    };
    assert_eq!(atlas("yed.graphml", input), expected);
}

const AA: &str = "infrastructure--6ba7b810-9dad-41d1-80b4-00c04fd430c8";
const BB: &str = "infrastructure--3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const ZZ: &str = "infrastructure--0f8fad5b-d9cb-469f-a165-70867728950e";
const TS: &str = r#""created": "2024-01-02T03:04:05.000Z", "modified": "2024-01-02T03:04:05Z""#;

/// A bundle of `objects`, where `@AA`, `@BB`, `@ZZ` and `@TS` are replaced.
fn bundle(objects: &str) -> String {
    format!(r#"{{"type": "bundle", "id": "bundle--1", "objects": [{objects}]}}"#)
        .replace("@AA", AA)
        .replace("@BB", BB)
        .replace("@ZZ", ZZ)
        .replace("@TS", TS)
}

#[test]
fn stix_from_other_tools() {
    let input = bundle(
        r#"
    {"type": "identity", "id": "identity--e2a0c0a6-3d6b-4d8c-9b6e-1f1c4a0d9f10", "name": "someone", @TS},
    {"type": "infrastructure", "id": "@AA", "name": "Landing station", @TS,
     "infrastructure_types": ["routers-switches"], "x_meridian_country": "PT", "x_other": 1},
    {"type": "infrastructure", "id": "@BB", "name": "Cable", @TS,
     "x_meridian_id": "cable:x", "x_meridian_country": "ZZ"},
    {"type": "relationship", "id": "relationship--8c1f0b0e-2b43-4c8e-8a2b-6f5e0a7f0c11", @TS,
     "relationship_type": "depends-on",
     "source_ref": "@AA", "target_ref": "@BB", "x_meridian_strength": 0.5},
    {"type": "relationship", "id": "relationship--9c1f0b0e-2b43-4c8e-8a2b-6f5e0a7f0c11", @TS,
     "relationship_type": "uses", "source_ref": "@AA", "target_ref": "@ZZ"}
  "#,
    );
    let expected = Atlas {
        assets: vec![
            Asset {
                id: AA.into(),
                name: "Landing station".into(),
                kind: "network".into(),
                country: "PT".into(),
                ..Asset::default()
            },
            Asset {
                id: "cable:x".into(),
                country: "ZZ".into(),
                ..Asset::default()
            },
        ],
        dependencies: vec![Dependency {
            dependent: AA.into(),
            provider: "cable:x".into(),
            strength: Some(0.5),
            ..Dependency::default()
        }],
    };
    assert_eq!(atlas("bundle.json", &input), expected);
    // STIX ids compare case-insensitively: an upper-case reference finds its infrastructure,
    // and ids are kept in lower case.
    let upper = input
        .replace(
            &format!("\"id\": \"{AA}\""),
            &format!("\"id\": \"{}\"", AA.to_uppercase()),
        )
        .replace(
            &format!("\"target_ref\": \"{BB}\""),
            &format!(
                "\"target_ref\": \"{}\"",
                BB.to_uppercase()
                    .replace("INFRASTRUCTURE", "infrastructure")
            ),
        );
    assert_ne!(upper, input);
    assert_eq!(atlas("bundle.json", &upper), expected);
}

#[test]
fn stix_errors() {
    let f = "bundle.json";
    let input = bundle(
        r#"
  {"type": "infrastructure", "id": "@AA", @TS, "name": "no country"},
  {"type": "infrastructure", "id": "@BB", @TS, "x_meridian_country": "US",
   "x_meridian_weight": "heavy"},
  {"type": "infrastructure", "id": "@ZZ", @TS, "x_meridian_country": "XX", "x_meridian_colour": "red"},
  {"type": "infrastructure", @TS, "x_meridian_country": "US"},
  {"type": "relationship", "id": "relationship--8c1f0b0e-2b43-4c8e-8a2b-6f5e0a7f0c11", @TS, "relationship_type": "depends-on", "source_ref": "@ZZ"},
  {"type": "relationship", "id": "relationship--9c1f0b0e-2b43-4c8e-8a2b-6f5e0a7f0c11", @TS, "relationship_type": "depends-on",
   "source_ref": "@ZZ", "target_ref": "@ZZ", "x_meridian_tolerance_hours": -1},
  7
"#,
    );
    check(
        f,
        &input,
        &[
            "bundle.json:6: objects[3].id: infrastructure object has no id",
            "bundle.json:10: objects[6]: is not an object",
            &format!(
                "bundle.json:2: objects[0].x_meridian_country: infrastructure \"{AA}\" has no x_meridian_country"
            ),
            "bundle.json:3: objects[1].x_meridian_weight: invalid type: string \"heavy\", expected f64",
            "bundle.json:5: objects[2].x_meridian_colour: unknown field",
            "bundle.json:7: objects[4].target_ref: relationship has no target_ref",
            "bundle.json:8: objects[5].x_meridian_provider: an asset cannot depend on itself",
            "bundle.json:8: objects[5].x_meridian_tolerance_hours: -1 must be a finite number >= 0",
        ],
    );
    check(
        f,
        r#"{"type": "bundle", "objects": {}}"#,
        &["bundle.json:1: malformed JSON: invalid type: map, expected a sequence"],
    );
    check(
        "x.stix",
        r#"{"type": "indicator"}"#,
        &["x.stix: type: expected a STIX bundle, found type \"indicator\""],
    );
    check(
        f,
        "{\"type\": \"bundle\",\n\"objects\": [}",
        &["bundle.json:2: malformed JSON: expected value"],
    );
}

/// Ids, timestamps and objects are checked as STIX 2.1 defines them; nothing is skipped
/// silently.
#[test]
fn stix_ids_timestamps_and_empty_objects_are_checked() {
    let f = "bundle.json";
    let one = |object: &str| bundle(&format!("\n{object}"));
    let infra = r#"{"type": "infrastructure", "id": "ID", "x_meridian_country": "US", @TS}"#;
    let with_id = |id: &str| one(&infra.replace("\"ID\"", &format!("{id:?}")));
    check(f, &with_id(AA), &[]);
    for (id, message) in [
        ("infrastructure--not-a-uuid", "is not a STIX identifier"),
        // A UUID of the NCS variant (first digit of the fourth group 0..7).
        (
            "infrastructure--6ba7b810-9dad-41d1-00b4-00c04fd430c8",
            "RFC 4122",
        ),
        // Version 0 does not exist.
        (
            "infrastructure--6ba7b810-9dad-01d1-80b4-00c04fd430c8",
            "RFC 4122",
        ),
        // Not the hyphenated form.
        (
            "infrastructure--6ba7b8109dad41d180b400c04fd430c8",
            "RFC 4122",
        ),
        (
            "infrastructure--{6ba7b810-9dad-41d1-80b4-00c04fd430c8}",
            "RFC 4122",
        ),
        (
            "6ba7b810-9dad-41d1-80b4-00c04fd430c8",
            "is not a STIX identifier",
        ),
        (
            "identity--6ba7b810-9dad-41d1-80b4-00c04fd430c8",
            "is not an identifier of a \"infrastructure\" object",
        ),
    ] {
        let errors = parse(f, with_id(id).as_bytes()).expect_err(id);
        assert_eq!(errors.len(), 1, "{id}: {errors:?}");
        let shown = errors[0].to_string();
        assert!(
            shown.starts_with("bundle.json:2: objects[0].id: ") && shown.contains(message),
            "{id}: {shown}"
        );
    }
    for bad in [
        "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:00+02:00",
        "2024-01-01T00:00:00.Z",
        "yesterday",
    ] {
        let input = with_id(AA).replace("2024-01-02T03:04:05Z", bad);
        check(
            f,
            &input,
            &[&format!(
                "bundle.json:2: objects[0].modified: \"{bad}\" is not a STIX timestamp (RFC 3339 in UTC: YYYY-MM-DDTHH:MM:SS[.s+]Z)"
            )],
        );
    }
    check(
        f,
        &one(r#"{"type": "infrastructure", "id": "@AA", "x_meridian_country": "US"}"#),
        &[
            "bundle.json:2: objects[0].created: infrastructure object has no created",
            "bundle.json:2: objects[0].modified: infrastructure object has no modified",
        ],
    );
    // `{}` and an object without an id are errors with their path, whatever their type.
    check(
        f,
        &bundle(
            "\n{\"type\": \"identity\", \"id\": \"identity--e2a0c0a6-3d6b-4d8c-9b6e-1f1c4a0d9f10\"},\n{},\n{\"type\": \"note\"}",
        ),
        &[
            "bundle.json:3: objects[1].type: STIX object has no type",
            "bundle.json:3: objects[1].id: STIX object has no id",
            "bundle.json:4: objects[2].id: note object has no id",
        ],
    );
    check(
        f,
        &one(
            r#"{"type": "relationship", "id": "relationship--8c1f0b0e-2b43-4c8e-8a2b-6f5e0a7f0c11", @TS,
            "relationship_type": "depends-on", "source_ref": "@AA", "target_ref": "infrastructure--x"}"#,
        ),
        &[
            "bundle.json:2: objects[0].target_ref: \"infrastructure--x\" is not a STIX identifier: <type>--<UUID> with an RFC 4122 UUID (xxxxxxxx-xxxx-Mxxx-Nxxx-xxxxxxxxxxxx, version M in 1..8, variant N in 8, 9, a, b)",
        ],
    );
}

#[test]
fn error_display() {
    let e = |line, field| ImportError::new("a.csv", line, field, "bad").to_string();
    assert_eq!(
        [
            e(Some(3), Some("id")),
            e(None, Some("id")),
            e(Some(3), None),
            e(None, None)
        ],
        [
            "a.csv:3: id: bad",
            "a.csv: id: bad",
            "a.csv:3: bad",
            "a.csv: bad"
        ]
    );
}

fn check_csv_export(assets: &[Asset], dependencies: &[Dependency], expected: &str) {
    let mut out = Vec::new();
    write_assets_csv(assets, &mut out).expect("export");
    write_dependencies_csv(dependencies, &mut out).expect("export");
    assert_eq!(String::from_utf8(out).expect("UTF-8"), expected);
}

#[test]
fn csv_export() {
    let a = Asset {
        id: "a".into(),
        country: "NA".into(),
        ..Asset::default()
    };
    check_csv_export(
        std::slice::from_ref(&a),
        &[],
        "id,name,kind,country,owner,sectors,ncfs,lat,lon,products,weight,exposure,owner_country\n\
         a,,,NA,,,,,,,,,\n\
         dependent,provider,kind,group,strength,tolerance_hours\n",
    );
    let b = Asset {
        id: "b, \"2\"".into(),
        name: "x\ny".into(),
        lat: Some(0.1 + 0.2),
        lon: Some(-1e-7),
        weight: Some(2.0),
        recovery_hours: Some(1e21),
        sectors: vec!["IT".into(), "WATER".into()],
        attributes: [
            ("z".to_owned(), "last".to_owned()),
            ("m".to_owned(), "mid".to_owned()),
        ]
        .into(),
        ..a.clone()
    };
    let d = Dependency {
        dependent: "a".into(),
        provider: "b".into(),
        strength: Some(0.5),
        attributes: [("note".to_owned(), "n".to_owned())].into(),
        ..Dependency::default()
    };
    check_csv_export(
        &[a, b],
        &[d],
        "id,name,kind,country,owner,sectors,ncfs,lat,lon,products,weight,exposure,owner_country,recovery_hours,m,z\n\
         a,,,NA,,,,,,,,,,,,\n\
         \"b, \"\"2\"\"\",\"x\ny\",,NA,,IT;WATER,,0.30000000000000004,-0.0000001,,2,,,1000000000000000000000,mid,last\n\
         dependent,provider,kind,group,strength,tolerance_hours,note\n\
         a,b,,,0.5,,n\n",
    );
}

fn check_compact(
    assets: &str,
    dependencies: &str,
    expected_errors: &[&str],
) -> Option<model::CompactAtlas> {
    let result = read_compact(
        "assets.csv",
        assets.as_bytes(),
        "dependencies.csv",
        dependencies.as_bytes(),
    );
    let errors: Vec<String> = result
        .as_ref()
        .err()
        .into_iter()
        .flatten()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors, expected_errors);
    result.ok()
}

#[test]
fn compact_reader() {
    let atlas = check_compact(
        "id,country,ncfs,weight,sectors\na,US,NCF-D01;NCF-C01,2,ENERGY\nb,NA,,,\nc,ZZ,,,\n",
        "dependent,provider,group,strength,tolerance_hours\na,b,fuel,0.5,12\na,c,fuel,,\nb,c,,,\n",
        &[],
    )
    .expect("valid files");
    assert!(atlas.is_consistent());
    assert_eq!(atlas.ids, ["a", "b", "c"]);
    assert_eq!(atlas.country, [*b"US", *b"NA", *b"ZZ"]);
    assert_eq!(atlas.weight, [2.0, 1.0, 1.0]);
    assert_eq!(atlas.asset_ncfs(0).len(), 2);
    assert_eq!(atlas.sectors[0].count_ones(), 1);
    assert_eq!(
        (atlas.edge_dependent.clone(), atlas.edge_provider.clone()),
        (vec![0, 0, 1], vec![1, 2, 2])
    );
    assert_eq!(atlas.edge_group, [0, 0, model::NO_GROUP]);
    assert_eq!(atlas.group_names, ["fuel"]);
    assert_eq!(
        (atlas.edge_strength.clone(), atlas.edge_tolerance.clone()),
        (vec![0.5, 1.0, 1.0], vec![12.0, 0.0, 0.0])
    );

    check_compact(
        "id,country,ncfs\na,XX,NCF-Z9\na,US,\n",
        "dependent,provider,strength\na,zz,\na,a,2\n",
        &[
            "assets.csv:2: country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)",
            "assets.csv:2: ncfs: unknown NCF \"NCF-Z9\"",
            "assets.csv:3: id: duplicate asset id \"a\"",
            "dependencies.csv:2: provider: unknown provider id \"zz\"",
            "dependencies.csv:3: provider: an asset cannot depend on itself",
        ],
    );
    check_compact(
        "name,country\n",
        "provider\n",
        &[
            "assets.csv:1: id: required column is missing",
            "dependencies.csv:1: dependent: required column is missing",
        ],
    );
}

#[test]
fn compact_reader_paths() {
    // A quoted field takes the general CSV reader: same answers, same line numbers.
    let quoted = check_compact(
        "id,country\na,US\nb,NA\nc,ZZ\n",
        "dependent,provider,group\r\na,b,\"fuel, diesel\"\r\n\r\na,c,\"fuel, diesel\"\r\nb,c,\r\n",
        &[],
    )
    .expect("valid files");
    assert_eq!(
        (quoted.edge_group.clone(), quoted.group_names.clone()),
        (vec![0, 0, model::NO_GROUP], vec!["fuel, diesel".to_owned()])
    );
    check_compact(
        "id,country\na,US\n",
        "dependent,provider\n\"a\",zz\n",
        &["dependencies.csv:2: provider: unknown provider id \"zz\""],
    );
    // Unquoted files are decoded in parallel chunks: line numbers stay exact across chunks,
    // blank lines and CRLF included.
    let assets: String = (0..5000).map(|i| format!("a{i},US\n")).collect();
    let mut deps: String = (1..5000).map(|i| format!("a{i},a{}\r\n", i - 1)).collect();
    deps.push_str("\r\na1,nowhere\r\n");
    let errors = ["dependencies.csv:5002: provider: unknown provider id \"nowhere\""];
    check_compact(
        &format!("id,country\n{assets}"),
        &format!("dependent,provider\r\n{deps}"),
        &errors,
    );
    // Ids longer than the index's inline keys (23 bytes), and exactly 23 bytes.
    let long = "cable:trans-pacific-express-segment-4";
    let edge = check_compact(
        &format!("id,country\n{long},ZZ\nls:us:hermosa-beach-001,US\n"),
        &format!("dependent,provider\nls:us:hermosa-beach-001,{long}\n"),
        &[],
    )
    .expect("valid files");
    assert_eq!(
        (edge.edge_dependent.clone(), edge.edge_provider.clone()),
        (vec![1], vec![0])
    );
    assert_eq!(edge.ids, [long, "ls:us:hermosa-beach-001"]);
}

/// Found by fuzzing (fuzz/regressions/atlas_graphml/): a character XML 1.0 cannot carry, raw
/// in an attribute or as a character reference, was imported, and the export then refused it.
#[test]
fn graphml_refuses_what_xml_cannot_carry() {
    let doc = |key: &str, value: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<graphml>\n<key id=\"k\" for=\"node\" attr.name=\"{key}\"/>\n\
             <graph edgedefault=\"directed\">\n<node id=\"a\"><data key=\"k\">{value}</data></node>\n\
             </graph>\n</graphml>\n"
        )
    };
    for input in [
        doc("se\u{1}tors", "x"),
        doc("se&#1;tors", "x"),
        doc("note", "a&#1;b"),
        doc("note", "a\u{1}b"),
        doc("note", "<![CDATA[a\u{1}b]]>"),
    ] {
        assert!(xml10_errors(&input), "accepted: {input:?}");
    }
    assert!(!xml10_errors(&doc("note", "a&#9;b")));
}

fn xml10_errors(input: &str) -> bool {
    parse("atlas.graphml", input.as_bytes())
        .err()
        .unwrap_or_default()
        .iter()
        .any(|e| e.to_string().contains("XML 1.0 does not allow"))
}

/// Found by fuzzing (fuzz/regressions/atlas_graphml/): an attribute named with surrounding
/// white space (`attr.name="naem "`) was imported, and the export then refused it.
#[test]
fn graphml_refuses_attribute_names_the_export_cannot_write() {
    for name in ["naem ", " x", ""] {
        let input = format!(
            "<?xml version=\"1.0\"?>\n<graphml>\n<key id=\"k\" for=\"node\" attr.name=\"{name}\"/>\n\
             <graph edgedefault=\"directed\">\n<node id=\"a\"><data key=\"k\">v</data></node>\n\
             </graph>\n</graphml>\n"
        );
        let errors = parse("atlas.graphml", input.as_bytes())
            .err()
            .unwrap_or_default();
        assert!(
            errors
                .iter()
                .any(|e| e.to_string().contains("surrounding whitespace")),
            "{name:?}: {errors:?}"
        );
    }
}
