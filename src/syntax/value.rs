//! Typed operand parsers (nom 8): numbers and ranges (D10), IP addresses (D11), MAC addresses,
//! URLTOKENS lists (docs/semantics.md#urltokens), dates and times (docs/semantics.md#dates). Each works on the operand text after
//! D4 unquoting and reports a [`ParseErrorKind`]; the caller attaches the operand's span.

use std::net::IpAddr;

use nom::branch::alt;
use nom::bytes::complete::{tag_no_case, take_while_m_n, take_while1};
use nom::character::complete::{char, space1};
use nom::combinator::{all_consuming, opt};
use nom::{IResult, Parser};

use super::error::ParseErrorKind as K;
use crate::ast::value::month_from_abbrev;
use crate::ast::{CivilTime, DateKind, DateLit, IpValue, TimeZone, Weekday};

type Res<'a, T> = IResult<&'a str, T>;

/// An unsigned decimal `u64` (D10).
pub(crate) fn number(s: &str) -> Result<u64, K> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(K::InvalidNumber);
    }
    s.parse::<u64>().map_err(|_| K::NumberOverflow)
}

/// A number or an `N-M` range (D10). Returns the bounds as written.
pub(crate) fn number_or_range(s: &str) -> Result<(u64, Option<u64>), K> {
    match s.split_once('-') {
        Some((a, b)) => Ok((number(a)?, Some(number(b)?))),
        None => Ok((number(s)?, None)),
    }
}

/// An IPv4 or IPv6 address with an optional `/len` (D11).
pub(crate) fn ip(s: &str) -> Result<IpValue, K> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: IpAddr = addr.parse().map_err(|_| K::InvalidIp)?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => {
            let n = number(p).map_err(|_| K::InvalidIp)?;
            if n > max {
                return Err(K::InvalidIp);
            }
            Some(u8::try_from(n).map_err(|_| K::InvalidIp)?)
        }
        None => None,
    };
    Ok(IpValue { addr, prefix })
}

fn hex_pair(i: &str) -> Res<'_, u8> {
    let (i, h) = take_while_m_n(2, 2, |c: char| c.is_ascii_hexdigit()).parse_complete(i)?;
    let v = u8::from_str_radix(h, 16).unwrap_or_default();
    Ok((i, v))
}

/// A MAC address `xx:xx:xx:xx:xx:xx`, hex digits in either case.
pub(crate) fn mac(s: &str) -> Result<[u8; 6], K> {
    let colon = || char(':');
    let mut p = all_consuming((
        hex_pair,
        colon(),
        hex_pair,
        colon(),
        hex_pair,
        colon(),
        hex_pair,
        colon(),
        hex_pair,
        colon(),
        hex_pair,
    ));
    let (_, (a, _, b, _, c, _, d, _, e, _, f)) = p.parse_complete(s).map_err(|_| K::InvalidMac)?;
    Ok([a, b, c, d, e, f])
}

/// A URLTOKENS list: comma-separated single characters; empty items are ignored (docs/semantics.md#urltokens).
pub(crate) fn tokens(s: &str) -> Result<Vec<char>, K> {
    let mut out = Vec::new();
    for item in s.split(',') {
        let mut chars = item.chars();
        match (chars.next(), chars.next()) {
            (None, _) => {}
            (Some(c), None) => out.push(c),
            (Some(_), Some(_)) => return Err(K::InvalidTokens),
        }
    }
    if out.is_empty() {
        return Err(K::InvalidTokens);
    }
    Ok(out)
}

fn digits(n: usize) -> impl Fn(&str) -> Res<'_, u32> {
    move |i| {
        let (i, d) = take_while_m_n(n, n, |c: char| c.is_ascii_digit()).parse_complete(i)?;
        Ok((i, d.parse().unwrap_or_default()))
    }
}

fn digits_1_2(i: &str) -> Res<'_, u32> {
    let (i, d) = take_while_m_n(1, 2, |c: char| c.is_ascii_digit()).parse_complete(i)?;
    Ok((i, d.parse().unwrap_or_default()))
}

fn zone(i: &str) -> Res<'_, TimeZone> {
    let (i, z) = take_while_m_n(3, 3, |c: char| c.is_ascii_alphabetic()).parse_complete(i)?;
    let z = z.to_ascii_uppercase();
    Ok((
        i,
        if z == "GMT" {
            TimeZone::Gmt
        } else {
            TimeZone::Local(z)
        },
    ))
}

fn hms(i: &str) -> Res<'_, (u32, u32, u32)> {
    let (i, (h, _, m, _, s)) =
        (digits(2), char(':'), digits(2), char(':'), digits(2)).parse_complete(i)?;
    Ok((i, (h, m, s)))
}

fn civil(y: u32, mo: u32, d: u32, (h, mi, s): (u32, u32, u32)) -> Option<CivilTime> {
    let t = CivilTime {
        year: i32::try_from(y).ok()?,
        month: u8::try_from(mo).ok()?,
        day: u8::try_from(d).ok()?,
        hour: u8::try_from(h).ok()?,
        minute: u8::try_from(mi).ok()?,
        second: u8::try_from(s).ok()?,
    };
    t.is_valid().then_some(t)
}

/// `YYYY-MM-DD<ZZZ>` (DATE) or `YYYY-MM-DD-HH:MM:SS<ZZZ>` (TIME), docs/semantics.md#dates.
fn day_or_instant(kind: DateKind) -> impl Fn(&str) -> Res<'_, Option<DateLit>> {
    move |i| {
        let (i, (y, _, mo, _, d)) =
            (digits(4), char('-'), digits(2), char('-'), digits(2)).parse_complete(i)?;
        let (i, time) = match kind {
            DateKind::Instant => {
                let (i, (_, t)) = (char('-'), hms).parse_complete(i)?;
                (i, t)
            }
            DateKind::Day | DateKind::Cert => (i, (0, 0, 0)),
        };
        let (i, zone) = zone(i)?;
        Ok((
            i,
            civil(y, mo, d, time).map(|time| DateLit { kind, time, zone }),
        ))
    }
}

fn month(i: &str) -> Res<'_, u32> {
    let (rest, m) = take_while_m_n(3, 3, |c: char| c.is_ascii_alphabetic()).parse_complete(i)?;
    match month_from_abbrev(m) {
        Some(n) => Ok((rest, u32::from(n))),
        None => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Tag,
        ))),
    }
}

fn weekday_name(i: &str) -> Res<'_, &str> {
    take_while1(|c: char| c.is_ascii_alphabetic()).parse_complete(i)
}

/// Two-digit years of RFC 850 dates: 70-99 are 19xx, 00-69 are 20xx.
fn year(i: &str) -> Res<'_, u32> {
    alt((digits(4), |i| {
        digits(2)(i).map(|(r, y)| (r, if y >= 70 { 1900 + y } else { 2000 + y }))
    }))
    .parse_complete(i)
}

/// `Thu, 27 May 2010 16:10:15 GMT` (RFC 822) or `Thursday, 27-May-10 16:10:15 GMT` (RFC 850,
/// hours read as hours, F23) or `Thu, 27-May-2010 16:10:15 GMT` (cookie).
fn rfc822_850(i: &str) -> Res<'_, Option<CivilTime>> {
    let (i, _) = opt((weekday_name, char(','), space1)).parse_complete(i)?;
    let (i, (d, mo, y)) = alt((
        |i| {
            let (i, (d, _, mo, _, y)) =
                (digits_1_2, space1, month, space1, year).parse_complete(i)?;
            Ok((i, (d, mo, y)))
        },
        |i| {
            let (i, (d, _, mo, _, y)) =
                (digits_1_2, char('-'), month, char('-'), year).parse_complete(i)?;
            Ok((i, (d, mo, y)))
        },
    ))
    .parse_complete(i)?;
    let (i, (_, t)) = (space1, hms).parse_complete(i)?;
    Ok((i, civil(y, mo, d, t)))
}

/// `Thu May 27 16:10:15 2010` (asctime; no zone, read as GMT).
fn asctime(i: &str) -> Res<'_, Option<CivilTime>> {
    let (i, (_, _, mo, _, d, _, t, _, y)) = (
        weekday_name,
        space1,
        month,
        space1,
        digits_1_2,
        space1,
        hms,
        space1,
        digits(4),
    )
        .parse_complete(i)?;
    Ok((i, civil(y, mo, d, t)))
}

fn cert_date_nom(i: &str) -> Res<'_, Option<DateLit>> {
    alt((
        |i| {
            let (i, (t, _, z)) = (rfc822_850, space1, zone).parse_complete(i)?;
            Ok((
                i,
                t.map(|time| DateLit {
                    kind: DateKind::Cert,
                    time,
                    zone: z,
                }),
            ))
        },
        |i| {
            let (i, t) = asctime(i)?;
            Ok((
                i,
                t.map(|time| DateLit {
                    kind: DateKind::Cert,
                    time,
                    zone: TimeZone::Gmt,
                }),
            ))
        },
    ))
    .parse_complete(i)
}

fn whole<'a>(
    mut p: impl Parser<&'a str, Output = Option<DateLit>, Error = nom::error::Error<&'a str>>,
    s: &'a str,
) -> Result<DateLit, K> {
    match p.parse_complete(s) {
        Ok(("", Some(d))) => Ok(d),
        _ => Err(K::InvalidDate),
    }
}

/// A date of the given kind (docs/semantics.md#dates).
pub(crate) fn date(kind: DateKind, s: &str) -> Result<DateLit, K> {
    match kind {
        DateKind::Cert => whole(cert_date_nom, s),
        DateKind::Day | DateKind::Instant => whole(day_or_instant(kind), s),
    }
}

/// A `BETWEEN` pair `A-B` of dates of one kind (docs/semantics.md#dates).
pub(crate) fn date_pair(kind: DateKind, s: &str) -> Result<(DateLit, DateLit), K> {
    for (i, _) in s.match_indices('-') {
        let (Some(a), Some(b)) = (s.get(..i), s.get(i + 1..)) else {
            continue;
        };
        // The left date ends with its zone letters; skip the `-` inside a date.
        if !a.ends_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        if let (Ok(a), Ok(b)) = (date(kind, a), date(kind, b)) {
            return Ok((a, b));
        }
    }
    Err(K::InvalidDate)
}

/// A `DAYOFWEEK` literal: an English day name and a three-letter zone, `SUNDAYGMT`.
pub(crate) fn weekday(s: &str) -> Result<(Weekday, TimeZone), K> {
    let split = s.len().checked_sub(3).ok_or(K::InvalidDate)?;
    let (name, z) = (s.get(..split), s.get(split..));
    let (Some(name), Some(z)) = (name, z) else {
        return Err(K::InvalidDate);
    };
    let day = Weekday::from_name(name).ok_or(K::InvalidDate)?;
    let (_, zone) = all_consuming(zone)
        .parse_complete(z)
        .map_err(|_| K::InvalidDate)?;
    Ok((day, zone))
}

/// Whether `s` is `Export` (any case), the only `CIPHER.TYPE` operand.
pub(crate) fn is_export(s: &str) -> bool {
    all_consuming(tag_no_case::<_, _, nom::error::Error<&str>>("export"))
        .parse_complete(s)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_dates_in_all_forms() {
        let rfc822 = date(DateKind::Cert, "Thu, 27 May 2010 16:10:15 GMT").map(|d| d.time);
        let t = CivilTime {
            year: 2010,
            month: 5,
            day: 27,
            hour: 16,
            minute: 10,
            second: 15,
        };
        assert_eq!(rfc822, Ok(t));
        assert_eq!(
            date(DateKind::Cert, "Thursday, 27-May-10 16:10:15 GMT").map(|d| d.time),
            Ok(t)
        );
        assert_eq!(
            date(DateKind::Cert, "Thu, 27-May-2010 16:10:15 GMT").map(|d| d.time),
            Ok(t)
        );
        assert_eq!(
            date(DateKind::Cert, "Thu May 27 16:10:15 2010").map(|d| d.time),
            Ok(t)
        );
        // F23: RFC 850 hours are hours.
        let d = date(DateKind::Cert, "Tuesday, 05-Nov-94 08:12:31 GMT").map(|d| d.time);
        let want = CivilTime {
            year: 1994,
            month: 11,
            day: 5,
            hour: 8,
            minute: 12,
            second: 31,
        };
        assert_eq!(d, Ok(want));
        assert!(date(DateKind::Cert, "Thu, 32 May 2010 16:10:15 GMT").is_err());
    }

    #[test]
    fn dates_and_pairs() {
        assert!(date(DateKind::Day, "2010-05-24GMT").is_ok());
        assert!(date(DateKind::Day, "2010-13-24GMT").is_err());
        assert!(date(DateKind::Instant, "2010-05-26-13:31:37GMT").is_ok());
        assert!(date_pair(DateKind::Day, "2010-05-24GMT-2010-05-25GMT").is_ok());
        assert!(
            date_pair(
                DateKind::Instant,
                "2010-05-24-01:02:03GMT-2010-05-25-01:02:03LCL"
            )
            .is_ok()
        );
        assert!(
            date_pair(
                DateKind::Cert,
                "Thu, 27 May 2010 16:10:15 GMT-Thursday, 27-May-10 16:10:15 GMT"
            )
            .is_ok()
        );
        assert_eq!(weekday("sundaygmt"), Ok((Weekday::Sunday, TimeZone::Gmt)));
        assert!(weekday("FUNDAYGMT").is_err());
    }

    #[test]
    fn numbers_ips_macs_tokens() {
        assert_eq!(number("18446744073709551616"), Err(K::NumberOverflow));
        assert_eq!(number("12a"), Err(K::InvalidNumber));
        assert_eq!(number_or_range("80-90"), Ok((80, Some(90))));
        assert!(ip("2001::23/120").is_ok());
        assert!(ip("10.0.0.0/33").is_err());
        assert_eq!(
            mac("00:1A:22:33:44:ff"),
            Ok([0, 0x1a, 0x22, 0x33, 0x44, 0xff])
        );
        assert!(mac("00:1A:22:33:44").is_err());
        assert_eq!(tokens("+,?,,%"), Ok(vec!['+', '?', '%']));
        assert!(tokens("ab").is_err());
        assert!(is_export("EXPORT"));
    }
}
