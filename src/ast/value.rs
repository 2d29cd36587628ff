//! Typed operands. The parser reads an operand by its qualifier's [`ValueType`](super::ValueType),
//! so a wrong literal (`SOURCEIP == abc`) is a parse error with a span, and the evaluator never
//! re-parses text.

use std::fmt;
use std::net::IpAddr;

/// An operand.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Value {
    /// Text (header values, URL patterns, methods, versions, `LOCATION`, `Export`), unquoted (D4).
    Text(String),
    /// An unsigned integer (D10).
    Number(u64),
    /// An inclusive range `N-M` as written (bounds are ordered at compile time, D10).
    Range(u64, u64),
    /// An IP address with an optional inline prefix (D11).
    Ip(IpValue),
    /// A MAC address.
    Mac([u8; 6]),
    /// URLTOKENS characters (docs/semantics.md#urltokens).
    Tokens(Vec<char>),
    /// A `DATE`, `TIME` or certificate date.
    Date(DateLit),
    /// A `BETWEEN` pair of dates or times.
    DateRange(DateLit, DateLit),
    /// A `DAYOFWEEK` literal such as `SUNDAYGMT`.
    Weekday(Weekday, TimeZone),
}

/// An IP address as written: `10.0.0.0`, `2001::23/120`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IpValue {
    /// The address.
    pub addr: IpAddr,
    /// The inline prefix length, if any.
    pub prefix: Option<u8>,
}

/// A calendar date and time of day (seconds resolution, no leap seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CivilTime {
    /// Year, e.g. 2010.
    pub year: i32,
    /// 1-12.
    pub month: u8,
    /// 1-31.
    pub day: u8,
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
    /// 0-59.
    pub second: u8,
}

impl CivilTime {
    /// Seconds since 1970-01-01T00:00:00 in the same zone (proleptic Gregorian).
    pub fn to_unix(self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// The civil time of a Unix timestamp; `None` when its year does not fit an `i32`.
    pub fn from_unix(secs: i64) -> Option<CivilTime> {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let first = days_from_civil(i32::MIN, 1, 1);
        let last = days_from_civil(i32::MAX, 12, 31);
        if !(first..=last).contains(&days) {
            return None;
        }
        let (year, month, day) = civil_fields(days);
        Some(CivilTime {
            year: i32::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
            hour: u8::try_from(rem / 3600).ok()?,
            minute: u8::try_from(rem % 3600 / 60).ok()?,
            second: u8::try_from(rem % 60).ok()?,
        })
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        let days = days_from_civil(self.year, self.month, self.day);
        // 1970-01-01 was a Thursday (4).
        Weekday::from_index(((days + 4).rem_euclid(7)) as u8).unwrap_or(Weekday::Sunday)
    }

    /// Whether the date exists (month 1-12, day within the month, time fields in range).
    pub fn is_valid(self) -> bool {
        (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic Gregorian; the one calendar
/// routine of the core (classic date literals and advanced time fields).
pub(crate) fn civil_fields(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The zone suffix of a classic date (docs/semantics.md#dates): `GMT` is UTC; any other suffix means the
/// context's local offset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TimeZone {
    /// `GMT`
    Gmt,
    /// Any other three-letter suffix, upper-cased (`LCL`, `LOC`...).
    Local(String),
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeZone::Gmt => f.write_str("GMT"),
            TimeZone::Local(s) => f.write_str(s),
        }
    }
}

/// A date literal with the form it was written in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DateLit {
    /// `DATE` day, `TIME` instant or certificate date.
    pub kind: DateKind,
    /// The fields (for `Day`, the time fields are zero).
    pub time: CivilTime,
    /// The zone.
    pub zone: TimeZone,
}

/// Which literal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DateKind {
    /// `YYYY-MM-DDZZZ`: compares the calendar day.
    Day,
    /// `YYYY-MM-DD-HH:MM:SSZZZ`.
    Instant,
    /// A certificate date; printed in RFC 822 form `Thu, 27 May 2010 16:10:15 GMT`.
    Cert,
}

/// Days of the week, Sunday = 0 as in `SYS.TIME.WEEKDAY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Weekday {
    /// 0
    Sunday,
    /// 1
    Monday,
    /// 2
    Tuesday,
    /// 3
    Wednesday,
    /// 4
    Thursday,
    /// 5
    Friday,
    /// 6
    Saturday,
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Sunday,
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
];

impl Weekday {
    /// From 0 (Sunday) to 6 (Saturday).
    pub fn from_index(i: u8) -> Option<Weekday> {
        WEEKDAYS.get(usize::from(i)).copied()
    }

    /// 0 (Sunday) to 6 (Saturday).
    pub fn index(self) -> u8 {
        self as u8
    }

    /// The upper-case English name, as classic rules write it.
    pub fn name(self) -> &'static str {
        match self {
            Weekday::Sunday => "SUNDAY",
            Weekday::Monday => "MONDAY",
            Weekday::Tuesday => "TUESDAY",
            Weekday::Wednesday => "WEDNESDAY",
            Weekday::Thursday => "THURSDAY",
            Weekday::Friday => "FRIDAY",
            Weekday::Saturday => "SATURDAY",
        }
    }

    /// Looks up a full English day name, case-insensitively.
    pub fn from_name(name: &str) -> Option<Weekday> {
        WEEKDAYS
            .iter()
            .copied()
            .find(|d| d.name().eq_ignore_ascii_case(name))
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Month number (1-12) from a three-letter English abbreviation, case-insensitively.
pub(crate) fn month_from_abbrev(s: &str) -> Option<u8> {
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(s))
        .and_then(|i| u8::try_from(i + 1).ok())
}

impl fmt::Display for DateLit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.time;
        match self.kind {
            DateKind::Day => write!(f, "{:04}-{:02}-{:02}{}", t.year, t.month, t.day, self.zone),
            DateKind::Instant => write!(
                f,
                "{:04}-{:02}-{:02}-{:02}:{:02}:{:02}{}",
                t.year, t.month, t.day, t.hour, t.minute, t.second, self.zone
            ),
            DateKind::Cert => {
                let day = t.weekday().name();
                let month = MONTHS
                    .get(usize::from(t.month.saturating_sub(1)))
                    .unwrap_or(&"Jan");
                write!(
                    f,
                    "{}{}, {:02} {} {:04} {:02}:{:02}:{:02} {}",
                    &day[..1],
                    day[1..3].to_ascii_lowercase(),
                    t.day,
                    month,
                    t.year,
                    t.hour,
                    t.minute,
                    t.second,
                    self.zone
                )
            }
        }
    }
}

impl fmt::Display for IpValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix {
            Some(p) => write!(f, "{}/{}", self.addr, p),
            None => write!(f, "{}", self.addr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_weekday() {
        let t = CivilTime {
            year: 2010,
            month: 5,
            day: 24,
            hour: 13,
            minute: 31,
            second: 37,
        };
        assert_eq!(CivilTime::from_unix(t.to_unix()), Some(t));
        assert_eq!(CivilTime::from_unix(i64::MAX), None);
        assert_eq!(CivilTime::from_unix(i64::MIN), None);
        assert_eq!(t.weekday(), Weekday::Monday);
        let epoch = CivilTime {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
        };
        assert_eq!(epoch.to_unix(), 0);
        assert!(
            !CivilTime {
                month: 2,
                day: 30,
                ..t
            }
            .is_valid()
        );
        assert!(
            CivilTime {
                year: 2000,
                month: 2,
                day: 29,
                ..t
            }
            .is_valid()
        );
    }

    #[test]
    fn cert_date_prints_rfc822() {
        let d = DateLit {
            kind: DateKind::Cert,
            time: CivilTime {
                year: 2010,
                month: 5,
                day: 27,
                hour: 16,
                minute: 10,
                second: 15,
            },
            zone: TimeZone::Gmt,
        };
        assert_eq!(d.to_string(), "Thu, 27 May 2010 16:10:15 GMT");
    }
}
