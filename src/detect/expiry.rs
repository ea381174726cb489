//! Cookie expiry, for triage: the `Expires` / `Max-Age` attributes of a `Set-Cookie`
//! line and the `expires` member of a HAR cookie object, turned into unix seconds.
//!
//! Dates come from untrusted input and from tools with their own ideas about them:
//! anything that does not parse is ignored (the expiry is then unknown, and the
//! cookie counts as live). The fields are read here, leniently (HAR dates are RFC 3339
//! as browsers write it, cookie dates follow the algorithm of RFC 6265 §5.1.1, which also
//! accepts the Netscape form `Wed, 21-Oct-2026 07:28:00 GMT` that HTTP-date parsers
//! refuse); calendar arithmetic is the `time` crate's.

/// Latest time reported, 9999-12-31T23:59:59Z (huge `Max-Age` values are clamped here).
pub const MAX_TIME: i64 = 253_402_300_799;
/// Earliest time reported, 0001-01-01T00:00:00Z.
pub const MIN_TIME: i64 = -62_135_596_800;

/// When a cookie expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    /// Unix seconds; `None` when only a `Max-Age` is known and not when the response was
    /// received (a raw dump or a log line): the scan time would make reports differ
    /// from run to run.
    pub at: Option<i64>,
    /// The server deleted the cookie (`Max-Age` zero or negative).
    pub deleted: bool,
}

impl Expiry {
    /// Had the cookie expired at `now` (unix seconds)? RFC 6265: a cookie whose
    /// expiry time is at or before the current time is expired. A positive `Max-Age`
    /// without a response time counts from `now`: live.
    pub fn expired(&self, now: i64) -> bool {
        self.deleted || self.at.is_some_and(|at| at <= now)
    }
}

/// Unix seconds of a UTC date and time, if the date exists. A leap second (60) is
/// accepted and counted as the next second.
fn unix(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    let month = time::Month::try_from(u8::try_from(mo).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?)
        .ok()?;
    let leap = s == 60;
    let clock = time::Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(mi).ok()?,
        if leap { 59 } else { u8::try_from(s).ok()? },
    )
    .ok()?;
    Some(date.with_time(clock).assume_utc().unix_timestamp() + i64::from(leap))
}

/// `secs` as `2026-10-21T07:28:00Z` (clamped to years 1–9999).
#[cfg(feature = "cli")]
pub fn format_rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs.clamp(MIN_TIME, MAX_TIME))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Exactly `n` ASCII digits at `s[at..]`.
fn fixed_digits(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let d = s.get(at..at + n)?;
    if !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(d.iter().fold(0, |a, &b| a * 10 + (b - b'0') as u32))
}

/// An RFC 3339 / ISO 8601 timestamp (`2024-03-15T17:02:11.123Z`, `…+01:00`, `…+0100`,
/// any number of fraction digits, a space instead of `T`, no offset meaning UTC, or a
/// date alone) as unix **milliseconds**.
pub fn parse_rfc3339(s: &[u8]) -> Option<i64> {
    let s = s.trim_ascii();
    let y = fixed_digits(s, 0, 4)? as i64;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let mo = fixed_digits(s, 5, 2)?;
    let d = fixed_digits(s, 8, 2)?;
    if s.len() == 10 {
        return unix(y, mo, d, 0, 0, 0).map(|t| t * 1000);
    }
    if !matches!(s.get(10), Some(b'T' | b't' | b' ')) || s.get(13) != Some(&b':') {
        return None;
    }
    let h = fixed_digits(s, 11, 2)?;
    let mi = fixed_digits(s, 14, 2)?;
    let mut i = 16;
    let mut sec = 0;
    let mut ms = 0i64;
    if s.get(i) == Some(&b':') {
        sec = fixed_digits(s, i + 1, 2)?;
        i += 3;
        if matches!(s.get(i), Some(b'.' | b',')) {
            i += 1;
            let start = i;
            while s.get(i).is_some_and(u8::is_ascii_digit) {
                if i - start < 3 {
                    ms = ms * 10 + (s[i] - b'0') as i64;
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            for _ in (i - start)..3 {
                ms *= 10;
            }
        }
    }
    let offset = match s.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == s.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = fixed_digits(s, i + 1, 2)? as i64;
            let rest = &s[i + 3..];
            let om = match rest {
                [] => 0,
                [b':', ..] if rest.len() == 3 => fixed_digits(rest, 1, 2)? as i64,
                _ if rest.len() == 2 => fixed_digits(rest, 0, 2)? as i64,
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some((unix(y, mo, d, h, mi, sec)? - offset) * 1000 + ms)
}

/// RFC 6265 §5.1.1 delimiters between the tokens of a cookie date.
fn is_delimiter(b: u8) -> bool {
    b == 0x09
        || (0x20..=0x2f).contains(&b)
        || (0x3b..=0x40).contains(&b)
        || (0x5b..=0x60).contains(&b)
        || (0x7b..=0x7e).contains(&b)
}

/// `min..=max` leading digits of `t`, not followed by another digit: the value and the rest.
fn leading_digits(t: &[u8], min: usize, max: usize) -> Option<(u32, &[u8])> {
    let n = t.iter().take_while(|b| b.is_ascii_digit()).count();
    if n < min || n > max {
        return None;
    }
    let v = t[..n].iter().fold(0, |a, &b| a * 10 + (b - b'0') as u32);
    Some((v, &t[n..]))
}

fn time_token(t: &[u8]) -> Option<(u32, u32, u32)> {
    let (h, r) = leading_digits(t, 1, 2)?;
    let r = r.strip_prefix(b":")?;
    let (m, r) = leading_digits(r, 1, 2)?;
    let r = r.strip_prefix(b":")?;
    let (s, _) = leading_digits(r, 1, 2)?;
    Some((h, m, s))
}

fn month_token(t: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let p = t.get(..3)?.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| m.as_slice() == p.as_slice())
        .map(|i| i as u32 + 1)
}

/// A cookie date (`Expires=`), parsed as RFC 6265 §5.1.1 says browsers do: IMF-fixdate
/// (`Wed, 21 Oct 2026 07:28:00 GMT`), the Netscape and RFC 850 forms
/// (`Wed, 21-Oct-2026 …`, `Wednesday, 21-Oct-26 …`), asctime, and their sloppy
/// variants. Unix seconds.
pub fn parse_cookie_date(s: &[u8]) -> Option<i64> {
    let mut time = None;
    let mut day = None;
    let mut month = None;
    let mut year = None;
    for tok in s.split(|&b| is_delimiter(b)).filter(|t| !t.is_empty()) {
        if time.is_none() {
            if let Some(t) = time_token(tok) {
                time = Some(t);
                continue;
            }
        }
        if day.is_none() {
            if let Some((d, _)) = leading_digits(tok, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            if let Some(m) = month_token(tok) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some((y, _)) = leading_digits(tok, 2, 4) {
                year = Some(y);
                continue;
            }
        }
    }
    let (h, mi, sec) = time?;
    let mut y = year? as i64;
    if (70..=99).contains(&y) {
        y += 1900;
    } else if (0..=69).contains(&y) {
        y += 2000;
    }
    if y < 1601 || sec > 59 {
        return None;
    }
    unix(y, month?, day?, h, mi, sec)
}

/// A `Max-Age` value: an optional `-` and digits (RFC 6265 §5.2.2); saturates.
fn parse_max_age(v: &[u8]) -> Option<i64> {
    let (neg, digits) = match v.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, v),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().fold(0i64, |a, &b| {
        a.saturating_mul(10).saturating_add((b - b'0') as i64)
    });
    Some(if neg { -n } else { n })
}

/// The expiry set by the attributes of one `Set-Cookie` line (`attrs`: everything after
/// the cookie's value, e.g. `; Path=/; Max-Age=3600`). `Max-Age` is relative to
/// `reference` (when the response was received, if known) and wins over `Expires`; of
/// several valid attributes with one name, the last counts; invalid ones are ignored.
pub fn set_cookie_expiry(attrs: &[u8], reference: Option<i64>) -> Option<Expiry> {
    let mut expires = None;
    let mut max_age = None;
    for av in attrs.split(|&b| b == b';') {
        let (name, value) = match memchr::memchr(b'=', av) {
            Some(eq) => (av[..eq].trim_ascii(), av[eq + 1..].trim_ascii()),
            None => continue,
        };
        if name.eq_ignore_ascii_case(b"max-age") {
            if let Some(n) = parse_max_age(value) {
                max_age = Some(n);
            }
        } else if name.eq_ignore_ascii_case(b"expires") {
            if let Some(t) = parse_cookie_date(value) {
                expires = Some(t);
            }
        }
    }
    if let Some(n) = max_age {
        return Some(Expiry {
            at: reference.map(|r| r.saturating_add(n).clamp(MIN_TIME, MAX_TIME)),
            deleted: n <= 0,
        });
    }
    expires.map(|at| Expiry {
        at: Some(at),
        deleted: false,
    })
}

/// The expiry in a HAR cookie object's `expires` member: the decoded string (RFC 3339
/// as the HAR spec says; a cookie date or a number of seconds are accepted too) or the
/// text of a JSON number (unix seconds, as in browser automation cookie dumps).
///
/// Chrome's exports need two corrections: a session cookie's `expires` is -1 (written
/// as `1969-12-31T23:59:59.000Z` or `….999Z`), which means "no expiry", and request
/// cookies carry their expiry in seconds read as milliseconds (dates in January 1970:
/// `1970-01-20T00:39:26.621Z` is 1,643,966,621 seconds, 2022-02-04). A date before
/// 1970-04-26 (10^10 ms) is read that way; real expiry dates are never that early, and
/// a deletion date such as 1970-01-01 stays in the past either way.
pub fn har_cookie_expiry(v: &[u8]) -> Option<Expiry> {
    let v = v.trim_ascii();
    let ms = if let Some(ms) = parse_rfc3339(v) {
        ms
    } else if let Some(s) = parse_cookie_date(v) {
        s.saturating_mul(1000)
    } else {
        let number = !v.is_empty()
            && v.iter().any(u8::is_ascii_digit)
            && v.iter()
                .enumerate()
                .all(|(i, &b)| b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-'));
        let f: f64 = if number {
            std::str::from_utf8(v).ok()?.parse().ok()?
        } else {
            return None;
        };
        // Seconds, or milliseconds when too large to be seconds before year 5138.
        if f.abs() >= 1e11 {
            f as i64
        } else {
            (f * 1000.0) as i64
        }
    };
    if ms < 0 {
        return None;
    }
    let secs = if ms < 10_000_000_000 {
        ms
    } else {
        ms.div_euclid(1000)
    };
    Some(Expiry {
        at: Some(secs.clamp(MIN_TIME, MAX_TIME)),
        deleted: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_forms() {
        let t = 1_710_522_131_000; // 2024-03-15T17:02:11Z
        assert_eq!(parse_rfc3339(b"2024-03-15T17:02:11Z"), Some(t));
        assert_eq!(parse_rfc3339(b"2024-03-15T17:02:11.123Z"), Some(t + 123));
        assert_eq!(
            parse_rfc3339(b"2024-03-15T17:02:11.1234567+00:00"),
            Some(t + 123)
        );
        assert_eq!(parse_rfc3339(b"2024-03-15T18:02:11.5+01:00"), Some(t + 500));
        assert_eq!(parse_rfc3339(b"2024-03-15T12:02:11-0500"), Some(t));
        assert_eq!(parse_rfc3339(b"2024-03-15 17:02:11"), Some(t));
        assert_eq!(parse_rfc3339(b"2024-03-15T17:02Z"), Some(t - 11_000));
        assert_eq!(parse_rfc3339(b"2024-03-15"), Some(1_710_460_800_000));
        assert_eq!(parse_rfc3339(b"1969-12-31T23:59:59.000Z"), Some(-1000));
        assert_eq!(parse_rfc3339(b"1969-12-31T23:59:59.999Z"), Some(-1));
        for bad in [
            &b""[..],
            b"NaN-NaN-NaNTNaN:NaN:NaN.NaN+NaN:NaN",
            b"2024-02-30T00:00:00Z",
            b"2024-03-15T24:00:00Z",
            b"2024-03-15T17:02:11.Z",
            b"2024-03-15T17:02:11Zjunk",
            b"2024-03-15T17:02:11+1",
            b"Wed, 21 Oct 2026 07:28:00 GMT",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn cookie_dates() {
        let t = Some(1_792_567_680); // 2026-10-21T07:28:00Z
        assert_eq!(parse_cookie_date(b"Wed, 21 Oct 2026 07:28:00 GMT"), t);
        assert_eq!(parse_cookie_date(b"Wed, 21-Oct-2026 07:28:00 GMT"), t);
        assert_eq!(parse_cookie_date(b"Wednesday, 21-Oct-26 07:28:00 GMT"), t);
        assert_eq!(parse_cookie_date(b"Wed Oct 21 07:28:00 2026"), t);
        assert_eq!(parse_cookie_date(b"wed, 21 OCTOBER 2026 7:28:0 gmt"), t);
        assert_eq!(parse_cookie_date(b"Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_cookie_date(b"Sat, 29 Feb 2020 00:00:00 GMT"),
            Some(1_582_934_400)
        );
        for bad in [
            &b""[..],
            b"tomorrow",
            b"Wed, 21 Oct 2026",
            b"Wed, 32 Oct 2026 07:28:00 GMT",
            b"Wed, 30 Feb 2026 07:28:00 GMT",
            b"Wed, 21 Oct 1600 07:28:00 GMT",
            b"Wed, 21 Oct 2026 25:28:00 GMT",
            b"Wed, 21 Foo 2026 07:28:00 GMT",
        ] {
            assert_eq!(
                parse_cookie_date(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn set_cookie_attributes() {
        let r = 1_700_000_000;
        let e = |a: &str| set_cookie_expiry(a.as_bytes(), Some(r));
        let at = |a: &str| e(a).and_then(|x| x.at);
        assert_eq!(e("; Path=/; HttpOnly"), None);
        assert_eq!(
            e("; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure"),
            Some(Expiry {
                at: Some(1_792_567_680),
                deleted: false
            })
        );
        assert_eq!(
            e("; max-age=3600"),
            Some(Expiry {
                at: Some(r + 3600),
                deleted: false
            })
        );
        // Max-Age wins over Expires, whatever the order.
        assert_eq!(
            at("; Max-Age=60; expires=Wed, 21 Oct 2026 07:28:00 GMT"),
            Some(r + 60)
        );
        assert_eq!(
            e("; Max-Age=0"),
            Some(Expiry {
                at: Some(r),
                deleted: true
            })
        );
        assert!(e("; Max-Age=-1").unwrap().expired(0));
        // Invalid attributes are ignored; the last valid one counts.
        assert_eq!(e("; Max-Age=soon"), None);
        assert_eq!(at("; Max-Age=1e3; Max-Age=10; Max-Age=x"), Some(r + 10));
        assert_eq!(e("; Expires=garbage"), None);
        assert_eq!(at("; Max-Age=99999999999999999999999"), Some(MAX_TIME));
        let exp = e("; Max-Age=3600").unwrap();
        assert!(!exp.expired(r + 3599) && exp.expired(r + 3600));
        // Without the response's time: no absolute expiry, but deleted is still known.
        let no_ref = |a: &str| set_cookie_expiry(a.as_bytes(), None);
        let live = no_ref("; Max-Age=3600").unwrap();
        assert_eq!((live.at, live.expired(r)), (None, false));
        let gone = no_ref("; Max-Age=0; Expires=Wed, 21 Oct 2026 07:28:00 GMT").unwrap();
        assert_eq!((gone.at, gone.expired(r)), (None, true));
        assert_eq!(
            no_ref("; Expires=Wed, 21 Oct 2026 07:28:00 GMT").and_then(|x| x.at),
            Some(1_792_567_680)
        );
    }

    #[test]
    fn har_cookie_expires() {
        let at = |v: &str| har_cookie_expiry(v.as_bytes()).and_then(|e| e.at);
        assert_eq!(at("2026-10-21T07:28:00.000Z"), Some(1_792_567_680));
        assert_eq!(at("2026-10-21T09:28:00.0000000+02:00"), Some(1_792_567_680));
        assert_eq!(at("Wed, 21 Oct 2026 07:28:00 GMT"), Some(1_792_567_680));
        assert_eq!(at("1792567680"), Some(1_792_567_680));
        assert_eq!(at("1792567680.5"), Some(1_792_567_680));
        assert_eq!(at("1792567680000"), Some(1_792_567_680));
        // Chrome: -1 is a session cookie; seconds read as milliseconds.
        assert_eq!(at("1969-12-31T23:59:59.000Z"), None);
        assert_eq!(at("1969-12-31T23:59:59.999Z"), None);
        assert_eq!(at("-1"), None);
        assert_eq!(at("1970-01-20T00:39:26.621Z"), Some(1_643_966_621));
        assert_eq!(at("1970-01-01T00:00:00.000Z"), Some(0));
        for bad in [
            "",
            "null",
            "NaN-NaN-NaNTNaN:NaN:NaN.NaN+NaN:NaN",
            "soon",
            "-",
            ".",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[cfg(feature = "cli")]
    #[test]
    fn formats_and_round_trips() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_792_567_680), "2026-10-21T07:28:00Z");
        assert_eq!(format_rfc3339(MAX_TIME), "9999-12-31T23:59:59Z");
        assert_eq!(format_rfc3339(MIN_TIME), "0001-01-01T00:00:00Z");
        for t in [-86_401, -1, 0, 951_782_400, 1_709_164_800, 4_102_444_800] {
            let s = format_rfc3339(t);
            assert_eq!(parse_rfc3339(s.as_bytes()), Some(t * 1000), "{s}");
        }
    }
}
