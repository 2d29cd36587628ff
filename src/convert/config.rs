//! Migration of a whole ns.conf: every classic boolean rule converted in place, classic named
//! expressions given advanced twins, and session bindings laid out for the advanced walk
//! (section 5.3 of the advanced spec). Every other byte of the file is kept.

use std::collections::BTreeMap;
use std::fmt;

use super::{ConvertErrorKind, ConvertOptions, Note, convert_rule};
use crate::ast::Span;
use crate::config::{Token, lex_line};
use crate::syntax::is_advanced;

/// The migrated file and what changed.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Migration {
    /// The new ns.conf text.
    pub text: String,
    /// The report.
    pub report: MigrationReport,
}

/// What the migration did, line by line.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MigrationReport {
    /// Changed or added lines, in file order.
    pub changes: Vec<LineChange>,
    /// Rules left as they were, with the reason.
    pub refusals: Vec<Refusal>,
    /// Counts.
    pub summary: Summary,
}

/// One changed (or added) line.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LineChange {
    /// 1-based line number in the original file (for an added line, the line it follows).
    pub line: usize,
    /// The original line without its line end (empty for an added line).
    pub old: String,
    /// The new line without its line end.
    pub new: String,
    /// Whether the line is new (an advanced twin of a named expression).
    pub added: bool,
    /// The converter's remarks on the rule.
    pub notes: Vec<Note>,
}

/// A rule or binding left unchanged.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Refusal {
    /// 1-based line number.
    pub line: usize,
    /// The bytes of the rule (within the rule text) the reason is about.
    pub span: Span,
    /// The classic rule (or the bind line).
    pub rule: String,
    /// Why it was kept.
    pub reason: String,
}

/// Counts over the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Summary {
    /// Lines in the input.
    pub lines: usize,
    /// Classic rules converted.
    pub converted: usize,
    /// Classic rules kept.
    pub refused: usize,
    /// Rules that were already advanced.
    pub already_advanced: usize,
    /// Advanced twins of named expressions added.
    pub twins_added: usize,
    /// Session bindings given `-gotoPriorityExpression NEXT` and a new priority.
    pub bindings_changed: usize,
}

/// Which session-policy family a rule belongs to; each migrates all or nothing, because a
/// bind point mixing classic and advanced session policies changes the merge order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    Vpn,
    Tm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Policy(Option<Family>),
    Definition,
}

/// A classic rule found on a line.
struct Slot {
    line: usize,
    kind: Kind,
    name: String,
    /// The rule token's bytes in the line.
    span: Span,
    rule: String,
}

/// Where a command keeps its rule: `(words, position)` with position a token index, or the
/// token after `-rule`.
const POLICY_COMMANDS: &[(&[&str], Option<usize>, Option<Family>)] = &[
    (&["add", "vpn", "sessionpolicy"], Some(4), Some(Family::Vpn)),
    (&["add", "tm", "sessionpolicy"], Some(4), Some(Family::Tm)),
    (&["add", "vpn", "trafficpolicy"], Some(4), None),
    (&["add", "authorization", "policy"], Some(4), None),
    (&["add", "audit", "syslogpolicy"], Some(4), None),
    (&["add", "audit", "nslogpolicy"], Some(4), None),
    (&["add", "responder", "policy"], Some(4), None),
    (&["add", "rewrite", "policy"], Some(4), None),
    (&["add", "appfw", "policy"], Some(4), None),
    (&["add", "cs", "policy"], None, None),
    (&["add", "cr", "policy"], None, None),
    (&["add", "cmp", "policy"], None, None),
    (&["add", "filter", "policy"], None, None),
];

fn starts_with(tokens: &[Token<'_>], words: &[&str]) -> bool {
    tokens.len() > words.len()
        && tokens
            .iter()
            .zip(words)
            .all(|(t, w)| t.value.eq_ignore_ascii_case(w))
}

fn find_slot(line_no: usize, tokens: &[Token<'_>]) -> Option<Slot> {
    let name = tokens.get(3)?.value.to_string();
    let (index, kind) = if starts_with(tokens, &["add", "policy", "expression"]) {
        (4, Kind::Definition)
    } else {
        let (_, position, family) = POLICY_COMMANDS
            .iter()
            .find(|(words, _, _)| starts_with(tokens, words))?;
        let index = match position {
            Some(i) => *i,
            None => {
                tokens
                    .iter()
                    .position(|t| is_option(t) && t.value.eq_ignore_ascii_case("rule"))?
                    + 1
            }
        };
        (index, Kind::Policy(*family))
    };
    let token = tokens.get(index)?;
    Some(Slot {
        line: line_no,
        kind,
        name,
        span: token.span,
        rule: token.value.to_string(),
    })
}

/// Quotes text as one ns.conf token: `"..."` with `\` and `"` escaped.
pub(crate) fn cli_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '\\' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn line_body(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// A session binding of a converted policy.
struct Binding {
    line: usize,
    family: Family,
    /// Bank rank: user 0, group 1, vserver 2, global 3.
    rank: u8,
    /// Group weight (groups only).
    weight: u64,
    /// The bind point, such as `vpn vserver gw` or `aaa group staff`.
    point: String,
    priority: u64,
    priority_span: Span,
    has_goto: bool,
    /// Where the command's last token ends in the line: options go there, before a comment.
    command_end: usize,
}

fn option_value<'t>(tokens: &'t [Token<'_>], name: &str) -> Option<&'t Token<'t>> {
    let at = tokens
        .iter()
        .position(|t| is_option(t) && t.value.eq_ignore_ascii_case(name))?;
    tokens.get(at + 1)
}

fn is_option(t: &Token<'_>) -> bool {
    matches!(t.kind, crate::config::TokenKind::Option)
}

/// Migrates an ns.conf. `options.names` adds to the file's own `add policy expression`
/// definitions; `options.inline_names` inlines them instead of adding twins.
pub fn migrate_config(text: &str, options: &ConvertOptions) -> Migration {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let tokenized: Vec<Option<Vec<Token<'_>>>> = lines.iter().map(|l| lex_line(l).ok()).collect();
    let mut report = MigrationReport::default();
    report.summary.lines = lines.len();

    let slots: Vec<Slot> = tokenized
        .iter()
        .enumerate()
        .filter_map(|(i, t)| find_slot(i + 1, t.as_deref()?))
        .collect();
    let mut options = options.clone();
    for slot in slots.iter().filter(|s| s.kind == Kind::Definition) {
        if !is_advanced(&slot.rule) {
            options.names.define(&slot.name, &slot.rule);
        }
    }

    // Convert every classic rule.
    let mut converted: BTreeMap<usize, (String, Vec<Note>)> = BTreeMap::new();
    let mut refused_family: BTreeMap<Family, String> = BTreeMap::new();
    let mut session_names: BTreeMap<String, Family> = BTreeMap::new();
    for slot in &slots {
        if let Kind::Policy(Some(family)) = slot.kind {
            session_names.insert(slot.name.to_ascii_lowercase(), family);
        }
        if is_advanced(&slot.rule) {
            report.summary.already_advanced += 1;
            continue;
        }
        let result = crate::syntax::parse(&slot.rule)
            .map_err(|e| (e.span(), e.to_string()))
            .and_then(|expr| {
                convert_rule(&expr, &slot.rule, &options).map_err(|e| {
                    let reason = match e.kind() {
                        ConvertErrorKind::Parse(p) => p.to_string(),
                        kind => kind.to_string(),
                    };
                    (e.span(), reason)
                })
            });
        match result {
            Ok(c) => {
                converted.insert(slot.line, (c.advanced, c.notes));
            }
            Err((span, reason)) => {
                if let Kind::Policy(Some(family)) = slot.kind {
                    refused_family
                        .entry(family)
                        .or_insert_with(|| slot.name.clone());
                }
                report.refusals.push(Refusal {
                    line: slot.line,
                    span,
                    rule: slot.rule.clone(),
                    reason,
                });
            }
        }
    }

    // Session bindings: bank-monotone layout or nothing.
    let groups = group_weights(&tokenized);
    let bindings = session_bindings(&tokenized, &session_names, &groups);
    for family in [Family::Vpn, Family::Tm] {
        if refused_family.contains_key(&family) {
            continue;
        }
        let mine: Vec<&Binding> = bindings.iter().filter(|b| b.family == family).collect();
        if let Some((line, reason)) = layout_problem(&mine) {
            refused_family.insert(family, String::new());
            report.refusals.push(Refusal {
                line,
                span: Span::default(),
                rule: line_body(lines.get(line - 1).copied().unwrap_or("")).to_owned(),
                reason,
            });
        }
    }
    // A family with any refusal stays classic as a whole.
    for slot in &slots {
        let Kind::Policy(Some(family)) = slot.kind else {
            continue;
        };
        let Some(blocker) = refused_family.get(&family) else {
            continue;
        };
        if converted.remove(&slot.line).is_some() {
            let why = if blocker.is_empty() {
                "its bindings cannot be laid out for the advanced walk (see the binding refusal)"
                    .to_owned()
            } else {
                format!("session policy `{blocker}` cannot be converted")
            };
            report.refusals.push(Refusal {
                line: slot.line,
                span: Span::default(),
                rule: slot.rule.clone(),
                reason: format!(
                    "kept classic: {why}, and mixing classic and advanced session policies changes the merged profile"
                ),
            });
        }
    }
    report.refusals.sort_by_key(|r| r.line);

    // New priorities per bind point, in classic order.
    let mut new_priority: BTreeMap<usize, u64> = BTreeMap::new();
    let mut points: BTreeMap<(Family, String), Vec<&Binding>> = BTreeMap::new();
    for b in bindings
        .iter()
        .filter(|b| !refused_family.contains_key(&b.family))
    {
        points
            .entry((b.family, b.point.clone()))
            .or_default()
            .push(b);
    }
    for list in points.values_mut() {
        list.sort_by_key(|b| (b.priority, b.line));
        for (i, b) in list.iter().enumerate() {
            new_priority.insert(b.line, (i as u64 + 1) * 100);
        }
    }

    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for (i, line) in lines.iter().enumerate() {
        let line_no = i + 1;
        let ending = &line[line_body(line).len()..];
        let slot = slots.iter().find(|s| s.line == line_no);
        let body = line_body(line);
        match (slot, converted.get(&line_no)) {
            (Some(slot), Some((advanced, notes))) if slot.kind == Kind::Definition => {
                out.push_str(line);
                if ending.is_empty() {
                    out.push('\n');
                }
                let twin = format!(
                    "add policy expression {}{} {}",
                    options.twin_prefix,
                    slot.name,
                    cli_quote(advanced)
                );
                out.push_str(&twin);
                out.push_str(ending);
                report.summary.converted += 1;
                report.summary.twins_added += 1;
                report.changes.push(LineChange {
                    line: line_no,
                    old: String::new(),
                    new: twin,
                    added: true,
                    notes: notes.clone(),
                });
            }
            (Some(slot), Some((advanced, notes))) => {
                let new = splice(body, slot.span, &cli_quote(advanced));
                push_changed(
                    &mut out,
                    &mut report,
                    line_no,
                    body,
                    new,
                    ending,
                    notes.clone(),
                );
                report.summary.converted += 1;
            }
            _ => match (
                new_priority.get(&line_no),
                bindings.iter().find(|b| b.line == line_no),
            ) {
                (Some(priority), Some(b)) => {
                    // The goto goes after the last token (a trailing `# comment` stays last);
                    // the priority token ends at or before it, so its span still holds.
                    let with_goto = splice(
                        body,
                        Span::new(b.command_end, b.command_end),
                        " -gotoPriorityExpression NEXT",
                    );
                    let new = splice(&with_goto, b.priority_span, &priority.to_string());
                    push_changed(
                        &mut out,
                        &mut report,
                        line_no,
                        body,
                        new,
                        ending,
                        Vec::new(),
                    );
                    report.summary.bindings_changed += 1;
                }
                _ => out.push_str(line),
            },
        }
    }
    report.summary.refused = report
        .refusals
        .iter()
        .filter(|r| slots.iter().any(|s| s.line == r.line))
        .count();
    Migration { text: out, report }
}

fn push_changed(
    out: &mut String,
    report: &mut MigrationReport,
    line: usize,
    old: &str,
    new: String,
    ending: &str,
    notes: Vec<Note>,
) {
    out.push_str(&new);
    out.push_str(ending);
    report.changes.push(LineChange {
        line,
        old: old.to_owned(),
        new,
        added: false,
        notes,
    });
}

fn splice(body: &str, span: Span, with: &str) -> String {
    let before = body.get(..span.start).unwrap_or(body);
    let after = body.get(span.end..).unwrap_or("");
    format!("{before}{with}{after}")
}

fn group_weights(tokenized: &[Option<Vec<Token<'_>>>]) -> BTreeMap<String, u64> {
    tokenized
        .iter()
        .flatten()
        .filter(|t| starts_with(t, &["add", "aaa", "group"]))
        .filter_map(|t| {
            let name = t.get(3)?.value.to_ascii_lowercase();
            let weight = option_value(t, "weight")
                .and_then(|w| w.value.parse().ok())
                .unwrap_or(0);
            Some((name, weight))
        })
        .collect()
}

fn session_bindings(
    tokenized: &[Option<Vec<Token<'_>>>],
    sessions: &BTreeMap<String, Family>,
    groups: &BTreeMap<String, u64>,
) -> Vec<Binding> {
    let mut out = Vec::new();
    for (i, tokens) in tokenized.iter().enumerate() {
        let Some(tokens) = tokens else { continue };
        let point = |n: usize| {
            tokens
                .iter()
                .take(n)
                .skip(1)
                .map(|t| t.value.to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (rank, point, weight) = if starts_with(tokens, &["bind", "aaa", "user"]) {
            (0, point(4), 0)
        } else if starts_with(tokens, &["bind", "aaa", "group"]) {
            let group = tokens
                .get(3)
                .map(|t| t.value.to_ascii_lowercase())
                .unwrap_or_default();
            (1, point(4), groups.get(&group).copied().unwrap_or(0))
        } else if starts_with(tokens, &["bind", "vpn", "vserver"]) {
            (2, point(4), 0)
        } else if starts_with(tokens, &["bind", "vpn", "global"])
            || starts_with(tokens, &["bind", "tm", "global"])
        {
            (3, point(3), 0)
        } else {
            continue;
        };
        let policy = option_value(tokens, "policy").or_else(|| option_value(tokens, "policyName"));
        let Some(family) = policy.and_then(|p| sessions.get(&p.value.to_ascii_lowercase())) else {
            continue;
        };
        let Some(priority) = option_value(tokens, "priority").filter(|t| !is_option(t)) else {
            continue;
        };
        out.push(Binding {
            line: i + 1,
            family: *family,
            rank,
            weight,
            point,
            priority: priority.value.parse().unwrap_or(u64::MAX),
            priority_span: priority.span,
            has_goto: option_value(tokens, "gotoPriorityExpression").is_some(),
            command_end: tokens.last().map_or(0, |t| t.span.end),
        });
    }
    out
}

/// Why the bindings cannot keep the merged profile under the advanced walk, if they cannot:
/// the classic priority order must visit banks in the advanced bank order (bank-monotone).
fn layout_problem(bindings: &[&Binding]) -> Option<(usize, String)> {
    if let Some(b) = bindings.iter().find(|b| b.has_goto) {
        return Some((
            b.line,
            "a classic session binding already has a goto expression".to_owned(),
        ));
    }
    let mut sorted = bindings.to_vec();
    sorted.sort_by_key(|b| (b.priority, b.line));
    for pair in sorted.windows(2) {
        let [a, b] = pair else { continue };
        let (ka, kb) = ((a.rank, a.weight), (b.rank, b.weight));
        if a.priority == b.priority && a.point != b.point {
            return Some((
                b.line,
                format!(
                    "priority-interleave: priority {} is used at two bind points, so the classic order between them is undefined",
                    b.priority
                ),
            ));
        }
        if ka > kb {
            return Some((
                b.line,
                format!(
                    "priority-interleave: classic priority {} at `{}` comes after {} at `{}`, but the advanced walk visits `{}` first; change the group weights or move the binding",
                    b.priority, b.point, a.priority, a.point, b.point
                ),
            ));
        }
        if a.rank == 1 && ka == kb && a.point != b.point {
            return Some((
                b.line,
                format!(
                    "priority-interleave: groups `{}` and `{}` have equal weights, so their advanced order is undefined",
                    a.point, b.point
                ),
            ));
        }
    }
    None
}

impl fmt::Display for MigrationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.summary;
        writeln!(
            f,
            "{} lines: {} rules converted, {} kept classic, {} already advanced, {} twins added, {} session bindings changed",
            s.lines, s.converted, s.refused, s.already_advanced, s.twins_added, s.bindings_changed
        )?;
        for c in &self.changes {
            writeln!(f)?;
            if c.added {
                writeln!(f, "after line {}, added:", c.line)?;
            } else {
                writeln!(f, "line {}:", c.line)?;
                writeln!(f, "  - {}", c.old)?;
            }
            writeln!(f, "  + {}", c.new)?;
            for note in &c.notes {
                writeln!(f, "    note {note}")?;
            }
        }
        for r in &self.refusals {
            writeln!(f)?;
            writeln!(
                f,
                "line {} kept [{}..{}]: {}",
                r.line, r.span.start, r.span.end, r.rule
            )?;
            for reason_line in r.reason.lines() {
                writeln!(f, "    {reason_line}")?;
            }
        }
        Ok(())
    }
}
