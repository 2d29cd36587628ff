//! The canonical printer (D35): upper-case words, no blanks in a chain, one blank around binary
//! operators, parentheses only where the precedence needs them plus around `&&` inside `||`.

use std::fmt::{self, Write};

use super::{AdvExpr, AdvKind, BinOp, Call, ChainHead, MONTHS, PatternKind, TimeLit, WEEKDAYS};

/// The longest literal piece the appliance accepts; longer constants print as `"..." + "..."`.
pub const MAX_LITERAL_BYTES: usize = 255;

impl fmt::Display for AdvExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            AdvKind::Bool(true) => f.write_str("TRUE"),
            AdvKind::Bool(false) => f.write_str("FALSE"),
            AdvKind::Number { value, hex: true } => write!(f, "0x{value:X}"),
            AdvKind::Number { value, hex: false } => write!(f, "{value}"),
            AdvKind::Text(bytes) => write_text(f, bytes),
            AdvKind::Char(byte) => {
                f.write_char('\'')?;
                write_byte(f, *byte, b'\'')?;
                f.write_char('\'')
            }
            AdvKind::Regex(re) => {
                let prefix = match re.kind {
                    PatternKind::Regex => "re",
                    PatternKind::XPath => "xp",
                };
                write!(f, "{prefix}{0}{1}{0}", re.delimiter, re.pattern)
            }
            AdvKind::Ip(ip) => {
                write!(f, "{}", ip.addr)?;
                match ip.prefix {
                    Some(len) => write!(f, "/{len}"),
                    None => Ok(()),
                }
            }
            AdvKind::Time(time) => write_time(f, time),
            AdvKind::Enum(word) => f.write_str(word),
            AdvKind::Chain(chain) => {
                match &chain.head {
                    // A head named `re` or `xp` directly followed by `.` or `(` would read back as
                    // a pattern literal (`re.x.`): a blank keeps it a name.
                    ChainHead::Word(call) if reads_as_pattern_prefix(&call.name) => {
                        f.write_str(&call.name)?;
                        if call.args.is_some() || !chain.calls.is_empty() {
                            f.write_char(' ')?;
                        }
                        write_args(f, call)?;
                    }
                    ChainHead::Word(call) => write_call(f, call)?,
                    ChainHead::Expr(head) => write_operand(f, head, needs_parens_as_head(head))?,
                }
                for call in &chain.calls {
                    f.write_char('.')?;
                    write_call(f, call)?;
                }
                Ok(())
            }
            AdvKind::Not(inner) => {
                f.write_char('!')?;
                write_operand(f, inner, matches!(inner.kind, AdvKind::Infix(_)))
            }
            AdvKind::Neg(inner) => {
                f.write_char('-')?;
                write_operand(f, inner, matches!(inner.kind, AdvKind::Infix(_)))
            }
            AdvKind::Infix(infix) => {
                let level = infix.rest.first().map_or(0, |(op, _)| op.level());
                let is_or = level == BinOp::Or.level();
                let first_parens = match &infix.first.kind {
                    AdvKind::Infix(inner) => {
                        let inner_level = inner_level(inner);
                        inner_level < level || (is_or && inner_level == BinOp::And.level())
                    }
                    _ => false,
                };
                write_operand(f, &infix.first, first_parens)?;
                for (op, operand) in &infix.rest {
                    write!(f, " {} ", op.symbol())?;
                    let parens = match &operand.kind {
                        AdvKind::Infix(inner) => {
                            let inner_level = inner_level(inner);
                            inner_level <= level || (is_or && inner_level == BinOp::And.level())
                        }
                        _ => false,
                    };
                    write_operand(f, operand, parens)?;
                }
                Ok(())
            }
        }
    }
}

fn inner_level(infix: &super::Infix) -> u8 {
    infix.rest.first().map_or(0, |(op, _)| op.level())
}

fn needs_parens_as_head(head: &AdvExpr) -> bool {
    matches!(
        head.kind,
        AdvKind::Infix(_) | AdvKind::Not(_) | AdvKind::Neg(_) | AdvKind::Chain(_)
    )
}

fn write_operand(f: &mut fmt::Formatter<'_>, expr: &AdvExpr, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({expr})")
    } else {
        write!(f, "{expr}")
    }
}

/// Whether a word is the prefix of a pattern literal (`re/.../`, `xp/.../`).
fn reads_as_pattern_prefix(word: &str) -> bool {
    word.eq_ignore_ascii_case("re") || word.eq_ignore_ascii_case("xp")
}

fn write_call(f: &mut fmt::Formatter<'_>, call: &Call) -> fmt::Result {
    f.write_str(&call.name)?;
    write_args(f, call)
}

fn write_args(f: &mut fmt::Formatter<'_>, call: &Call) -> fmt::Result {
    if let Some(args) = &call.args {
        f.write_char('(')?;
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            write!(f, "{arg}")?;
        }
        f.write_char(')')?;
    }
    Ok(())
}

/// `"..."` pieces of at most 255 bytes joined with ` + `.
fn write_text(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    if bytes.is_empty() {
        return f.write_str("\"\"");
    }
    for (i, piece) in bytes.chunks(MAX_LITERAL_BYTES).enumerate() {
        if i > 0 {
            f.write_str(" + ")?;
        }
        f.write_char('"')?;
        for &b in piece {
            write_byte(f, b, b'"')?;
        }
        f.write_char('"')?;
    }
    Ok(())
}

/// One byte inside a literal quoted by `quote`.
fn write_byte(f: &mut fmt::Formatter<'_>, b: u8, quote: u8) -> fmt::Result {
    match b {
        b'\\' => f.write_str("\\\\"),
        _ if b == quote => write!(f, "\\{}", char::from(b)),
        0x20..=0x7E => f.write_char(char::from(b)),
        _ => write!(f, "\\x{b:02X}"),
    }
}

fn write_time(f: &mut fmt::Formatter<'_>, time: &TimeLit) -> fmt::Result {
    f.write_str(if time.local { "LOCAL" } else { "GMT" })?;
    if let Some(year) = time.year {
        write!(f, " {year:04}")?;
    }
    if let Some(name) = time
        .month
        .and_then(|m| MONTHS.get(usize::from(m).wrapping_sub(1)))
    {
        write!(f, " {name}")?;
    }
    if let Some(day) = time.day {
        write!(f, " {day}")?;
    }
    if let Some(name) = time.weekday.and_then(|d| WEEKDAYS.get(usize::from(d))) {
        write!(f, " {name}")?;
        if let Some(week) = time.week {
            write!(f, "_{week}")?;
        }
    }
    for (value, unit) in [(time.hours, 'h'), (time.minutes, 'm'), (time.seconds, 's')] {
        if let Some(v) = value {
            write!(f, " {v}{unit}")?;
        }
    }
    Ok(())
}
