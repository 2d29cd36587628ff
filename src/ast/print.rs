//! The canonical printer (D15).

use std::fmt::{self, Write};

use super::{Expr, ExprKind, Simple, Value};

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Or(items) => write_chain(f, items, " || ", |k| matches!(k, ExprKind::Or(_))),
            ExprKind::And(items) => write_chain(f, items, " && ", |k| {
                matches!(k, ExprKind::And(_) | ExprKind::Or(_))
            }),
            ExprKind::Not(inner) => {
                f.write_char('!')?;
                if matches!(inner.kind, ExprKind::And(_) | ExprKind::Or(_)) {
                    write!(f, "({inner})")
                } else {
                    write!(f, "{inner}")
                }
            }
            ExprKind::Simple(simple) => simple.fmt(f),
            ExprKind::Name(name) => f.write_str(name),
            ExprKind::Opaque(opaque) => f.write_str(&opaque.text),
        }
    }
}

/// Prints a rule like `Display`, but with parentheses around every `&&` group inside `||` and
/// around every negated compound, so the grouping is visible without knowing the precedence
/// (D1). Used when warning about rules that mix `&&` and `||`.
pub struct Grouped<'a>(pub &'a Expr);

impl fmt::Display for Grouped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ExprKind::Or(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" || ")?;
                    }
                    match item.kind {
                        ExprKind::And(_) | ExprKind::Or(_) => write!(f, "({})", Grouped(item))?,
                        _ => write!(f, "{}", Grouped(item))?,
                    }
                }
                Ok(())
            }
            ExprKind::And(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" && ")?;
                    }
                    match item.kind {
                        ExprKind::And(_) | ExprKind::Or(_) => write!(f, "({})", Grouped(item))?,
                        _ => write!(f, "{}", Grouped(item))?,
                    }
                }
                Ok(())
            }
            ExprKind::Not(inner) => match inner.kind {
                ExprKind::And(_) | ExprKind::Or(_) => write!(f, "!({})", Grouped(inner)),
                _ => write!(f, "!{}", Grouped(inner)),
            },
            _ => write!(f, "{}", self.0),
        }
    }
}

fn write_chain(
    f: &mut fmt::Formatter<'_>,
    items: &[Expr],
    sep: &str,
    needs_parens: impl Fn(&ExprKind) -> bool,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        if needs_parens(&item.kind) {
            write!(f, "({item})")?;
        } else {
            write!(f, "{item}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Simple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.qualifier.canonical_name())?;
        if let Some(header) = &self.header {
            f.write_char(' ')?;
            write_quoted(f, header, true)?;
        }
        if let Some(op) = self.op {
            write!(f, " {op}")?;
        }
        if let Some(value) = &self.value {
            f.write_char(' ')?;
            value.fmt(f)?;
        }
        if let Some(length) = self.options.length {
            write!(f, " -length {length}")?;
        }
        if let Some(offset) = self.options.offset {
            write!(f, " -offset {offset}")?;
        }
        if let Some(mask) = self.options.netmask {
            write!(f, " -netmask {mask}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => write_quoted(f, text, false),
            Value::Number(n) => write!(f, "{n}"),
            Value::Range(a, b) => write!(f, "{a}-{b}"),
            Value::Ip(ip) => write!(f, "{ip}"),
            Value::Mac(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
            Value::Tokens(tokens) => {
                let joined: Vec<String> = tokens.iter().map(char::to_string).collect();
                write_quoted(f, &joined.join(","), false)
            }
            Value::Date(d) => write_quoted(f, &d.to_string(), false),
            Value::DateRange(a, b) => write_quoted(f, &format!("{a}-{b}"), false),
            Value::Weekday(day, zone) => write!(f, "{}{zone}", day.name()),
        }
    }
}

/// Whether a bare value or header name must be quoted to read back the same (D4, D15).
pub(crate) fn needs_quotes(text: &str, header_name: bool) -> bool {
    text.is_empty()
        || text.starts_with('-')
        || text.contains("&&")
        || text.contains("||")
        || text.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '\'' | '"' | '\\' | '(' | ')')
                || (header_name && matches!(c, '=' | '<' | '>' | '!'))
        })
}

/// Writes `text` bare, or in `'...'` with `'` and `\` escaped when it needs quotes (D15).
pub(crate) fn write_quoted(f: &mut impl Write, text: &str, header_name: bool) -> fmt::Result {
    if !needs_quotes(text, header_name) {
        return f.write_str(text);
    }
    f.write_char('\'')?;
    for c in text.chars() {
        if matches!(c, '\'' | '\\') {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('\'')
}

#[cfg(test)]
mod tests {
    use super::Grouped;

    #[test]
    fn grouped_shows_every_and_group() {
        let e: super::Expr = "a && b || c && !(d || e) || f".parse().expect("parses");
        assert_eq!(Grouped(&e).to_string(), "(a && b) || (c && !(d || e)) || f");
    }
}
