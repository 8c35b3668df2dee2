use super::*;

#[test]
fn dates() {
    for (s, ok) in [
        ("2024-02-29", true),
        ("2023-02-29", false),
        ("2024-13-01", false),
        ("2024-1-01", false),
        ("", false),
    ] {
        assert_eq!(is_date(s), ok, "{s}");
    }
    for (s, ok) in [
        ("2024-04-12T07:20:00.707Z", true),
        ("2020-04-13T20:20:39+00:00", true),
        ("2022-12-22T16:36:43-05:00", true),
        ("2024-04-17T04:00:13.543064", true),
        ("2020-04-13", false),
        ("2020-04-13T25:00:00Z", false),
        ("2020-04-13T20:20Z", false),
    ] {
        assert_eq!(is_date_time(s), ok, "{s}");
    }
    for (s, ok) in [
        ("CVE-2024-3400", true),
        ("CVE-2024-123", false),
        ("cve-2024-3400", false),
        ("CVE-24-3400", false),
    ] {
        assert_eq!(is_cve_id(s), ok, "{s}");
    }
}

#[test]
fn paths() {
    assert_eq!(join_path("", "."), "$");
    assert_eq!(
        join_path("vulnerabilities[3]", "dueDate"),
        "vulnerabilities[3].dueDate"
    );
    assert_eq!(join_path("a", "[2].b"), "a[2].b");
}
