//! The first pass's state: the objects read so far (in [`Slots`]), the binds waiting for the second
//! pass, and the error and notice sink every handler reports to.

use std::cell::Cell;

use crate::ast::Span;

use super::super::diag::{ConfigError, ConfigErrorKind, Notice, NoticeKind};
use super::super::model::{
    AaaGroup, AaaUser, BindPoint, IgnoreReason, IgnoredLine, NamedExpression, OtherPolicy,
    PatternMember, PatternSet, RuleText, SessionAction, SessionPolicy, VpnVserver,
};
use super::slots::Slots;

/// A bind collected in the first pass and resolved in the second (R4).
pub(super) struct PendingBind {
    pub(super) point: BindPoint,
    pub(super) policy: String,
    pub(super) priority: Option<u32>,
    pub(super) goto: Option<RuleText>,
    pub(super) bind_type: Option<String>,
    pub(super) line: usize,
    pub(super) point_column: usize,
    pub(super) policy_column: usize,
}

/// The line being read.
pub(super) struct Ctx<'t> {
    /// 1-based line number.
    pub(super) no: usize,
    /// The line without its line end.
    pub(super) text: &'t str,
    /// The last `(byte, column)` asked for, so that the columns of many errors on one long
    /// line cost one walk over it, not one each.
    last_column: Cell<(usize, usize)>,
}

impl<'t> Ctx<'t> {
    pub(super) fn new(no: usize, text: &'t str) -> Ctx<'t> {
        Ctx {
            no,
            text,
            last_column: Cell::new((0, 1)),
        }
    }

    /// The 1-based column (in characters) of byte `at`, rounded down to a character boundary.
    pub(super) fn column(&self, at: usize) -> usize {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let (from, column) = match self.last_column.get() {
            (byte, column) if byte <= at => (byte, column),
            _ => (0, 1),
        };
        let column = column + self.text.get(from..at).map_or(0, |s| s.chars().count());
        self.last_column.set((at, column));
        column
    }
}

pub(super) struct Reader<'f> {
    pub(super) file: &'f str,
    pub(super) errors: Vec<ConfigError>,
    pub(super) notices: Vec<Notice>,
    pub(super) ignored: Vec<IgnoredLine>,
    pub(super) vservers: Slots<VpnVserver>,
    pub(super) actions: Slots<SessionAction>,
    pub(super) policies: Slots<SessionPolicy>,
    pub(super) expressions: Slots<NamedExpression>,
    pub(super) groups: Slots<AaaGroup>,
    pub(super) users: Slots<AaaUser>,
    pub(super) others: Slots<OtherPolicy>,
    pub(super) vpn_parameters: Vec<(String, String)>,
    pub(super) binds: Vec<PendingBind>,
    pub(super) memberships: Vec<(String, String)>,
    pub(super) pattern_sets: Slots<PatternSet>,
    /// `bind policy patset` lines (set name, its column, member), attached to their sets in the
    /// second pass (R4).
    pub(super) pattern_members: Vec<(String, usize, PatternMember)>,
}

impl<'f> Reader<'f> {
    pub(super) fn new(file: &'f str) -> Reader<'f> {
        Reader {
            file,
            errors: Vec::new(),
            notices: Vec::new(),
            ignored: Vec::new(),
            vservers: Slots::new(),
            actions: Slots::new(),
            policies: Slots::new(),
            expressions: Slots::new(),
            groups: Slots::new(),
            users: Slots::new(),
            others: Slots::new(),
            vpn_parameters: Vec::new(),
            binds: Vec::new(),
            memberships: Vec::new(),
            pattern_sets: Slots::new(),
            pattern_members: Vec::new(),
        }
    }

    pub(super) fn error(&mut self, ctx: &Ctx<'_>, span: Span, kind: ConfigErrorKind) {
        self.errors.push(ConfigError::new(
            self.file,
            ctx.no,
            ctx.column(span.start),
            ctx.text,
            span,
            kind,
        ));
    }

    /// Records a notice about the word starting at byte `at` of the line.
    pub(super) fn notice(&mut self, ctx: &Ctx<'_>, at: usize, kind: NoticeKind) {
        self.notices.push(Notice {
            line: ctx.no,
            column: ctx.column(at),
            kind,
        });
    }

    pub(super) fn ignore(&mut self, line: usize, reason: IgnoreReason, command: String) {
        self.ignored.push(IgnoredLine {
            line,
            reason,
            command,
        });
    }
}
