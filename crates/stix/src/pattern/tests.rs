use proptest::prelude::*;

use super::*;

/// The patterns of the STIX 2.1 specification, as listed in the OASIS pattern validator's
/// `stix2patterns/test/v21/spec_examples.txt`.
const SPEC_EXAMPLES: &[&str] = &[
    r"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    r"[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']",
    r"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']",
    r"[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    r"([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS",
    r"[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']",
    r"[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']",
    r"[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']",
    r"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    r"[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
    r"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
    r"[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    r"[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
    r"[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
    r"[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    r"[windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\CryptoLocker_0388']",
    r"[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
    r"[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
    r"[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
    r"[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES'^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
    r"[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
    r"([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']",
    r"[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a69faa']",
];

/// `PASS_CASES` of the OASIS pattern validator's `test/v21/test_validator.py` (the strings as
/// Python reads them).
const VALIDATOR_PASS_CASES: &[&str] = &[
    "[file:size = 1280]",
    "[file:size != 1280]",
    "[file:size < 1024]",
    "[file:size <= 1024]",
    "[file:size > 1024]",
    "[file:size >= 1024]",
    "[file:file_name = 'my_file_name']",
    "[file:extended_properties.'ntfs-ext'.sid = '234']",
    r"[emailaddr:value MATCHES '.+\\@ibm\\.com$' OR file:name MATCHES '^Final Report.+\\.exe$']",
    "[ipv4addr:value ISSUBSET '192.168.0.1/24']",
    "[ipv4addr:value NOT ISSUBSET '192.168.0.1/24']",
    "[user-account:value = 'Peter'] AND [user-account:value != 'Paul'] AND [user-account:value = 'Mary'] WITHIN 5 SECONDS",
    "[file:file_system_properties.file_name LIKE 'name%']",
    "[file:file_name IN ('test.txt', 'test2.exe', 'README')]",
    "[file:size IN (1024, 2048, 4096)]",
    "[network-connection:extended_properties[0].source_payload MATCHES 'dGVzdHRlc3R0ZXN0']",
    r"[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] WITHIN 5 SECONDS",
    "[x_whatever:detected == t'2018-03-22T12:11:14.1Z']",
    "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
    "[foo:bar=1] REPEATS 9 TIMES",
    "[network-traffic:start = '2018-04-20T12:36:24.558Z']",
    "( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])",
    r"([win-registry-key:key = 'hkey_local_machine\\foo\\bar']) WITHIN 5 SECONDS WITHIN 6 SECONDS",
    r"([win-registry-key:key = 'hkey_local_machine\\foo\\bar'] REPEATS 2 TIMES) REPEATS 2 TIMES",
    "[network-traffic:src_port = 37020 AND user-account:user_id = 'root'] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR [ipv4-addr:value = '192.168.122.83'] START t'2016-06-01T03:55:00.123Z' STOP t'2016-06-01T04:30:24.743Z'",
    "[file:hashes[*] = '8665c8d477534008b3058b72e2dae8ae']",
];

/// `TIMESTAMP_PASS_CASES` of the same file, less the three it notes are not real dates.
const TIMESTAMP_PASS_CASES: &[&str] = &[
    "[x:created = t'2024-01-15T12:30:45Z']",
    "[x:created = t'2024-12-31T23:59:59Z']",
    "[x:created = t'2024-01-01T00:00:00Z']",
    "[x:created = t'2024-01-15T12:30:45.123Z']",
    "[x:created = t'2024-01-15T12:30:45.123456Z']",
    "[x:created = t'2024-02-29T12:00:00Z']",
    "[x:created = t'2000-02-29T12:00:00Z']",
    "[file:name = 'test'] START t'2024-01-01T00:00:00Z' STOP t'2024-12-31T23:59:59Z'",
];

/// The three "syntactically valid but semantically invalid" dates the OASIS validator accepts;
/// this parser checks the calendar, as RFC 3339 requires.
const NOT_REAL_DATES: &[&str] = &[
    "[x:created = t'2024-02-30T12:00:00Z']",
    "[x:created = t'2024-04-31T12:00:00Z']",
    "[x:created = t'2023-02-29T12:00:00Z']",
];

/// `FAIL_CASES` of the OASIS validator's tests (the strings as Python reads them), with the
/// offset of the OASIS message (`line 1:N`) or of the value its message names.
const VALIDATOR_FAIL_CASES: &[(&str, usize)] = &[
    ("file:size = 1280", 0),
    ("[file:size = ]", 13),
    ("[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]", 19),
    ("[file.size = 1280]", 5),
    (r"[file:name MATCHES /.*\.dll/]", 19),
    (
        r"[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] WITHIN ]",
        63,
    ),
    (
        r"[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] WITHIN 5 HOURS]",
        65,
    ),
    (
        r"[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] WITHIN -5 SECONDS]",
        63,
    ),
    ("[network-traffic:dst_ref.value ISSUBSET ]", 40),
    (
        "[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']",
        18,
    ),
    ("[x_whatever:detected == t'2457-73-22T32:81:84.1Z']", 24),
    ("[artifact:payload_bin = b'====']", 24),
    ("[foo:bar=1] within 2 seconds", 12),
    ("[file:hashes.'SHA-256' = 'f00']", 25),
    (
        r"[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] WITHIN 5 SECONDS WITHIN 6 SECONDS",
        73,
    ),
    (
        r"([win-registry-key:key = 'hkey_local_machine\\foo\\bar'] REPEATS 2 TIMES REPEATS 3 TIMES)",
        73,
    ),
    (
        r"[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'",
        123,
    ),
];

/// `TIMESTAMP_FAIL_CASES` of the OASIS validator's tests.
const TIMESTAMP_FAIL_CASES: &[&str] = &[
    "[x:created = t'2024-13-01T12:00:00Z']",
    "[x:created = t'2024-00-01T12:00:00Z']",
    "[x:created = t'2024-01-32T12:00:00Z']",
    "[x:created = t'2024-01-00T12:00:00Z']",
    "[x:created = t'2024-01-15T25:00:00Z']",
    "[x:created = t'2024-01-15T12:60:00Z']",
    "[x:created = t'2024-01-15T12:30:61Z']",
    "[x:created = t'2024-01-15T12:30:45']",
    "[x:created = t'not-a-timestamp']",
    "[x:created = t'2024/01/15T12:30:45Z']",
];

fn parse_error(pattern: &str) -> PatternError {
    match parse(pattern) {
        Ok(parsed) => panic!("accepted {pattern:?} as {parsed:?}"),
        Err(error) => error,
    }
}

/// `pattern` parses, and its canonical text parses back to the same value.
fn assert_round_trips(pattern: &str) -> Pattern {
    let parsed = parse(pattern).unwrap_or_else(|error| panic!("{pattern:?}: {error}"));
    let text = parsed.to_string();
    assert_eq!(
        parse(&text).as_ref(),
        Ok(&parsed),
        "{pattern:?} printed as {text:?}"
    );
    parsed
}

#[test]
fn the_specification_examples_are_valid() {
    for pattern in SPEC_EXAMPLES {
        assert_round_trips(pattern);
        if let Err(error) = validate(pattern) {
            panic!("{pattern:?}: {error}");
        }
    }
}

#[test]
fn the_oasis_validator_pass_cases_parse() {
    for pattern in VALIDATOR_PASS_CASES.iter().chain(TIMESTAMP_PASS_CASES) {
        assert_round_trips(pattern);
    }
}

#[test]
fn pass_cases_with_names_outside_the_stix_rules_fail_validate() {
    // stix2-validator refuses these in an indicator: `x_whatever` and `x` are not type names.
    for (pattern, offset) in [
        ("[x_whatever:detected == t'2018-03-22T12:11:14.1Z']", 1),
        ("[x:created = t'2024-01-15T12:30:45Z']", 1),
        ("[file:MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']", 6),
        ("[file:ab = 1]", 6),
    ] {
        assert!(parse(pattern).is_ok(), "{pattern}");
        let error = validate(pattern).expect_err(pattern);
        assert_eq!(error.offset, offset, "{pattern}: {error}");
        assert!(error.message.contains("is not a STIX"), "{error}");
    }
    for pattern in VALIDATOR_PASS_CASES {
        if !pattern.contains("x_whatever") {
            assert!(validate(pattern).is_ok(), "{pattern}");
        }
    }
    assert!(validate("[file:id = 'file--a'] AND [x-acme-thing:x_acme_value = 1]").is_ok());
}

#[test]
fn dates_that_do_not_exist_are_refused() {
    for pattern in NOT_REAL_DATES {
        let error = parse_error(pattern);
        assert_eq!(error.offset, 13, "{pattern}: {error}");
        assert!(error.message.contains("the day is not 01 to"), "{error}");
    }
    assert!(
        parse("[x:created = t'2016-12-31T23:59:60Z']").is_ok(),
        "leap second"
    );
}

#[test]
fn the_oasis_validator_fail_cases_fail_at_the_same_place() {
    for &(pattern, offset) in VALIDATOR_FAIL_CASES {
        let error = parse_error(pattern);
        assert_eq!(error.offset, offset, "{pattern}: {error}");
    }
    for pattern in TIMESTAMP_FAIL_CASES {
        let error = parse_error(pattern);
        assert_eq!(error.offset, 13, "{pattern}: {error}");
        assert!(error.message.starts_with("invalid timestamp"), "{error}");
    }
}

#[test]
fn errors_say_what_is_wrong() {
    for (pattern, offset, words) in [
        (
            "[ipv4-addr:value = ",
            19,
            "expected a constant after '=', found the end of the pattern",
        ),
        ("hello world", 0, "comparisons go inside square brackets"),
        ("", 0, "found the end of the pattern"),
        ("[file:size = 1280", 17, "expected AND, OR or ']'"),
        (
            "[foo:bar=1] within 2 seconds",
            12,
            "keywords are upper case",
        ),
        (
            "[file:hashes.'SHA-256' = 'f00']",
            25,
            "\"f00\" is not a valid SHA-256 hash (64",
        ),
        (
            "[file:name = 'C:\\Windows']",
            16,
            "invalid escape \"\\\\W\"",
        ),
        ("[file:name = 'abc]", 13, "unterminated string"),
        ("[file:name = \"abc\"]", 13, "strings are in single quotes"),
        ("[file:x = h'abc']", 10, "not an even number"),
        ("[file:x = h'zz']", 10, "'z' is not a hexadecimal digit"),
        ("[file:x = b'abc']", 10, "not a multiple of 4"),
        ("[file:x = b'']", 10, "empty"),
        ("[file:x = b'ab=c']", 10, "not base64"),
        ("[file:x = t'2016-01-01T00:00:00+01:00']", 10, "ending in Z"),
        ("[file:x = 012]", 10, "leading zeros"),
        ("[file:x = 99999999999999999999]", 10, "64-bit"),
        ("[file:x > true]", 10, "cannot be compared"),
        ("[file:x LIKE 5]", 13, "a string after LIKE"),
        ("[file:x IN ('a' 'b')]", 16, "',' or ')' in the set"),
        ("[file:x[a] = 1]", 8, "an integer index or '*'"),
        ("[file:foo-bar = 1]", 6, "must be quoted"),
        ("[file:a = 1] REPEATS 0 TIMES", 21, "positive"),
        ("[file:a = 1] WITHIN 0 SECONDS", 20, "positive"),
        ("[file:a = 1] WITHIN 5 MINUTES", 22, "SECONDS"),
        (
            "[file:a = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00.000Z'",
            48,
            "STOP time must be later",
        ),
        (
            "[file:a = 1] START '2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z'",
            19,
            "timestamp",
        ),
        ("[file:a = 1] /* open", 13, "unterminated comment"),
        ("[file:a = 1] AND", 16, "an observation expression"),
        ("[file:a = 1]]", 12, "or the end"),
        ("[EXISTS]", 7, "an object type"),
        ("[file:name = 'é'] é", 18, "unexpected character 'é'"),
    ] {
        let error = parse_error(pattern);
        assert!(
            error.offset == offset && error.message.contains(words),
            "{pattern:?}: got {error:?}, expected offset {offset} and {words:?}"
        );
    }
}

#[test]
fn the_error_displays_offset_and_message() {
    let error = parse_error("[ipv4-addr:value = ");
    assert_eq!(
        error.to_string(),
        "at offset 19: expected a constant after '=', found the end of the pattern"
    );
}

#[test]
fn offsets_count_characters_not_bytes() {
    let error = parse_error("[file:name = 'ééé' OR]");
    assert_eq!(error.offset, 21, "{error}");
}

#[test]
fn constants_and_paths_parse_to_their_values() {
    let parsed = assert_round_trips(
        r"[file:extensions.'x-y'.list[-1].items[*].v NOT IN (1, -2, 3.5, -.5, 'it\'s \\ ok', true, false, b'AAEC', h'0aFF', t'2020-01-01T00:00:00.5Z', +7, 0)]",
    );
    let ObservationExpression::Observation(ComparisonExpression::Comparison(Comparison::Compare {
        path,
        negated,
        operator,
        value,
    })) = parsed.expression
    else {
        panic!("{parsed:?}");
    };
    assert_eq!(
        path,
        ObjectPath {
            object_type: "file".into(),
            property: "extensions".into(),
            steps: vec![
                PathStep::Key("x-y".into()),
                PathStep::Key("list".into()),
                PathStep::Index(-1),
                PathStep::Key("items".into()),
                PathStep::AnyIndex,
                PathStep::Key("v".into()),
            ],
        }
    );
    assert!(negated);
    assert_eq!(operator, Operator::In);
    assert_eq!(
        value,
        Constant::Set(vec![
            Constant::Integer(1),
            Constant::Integer(-2),
            Constant::Float(3.5),
            Constant::Float(-0.5),
            Constant::String("it's \\ ok".into()),
            Constant::Boolean(true),
            Constant::Boolean(false),
            Constant::Binary("AAEC".into()),
            Constant::Hex("0aFF".into()),
            Constant::Timestamp("2020-01-01T00:00:00.5Z".into()),
            Constant::Integer(7),
            Constant::Integer(0),
        ])
    );
    assert!(
        parse("[file:x = h'']").is_ok(),
        "an empty hex literal is valid"
    );
    assert!(
        parse("[file:x IN ()]").is_ok(),
        "the grammar allows an empty set"
    );
    assert!(parse("[file:'quoted name' = 1]").is_ok());
    assert!(parse("[EXISTS file:name AND file:size <> 3]").is_ok());
}

#[test]
fn operators_group_as_the_grammar_says() {
    // Observation operators: AND binds tighter than OR, OR than FOLLOWEDBY.
    let parsed =
        parse("[a:b=1] FOLLOWEDBY [a:b=2] OR [a:b=3] AND [a:b=4] WITHIN 5 SECONDS").expect("valid");
    let ObservationExpression::FollowedBy(operands) = &parsed.expression else {
        panic!("{parsed:?}");
    };
    assert_eq!(operands.len(), 2);
    let ObservationExpression::Or(alternatives) = &operands[1] else {
        panic!("{parsed:?}");
    };
    let ObservationExpression::And(conjuncts) = &alternatives[1] else {
        panic!("{parsed:?}");
    };
    assert!(matches!(
        &conjuncts[1],
        ObservationExpression::Qualified(_, qualifiers) if qualifiers == &[Qualifier::Within(5.0)]
    ));
    // Comparison operators: AND binds tighter than OR.
    let parsed = parse("[a:b=1 OR a:b=2 AND a:b=3]").expect("valid");
    assert!(matches!(
        &parsed.expression,
        ObservationExpression::Observation(ComparisonExpression::Or(operands))
            if matches!(operands[1], ComparisonExpression::And(_))
    ));
    assert_eq!(
        parse("[a:b=1] REPEATS 2 TIMES WITHIN 1.5 SECONDS")
            .expect("valid")
            .to_string(),
        "[a:b = 1] REPEATS 2 TIMES WITHIN 1.5 SECONDS"
    );
    assert_eq!(
        parse("[(a:b=1 OR a:b=2) AND (a:b=3 AND a:b=4)] // comment")
            .expect("valid")
            .to_string(),
        "[(a:b = 1 OR a:b = 2) AND (a:b = 3 AND a:b = 4)]"
    );
}

#[test]
fn whitespace_and_comments_are_skipped() {
    for pattern in [
        "\t[ file:size\n=\r1 ]\u{A0}",
        "/* c */[file:size = 1] // trailing",
        "[file:size = 1]\u{3000}AND\u{2028}[file:size = 2]",
    ] {
        assert!(parse(pattern).is_ok(), "{pattern:?}");
    }
}

#[test]
fn matches_needs_a_plausible_regular_expression() {
    for regex in [
        r"^Final Report.+\\.exe$",
        r"(?i)^abc(?:def|ghi)*?$",
        r"[[:alpha:]]+\\d{2,3}",
        r"[]a]",
        r"(?<name>x)(?P=name)",
        r"(?=look)(?!not)(?<=b)(?<!c)",
        r"a{,3}b{2}c{1,}",
        r"\\Q(*\\E",
        r"(?#comment (x)a",
        r"a++b*+c?+",
        r"{",
        r"",
    ] {
        let pattern = format!("[file:name MATCHES '{regex}']");
        assert!(parse(&pattern).is_ok(), "{pattern}: {:?}", parse(&pattern));
    }
    for (regex, index, words) in [
        ("(abc", 0, "'(' without a closing ')'"),
        ("abc)", 3, "')' without a matching '('"),
        ("[abc", 0, "'[' without a closing ']'"),
        ("*abc", 0, "nothing to repeat"),
        ("a|+b", 2, "nothing to repeat"),
        ("a**", 2, "cannot follow a quantifier"),
        ("a{3,2}", 1, "out of order"),
        (r"abc\\", 3, "lone backslash"),
        (r"\'\'(", 2, "'(' without"),
    ] {
        let pattern = format!("[file:name MATCHES '{regex}']");
        let error = parse_error(&pattern);
        // The offset is that of the character in the pattern text, escapes included.
        let expected = 19 + source_index(&format!("'{regex}'"), index);
        assert!(
            error.offset == expected && error.message.contains(words),
            "{pattern}: got {error:?}, expected offset {expected} and {words:?}"
        );
    }
}

#[test]
fn hash_values_of_known_algorithms_are_checked() {
    for pattern in [
        "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']",
        "[file:hashes.md5 = '001dd76872d80801692ff942308c64e6']",
        "[file:hashes.'SHA-1' IN ('cead3f77f6cda6ec00f57d76c9a6879fcead3f77')]",
        "[file:hashes.SSDEEP = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']",
        "[file:hashes.'x-custom' = 'anything']",
        "[file:hashes.MD5 LIKE 'cead%']",
        "[file:hashes.MD5 != 'cead3f77f6cda6ec00f57d76c9a6879f']",
        "[artifact:hashes.'SHA3-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    ] {
        assert!(parse(pattern).is_ok(), "{pattern}: {:?}", parse(pattern));
    }
    for pattern in [
        "[file:hashes.MD5 = 'cead']",
        "[file:hashes.'SHA-256' = 'zzc070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        "[file:hashes.'SHA-1' IN ('cead3f77f6cda6ec00f57d76c9a6879fcead3f77', 'x')]",
        "[file:hashes.SSDEEP = 'not valid!']",
        "[file:hashes.MD5 = 1]",
        "[file:hashes.MD5 != h'cead3f77f6cda6ec00f57d76c9a6879f']",
        "[file:hashes.MD5 IN ('cead3f77f6cda6ec00f57d76c9a6879f', true)]",
        "[file:hashes.MD5 > 'v']",
        "[file:hashes.MD5 ISSUBSET 'v']",
    ] {
        assert!(parse_error(pattern).message.contains("hash"), "{pattern}");
    }
}

#[test]
fn nesting_is_bounded() {
    let nested = |depth: usize| {
        format!(
            "{}[a:b = 1]{}",
            "(".repeat(depth - 1),
            ")".repeat(depth - 1)
        )
    };
    assert!(parse(&nested(MAX_DEPTH)).is_ok());
    let error = parse_error(&nested(MAX_DEPTH + 1));
    assert_eq!(error.offset, MAX_DEPTH, "{error}");
    assert!(error.message.contains("nested deeper than 64"), "{error}");
    // Far past the limit: an error, not a stack overflow.
    for hostile in [
        "(".repeat(1_000_000),
        "[".repeat(1_000_000),
        format!("[{}", "(".repeat(1_000_000)),
    ] {
        assert!(parse(&hostile).is_err());
    }
    let comparisons = format!("[{}a:b = 1]", "(".repeat(MAX_DEPTH - 1));
    assert!(
        parse_error(&comparisons)
            .message
            .contains("expected AND, OR or ')'")
    );
}

#[test]
fn long_flat_patterns_parse_and_drop() {
    let observations = vec!["[a:b = 1] REPEATS 2 TIMES"; 50_000].join(" AND ");
    assert!(parse(&observations).is_ok());
    let comparisons = format!("[{}]", vec!["a:b = 1"; 50_000].join(" OR "));
    assert!(parse(&comparisons).is_ok());
    let qualifiers = format!("([a:b = 1]){}", " WITHIN 1 SECONDS".repeat(50_000));
    assert!(parse(&qualifiers).is_ok());
}

/// Inputs that would take quadratic time in a backtracking or rescanning parser: each is
/// about a megabyte and must finish (quickly: the parser never rescans).
#[test]
fn hostile_inputs_are_handled_in_one_pass() {
    let long = 1_000_000;
    for (hostile, ok) in [
        (
            format!("[a:b MATCHES '[{}]']", "[:a".repeat(long / 3)),
            true,
        ),
        (format!("[a:b MATCHES '{}']", "([".repeat(long / 2)), false),
        (
            format!("[a:b MATCHES '{}']", "\\\\Q(".repeat(long / 4)),
            true,
        ),
        (format!("[a:b = h'{}", "a".repeat(long)), false),
        (format!("[a:b = '{}", "\\\\".repeat(long / 2)), false),
        ("/*".repeat(long / 2), false),
        ("[a:b = 1] //".repeat(long / 12), true),
        (
            format!("[a:b IN ({})]", vec!["1"; long / 2].join(",")),
            true,
        ),
        (format!("[a:b{}.c = 1]", "[*]".repeat(long / 3)), true),
    ] {
        let result = parse(&hostile);
        assert_eq!(result.is_ok(), ok, "{:?}", result.err());
    }
}

#[test]
fn reproductions_are_refused_by_the_validator() {
    use serde_json::json;
    let validator = crate::Validator::new();
    let indicator = |pattern: &str, pattern_type: &str| {
        json!({
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2016-04-06T20:03:48.000Z",
            "modified": "2016-04-06T20:03:48.000Z",
            "pattern": pattern,
            "pattern_type": pattern_type,
            "valid_from": "2016-01-01T00:00:00Z"
        })
    };
    for (pattern, reason) in [
        (
            "[ipv4-addr:value = ",
            "/pattern: invalid STIX pattern at offset 19: expected a constant after '=', found the end of the pattern",
        ),
        (
            "hello world",
            "/pattern: invalid STIX pattern at offset 0: expected an observation expression '[…]' or '(' (comparisons go inside square brackets: [type:property = value]), found \"hello\"",
        ),
    ] {
        let invalid = validator
            .validate(&indicator(pattern, "stix"))
            .expect_err(pattern);
        assert_eq!(invalid.reasons, vec![reason.to_owned()]);
        // Other pattern languages are not parsed.
        for other in ["sigma", "snort", "yara", "suricata", "pcre", "spl", "STIX"] {
            assert!(
                validator.validate(&indicator(pattern, other)).is_ok(),
                "{other}"
            );
        }
    }
    assert!(
        validator
            .validate(&indicator("[ipv4-addr:value = '198.51.100.1']", "stix"))
            .is_ok()
    );
}

/// Tokens of the language (and a few near misses) for building near-valid patterns.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "[",
        "]",
        "(",
        ")",
        ":",
        ".",
        ",",
        "*",
        "=",
        "!=",
        "<",
        ">=",
        "AND",
        "OR",
        "NOT",
        "FOLLOWEDBY",
        "IN",
        "LIKE",
        "MATCHES",
        "ISSUBSET",
        "EXISTS",
        "WITHIN",
        "SECONDS",
        "REPEATS",
        "TIMES",
        "START",
        "STOP",
        "file",
        "ipv4-addr",
        "hashes",
        "MD5",
        "name",
        "'x'",
        "'(a'",
        "'a\\\\'",
        "'",
        "1",
        "-2",
        "0.5",
        ".",
        "true",
        "h'ab'",
        "h'a'",
        "b'AAAA'",
        "b'A'",
        "t'2016-01-01T00:00:00Z'",
        "t'2016-02-30T00:00:00Z'",
        "/*",
        "*/",
        "//",
        " ",
        "\n",
        "é",
        "'cead3f77f6cda6ec00f57d76c9a6879f'",
    ])
}

/// A generated valid pattern's text.
fn valid_pattern() -> impl Strategy<Value = String> {
    let constant = prop_oneof![
        Just("1".to_owned()),
        Just("-3.25".to_owned()),
        Just("'it\\'s'".to_owned()),
        Just("true".to_owned()),
        Just("h'00ff'".to_owned()),
        Just("b'AAE='".to_owned()),
        Just("t'2016-01-01T00:00:00Z'".to_owned()),
        "[a-z ]{0,5}".prop_map(|s| format!("'{s}'")),
    ];
    let path = prop_oneof![
        Just("file:name"),
        Just("file:hashes.'SHA-256'"),
        Just("x-acme:list[*].items[2]"),
        Just("network-traffic:dst_ref.value"),
    ];
    let comparison = (
        path,
        prop_oneof![Just("="), Just("!="), Just("NOT =")],
        constant,
    )
        .prop_map(|(path, op, value)| {
            if path.contains("SHA-256") {
                format!("{path} {op} '{}'", "a".repeat(64))
            } else {
                format!("{path} {op} {value}")
            }
        });
    let comparisons = comparison.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} AND {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} OR {b}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    });
    let observation = comparisons.prop_map(|c| format!("[{c}]"));
    observation.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} AND {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} OR {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} FOLLOWEDBY {b}")),
            inner
                .clone()
                .prop_map(|a| format!("({a}) WITHIN 5 SECONDS")),
            inner.prop_map(|a| format!("({a}) REPEATS 2 TIMES")),
        ]
    })
}

proptest! {
    #[test]
    fn any_string_is_parsed_or_refused_without_panicking(text in "\\PC{0,80}") {
        let _ = parse(&text);
        let _ = validate(&text);
    }

    #[test]
    fn token_soup_is_parsed_or_refused_without_panicking(
        tokens in prop::collection::vec(token(), 0..40),
        spaced in any::<bool>(),
    ) {
        let text = tokens.join(if spaced { " " } else { "" });
        match parse(&text) {
            Ok(parsed) => prop_assert_eq!(parse(&parsed.to_string()), Ok(parsed)),
            Err(error) => prop_assert!(error.offset <= text.chars().count(), "{error}"),
        }
    }

    #[test]
    fn generated_valid_patterns_parse_and_round_trip(text in valid_pattern()) {
        let parsed = validate(&text);
        prop_assert!(parsed.is_ok(), "{}: {:?}", text, parsed);
        if let Ok(parsed) = parsed {
            prop_assert_eq!(parse(&parsed.to_string()), Ok(parsed));
        }
    }

    #[test]
    fn errors_point_inside_the_pattern(text in "[\\[\\]() a-z:=',.0-9A-Z*-]{0,60}") {
        if let Err(error) = parse(&text) {
            prop_assert!(error.offset <= text.chars().count());
            prop_assert!(!error.message.is_empty());
        }
    }
}
