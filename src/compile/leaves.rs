//! Leaves: one simple expression lowered to a prebuilt test, by the operand rules of D5-D11.

use std::net::IpAddr;

use super::arena::Arena;
use crate::ast::{DateLit, Operator, Qualifier, Side, Simple, TimeZone, Value};
use crate::ir::matchers::{
    ContainsCi, IpTest, NumTest, TextOp, TextTest, UrlPattern, Window, prefix_mask,
};
use crate::ir::{
    CertText, ClockUnit, ContextInput, HeaderKey, Leaf, NetField, TlsNumber, order_key,
};

impl Arena {
    pub(super) fn leaf(&mut self, s: &Simple, op: Operator) -> Result<Leaf, String> {
        let q = s.qualifier;
        if !q.operators().contains(&op) {
            return Err(format!("{q} does not accept the operator {op}"));
        }
        if let Some(input) = context_input(q) {
            self.inputs.insert(input);
        }
        let net = |response: bool, field| (response, field);
        Ok(match q {
            Qualifier::Header(Side::Req) => {
                let name = s.header.as_deref().ok_or("HEADER needs a header name")?;
                Leaf::Header {
                    slot: self.header_slot(name)?,
                    test: text_test(s, op, false)?,
                }
            }
            Qualifier::Header(Side::Res) => {
                let name = s.header.as_deref().ok_or("HEADER needs a header name")?;
                Leaf::ResponseHeader {
                    key: HeaderKey::new(name),
                    test: text_test(s, op, false)?,
                }
            }
            Qualifier::Method => Leaf::Method(text_test(s, op, true)?),
            Qualifier::Url => match (op, &s.value) {
                (Operator::Eq | Operator::Ne, Some(Value::Text(p))) => Leaf::UrlPattern {
                    pattern: UrlPattern::new(p.as_bytes()),
                    negate: op == Operator::Ne,
                },
                _ => Leaf::UrlPath(text_test(s, op, false)?),
            },
            Qualifier::UrlQuery => Leaf::UrlQuery(text_test(s, op, false)?),
            Qualifier::Version(Side::Req) => Leaf::Version(text_test(s, op, false)?),
            Qualifier::Version(Side::Res) => Leaf::ResponseVersion(text_test(s, op, false)?),
            Qualifier::UrlLen => Leaf::UrlLen(num_test(s, op)?),
            Qualifier::UrlQueryLen => Leaf::UrlQueryLen(num_test(s, op)?),
            Qualifier::StatusCode => Leaf::StatusCode(num_test(s, op)?),
            Qualifier::UrlTokens => {
                let Some(Value::Tokens(tokens)) = &s.value else {
                    return Err("URLTOKENS needs a comma-separated character list".into());
                };
                let tokens = tokens
                    .iter()
                    .map(|c| c.to_string().into_bytes().into_boxed_slice())
                    .collect();
                Leaf::UrlTokens {
                    tokens,
                    negate: op == Operator::Ne,
                }
            }
            Qualifier::SourceIp(side) => {
                ip_leaf(s, op, net(side == Side::Res, NetField::SourceIp))?
            }
            Qualifier::DestIp(side) => ip_leaf(s, op, net(side == Side::Res, NetField::DestIp))?,
            Qualifier::SourcePort(side) => num_leaf(s, op, side, NetField::SourcePort)?,
            Qualifier::DestPort(side) => num_leaf(s, op, side, NetField::DestPort)?,
            Qualifier::Mss(side) => num_leaf(s, op, side, NetField::Mss)?,
            Qualifier::RxThroughput(side) => num_leaf(s, op, side, NetField::RxThroughput)?,
            Qualifier::TxThroughput(side) => num_leaf(s, op, side, NetField::TxThroughput)?,
            Qualifier::RxTxThroughput(side) => num_leaf(s, op, side, NetField::RxTxThroughput)?,
            Qualifier::VlanId(side) => num_leaf(s, op, side, NetField::Vlan)?,
            Qualifier::SourceMac(side) => mac_leaf(s, op, side, NetField::SourceMac)?,
            Qualifier::DestMac(side) => mac_leaf(s, op, side, NetField::DestMac)?,
            Qualifier::InterfaceId(side) => Leaf::InterfaceId {
                response: side == Side::Res,
                test: text_test(s, op, false)?,
            },
            Qualifier::Location => {
                let Some(Value::Text(text)) = &s.value else {
                    return Err("LOCATION needs a location such as Asia.India.*.*.*.*".into());
                };
                let pattern = text.split('.').map(Box::from).collect();
                Leaf::Location {
                    pattern,
                    negate: op == Operator::Ne,
                }
            }
            Qualifier::ClientCert => cert_text(s, op, CertText::Whole)?,
            Qualifier::CertSubject => cert_text(s, op, CertText::Subject)?,
            Qualifier::CertIssuer => cert_text(s, op, CertText::Issuer)?,
            Qualifier::CertSigAlgo => cert_text(s, op, CertText::SigAlgo)?,
            Qualifier::CertSerialNumber => cert_text(s, op, CertText::Serial)?,
            Qualifier::CertVersion => Leaf::TlsNumber {
                field: TlsNumber::CertVersion,
                test: num_test(s, op)?,
            },
            Qualifier::CipherBits => Leaf::TlsNumber {
                field: TlsNumber::CipherBits,
                test: num_test(s, op)?,
            },
            Qualifier::SslVersion => Leaf::TlsNumber {
                field: TlsNumber::SslVersion,
                test: num_test(s, op)?,
            },
            Qualifier::CipherType => match &s.value {
                Some(Value::Text(t)) if t.eq_ignore_ascii_case("export") => Leaf::CipherExport {
                    negate: op == Operator::Ne,
                },
                _ => return Err("CIPHER.TYPE compares only with Export".into()),
            },
            Qualifier::CertValidFrom | Qualifier::CertValidTo => Leaf::CertDate {
                not_after: q == Qualifier::CertValidTo,
                test: date_test(s, op, |d| d.time.to_unix())?,
            },
            Qualifier::Date => self.clock_leaf(s, op, ClockUnit::Day)?,
            Qualifier::Time => self.clock_leaf(s, op, ClockUnit::Second)?,
            Qualifier::DayOfWeek => self.clock_leaf(s, op, ClockUnit::Weekday)?,
        })
    }

    fn clock_leaf(&mut self, s: &Simple, op: Operator, unit: ClockUnit) -> Result<Leaf, String> {
        let local = match &s.value {
            Some(Value::Date(d)) => d.zone != TimeZone::Gmt,
            Some(Value::DateRange(a, b)) => a.zone != TimeZone::Gmt || b.zone != TimeZone::Gmt,
            Some(Value::Weekday(_, zone)) => *zone != TimeZone::Gmt,
            _ => false,
        };
        if local {
            self.inputs.insert(ContextInput::LocalTimeZone);
        }
        let test = match (unit, &s.value) {
            (ClockUnit::Weekday, Some(Value::Weekday(day, _))) => {
                numeric(op, u64::from(day.index()), None)?
            }
            (ClockUnit::Weekday, Some(Value::Number(n))) => numeric(op, *n, None)?,
            (ClockUnit::Day, _) => date_test(s, op, |d| d.time.to_unix().div_euclid(86_400))?,
            (ClockUnit::Second, _) => date_test(s, op, |d| d.time.to_unix())?,
            (ClockUnit::Weekday, _) => return Err("DAYOFWEEK needs a day such as SUNDAYGMT".into()),
        };
        Ok(Leaf::Clock { unit, local, test })
    }

    /// The slot of a request header in the program's header table, added on first use.
    pub(super) fn header_slot(&mut self, name: &str) -> Result<u16, String> {
        let key = HeaderKey::new(name);
        if let Some(&slot) = self.header_slots.get(key.as_str()) {
            return Ok(slot);
        }
        let slot = u16::try_from(self.headers.len())
            .map_err(|_| "a rule may read at most 65,536 distinct headers".to_owned())?;
        self.header_slots.insert(key.as_str().into(), slot);
        self.headers.push(key);
        Ok(slot)
    }
}

/// The context input a qualifier reads, if any (D13).
fn context_input(q: Qualifier) -> Option<ContextInput> {
    use Qualifier as Q;
    Some(match q {
        Q::Method | Q::Url | Q::UrlTokens | Q::UrlLen | Q::UrlQuery | Q::UrlQueryLen => {
            return None;
        }
        Q::Version(Side::Req) | Q::Header(Side::Req) => return None,
        Q::Version(Side::Res) | Q::Header(Side::Res) | Q::StatusCode => ContextInput::Response,
        Q::SourceIp(Side::Res) | Q::DestIp(Side::Res) | Q::SourcePort(Side::Res) => {
            ContextInput::Response
        }
        Q::DestPort(Side::Res) | Q::Mss(Side::Res) | Q::SourceMac(Side::Res) => {
            ContextInput::Response
        }
        Q::DestMac(Side::Res) | Q::InterfaceId(Side::Res) | Q::VlanId(Side::Res) => {
            ContextInput::Response
        }
        Q::RxThroughput(Side::Res) | Q::TxThroughput(Side::Res) => ContextInput::Response,
        Q::RxTxThroughput(Side::Res) => ContextInput::Response,
        Q::SourceIp(_) => ContextInput::ClientIp,
        Q::DestIp(_) => ContextInput::DestIp,
        Q::SourcePort(_) => ContextInput::ClientPort,
        Q::DestPort(_) => ContextInput::DestPort,
        Q::Mss(_) => ContextInput::Mss,
        Q::SourceMac(_) | Q::DestMac(_) => ContextInput::Mac,
        Q::InterfaceId(_) | Q::RxThroughput(_) | Q::TxThroughput(_) | Q::RxTxThroughput(_) => {
            ContextInput::Interface
        }
        Q::VlanId(_) => ContextInput::Vlan,
        Q::Location => ContextInput::Location,
        Q::ClientCert | Q::CertSubject | Q::CertIssuer | Q::CertSigAlgo | Q::CertSerialNumber => {
            ContextInput::ClientCert
        }
        Q::CertVersion | Q::CertValidFrom | Q::CertValidTo => ContextInput::ClientCert,
        Q::CipherType | Q::CipherBits | Q::SslVersion => ContextInput::Tls,
        Q::Date | Q::Time | Q::DayOfWeek => ContextInput::Clock,
    })
}

fn window(s: &Simple) -> Result<Window, String> {
    let to_usize = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    if (s.options.length.is_some() || s.options.offset.is_some()) && !s.qualifier.takes_window() {
        return Err(format!(
            "-length and -offset apply only to text qualifiers, not {}",
            s.qualifier
        ));
    }
    Ok(Window {
        offset: s.options.offset.map_or(0, to_usize),
        length: s.options.length.map(to_usize),
    })
}

fn text_value(s: &Simple) -> Result<&[u8], String> {
    match &s.value {
        Some(Value::Text(t)) => Ok(t.as_bytes()),
        Some(other) => Err(format!("{} compares with text, not {other}", s.qualifier)),
        None => Err(format!("{} needs a value", s.qualifier)),
    }
}

/// A windowed text test; `fold` makes `==`/`!=` case-insensitive (METHOD, D8).
fn text_test(s: &Simple, op: Operator, fold: bool) -> Result<TextTest, String> {
    let boxed = |b: &[u8]| b.to_vec().into_boxed_slice();
    let op = match op {
        Operator::Exists => TextOp::Exists,
        Operator::NotExists => TextOp::NotExists,
        Operator::Contents => TextOp::Contents,
        Operator::Contains => TextOp::Contains(ContainsCi::new(text_value(s)?)),
        Operator::NotContains => TextOp::NotContains(ContainsCi::new(text_value(s)?)),
        Operator::Eq => TextOp::Equals {
            value: boxed(text_value(s)?),
            fold,
        },
        Operator::Ne => TextOp::NotEquals {
            value: boxed(text_value(s)?),
            fold,
        },
        other => {
            return Err(format!(
                "{} does not accept the operator {other}",
                s.qualifier
            ));
        }
    };
    Ok(TextTest {
        window: window(s)?,
        op,
    })
}

/// A numeric test from a number or range operand (D10).
fn num_test(s: &Simple, op: Operator) -> Result<NumTest, String> {
    match &s.value {
        Some(Value::Number(n)) => numeric(op, *n, None),
        Some(Value::Range(a, b)) => numeric(op, *a, Some(*b)),
        Some(other) => Err(format!(
            "{} compares with a number, not {other}",
            s.qualifier
        )),
        None => Err(format!("{} needs a number", s.qualifier)),
    }
}

fn numeric(op: Operator, n: u64, upper: Option<u64>) -> Result<NumTest, String> {
    if let Some(m) = upper {
        let (lo, hi) = (n.min(m), n.max(m));
        return match op {
            Operator::Eq | Operator::Between => Ok(NumTest::In(lo, hi)),
            Operator::Ne => Ok(NumTest::NotIn(lo, hi)),
            other => Err(format!(
                "a range is allowed only with ==, != and BETWEEN, not {other}"
            )),
        };
    }
    Ok(match op {
        Operator::Eq | Operator::Between => NumTest::Eq(n),
        Operator::Ne => NumTest::Ne(n),
        Operator::Gt => NumTest::Gt(n),
        Operator::Lt => NumTest::Lt(n),
        Operator::Ge => NumTest::Ge(n),
        Operator::Le => NumTest::Le(n),
        other => return Err(format!("{other} is not a numeric operator")),
    })
}

/// A date comparison: the literal mapped by `key` (days or seconds), order-mapped onto `u64`.
fn date_test(s: &Simple, op: Operator, key: impl Fn(&DateLit) -> i64) -> Result<NumTest, String> {
    match &s.value {
        Some(Value::Date(d)) => numeric(op, order_key(key(d)), None),
        Some(Value::DateRange(a, b)) => numeric(op, order_key(key(a)), Some(order_key(key(b)))),
        _ => Err(format!("{} needs a date", s.qualifier)),
    }
}

fn num_leaf(s: &Simple, op: Operator, side: Side, field: NetField) -> Result<Leaf, String> {
    Ok(Leaf::NetNumber {
        response: side == Side::Res,
        field,
        test: num_test(s, op)?,
    })
}

fn mac_leaf(s: &Simple, op: Operator, side: Side, field: NetField) -> Result<Leaf, String> {
    let Some(Value::Mac(value)) = &s.value else {
        return Err(format!("{} compares with a MAC address", s.qualifier));
    };
    Ok(Leaf::NetMac {
        response: side == Side::Res,
        field,
        value: *value,
        negate: op == Operator::Ne,
    })
}

fn cert_text(s: &Simple, op: Operator, field: CertText) -> Result<Leaf, String> {
    Ok(Leaf::CertText {
        field,
        test: text_test(s, op, false)?,
    })
}

fn ip_leaf(s: &Simple, op: Operator, (response, field): (bool, NetField)) -> Result<Leaf, String> {
    let Some(Value::Ip(ip)) = &s.value else {
        return Err(format!("{} compares with an IP address", s.qualifier));
    };
    let v6 = ip.addr.is_ipv6();
    let mask = match (s.options.netmask, ip.prefix) {
        (Some(_), Some(_)) => return Err("use either -netmask or /len, not both".into()),
        (Some(IpAddr::V4(m)), None) if !v6 => u128::from(u32::from(m)),
        (Some(IpAddr::V6(m)), None) if v6 => u128::from(m),
        (Some(_), None) => {
            return Err("the netmask and the address are of different families".into());
        }
        (None, Some(len)) => prefix_mask(v6, len),
        (None, None) => prefix_mask(v6, if v6 { 128 } else { 32 }),
    };
    let test = IpTest {
        addr: ip.addr,
        mask,
        negate: op == Operator::Ne,
    };
    Ok(Leaf::NetIp {
        response,
        field,
        test,
    })
}
