//! STIX 2.1 timestamps (§3.2 of STIX 2.1): RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SS[.s+]Z`.

/// Why `text` is not a STIX timestamp, or `None` when it is one: the form
/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (UTC, at least one fraction digit after a dot), a real
/// date (leap years counted) and time (a leap second `:60` is allowed).
pub fn stix_timestamp_problem(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let shape = b.len() >= 20
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':')
        && b.last() == Some(&b'Z');
    let fraction = b.get(19..b.len().saturating_sub(1)).unwrap_or_default();
    let fraction_ok = fraction.is_empty()
        || (fraction.len() >= 2
            && fraction[0] == b'.'
            && fraction[1..].iter().all(u8::is_ascii_digit));
    let fields = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    );
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = fields
    else {
        return Some("not YYYY-MM-DDTHH:MM:SS[.s]Z".to_owned());
    };
    if !shape || !fraction_ok {
        return Some("not YYYY-MM-DDTHH:MM:SS[.s]Z (UTC, ending in Z)".to_owned());
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Some("the month is not 01 to 12".to_owned()),
    };
    if day == 0 || day > days {
        return Some(format!("the day is not 01 to {days}"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Some("the time is not 00:00:00 to 23:59:60".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::stix_timestamp_problem;

    #[test]
    fn stix_timestamps() {
        for good in [
            "2026-03-01T00:00:00Z",
            "2026-03-01T00:00:00.000Z",
            "2024-02-29T23:59:60.123456789Z",
            "2000-02-29T12:00:00Z",
        ] {
            assert_eq!(stix_timestamp_problem(good), None, "{good}");
        }
        for (bad, why) in [
            ("", "not YYYY"),
            ("not-a-date", "not YYYY"),
            ("2026-03-01 00:00:00Z", "UTC, ending in Z"),
            ("2026-03-01T00:00:00+01:00", "UTC, ending in Z"),
            ("2026-03-01T00:00:00.Z", "UTC, ending in Z"),
            ("2026-03-01t00:00:00Z", "UTC, ending in Z"),
            ("2026-13-01T00:00:00Z", "the month"),
            ("2023-02-29T00:00:00Z", "the day is not 01 to 28"),
            ("1900-02-29T00:00:00Z", "the day is not 01 to 28"),
            ("2026-04-31T00:00:00Z", "the day is not 01 to 30"),
            ("2026-03-01T24:00:00Z", "the time"),
            ("2026-03-01T23:60:00Z", "the time"),
            ("2026-03-01T23:59:61Z", "the time"),
            ("２０２６-03-01T00:00:00Z", "not YYYY"),
        ] {
            let problem = stix_timestamp_problem(bad).unwrap_or_default();
            assert!(problem.contains(why), "{bad}: {problem}");
        }
    }
}
