//! Argument parsing: a command's tokens split into positional arguments and options, and the
//! checks every handler shares (counts, option names, values, numbers), which report to the sink.

use std::collections::HashSet;

use crate::ast::Span;

use super::super::diag::{ConfigErrorKind, NoticeKind, ParameterIssue};
use super::super::lexer::{Token, TokenKind};
use super::super::params::{SESSION_PARAMETERS, check_parameter};
use super::super::vocab::{Command, Resolved, resolve};
use super::slots::{Named, Slots};
use super::state::{Ctx, Reader};

/// An option with the tokens after it.
pub(super) struct Opt<'a, 't> {
    pub(super) name: &'a Token<'t>,
    pub(super) values: &'a [Token<'t>],
}

/// A command's arguments: the tokens before the first option, then the options.
pub(super) struct Args<'a, 't> {
    pub(super) positional: &'a [Token<'t>],
    pub(super) options: Vec<Opt<'a, 't>>,
    /// Where a missing argument would go: the first option, else just past the line's end.
    pub(super) after_positional: Span,
}

pub(super) fn split_args<'a, 't>(tokens: &'a [Token<'t>], line_len: usize) -> Args<'a, 't> {
    let first_opt = tokens
        .iter()
        .position(|t| t.kind == TokenKind::Option)
        .unwrap_or(tokens.len());
    let positional = tokens.get(..first_opt).unwrap_or(&[]);
    let after_positional = tokens
        .get(first_opt)
        .map_or(Span::new(line_len, line_len + 1), |t| t.span);
    let mut options = Vec::new();
    let mut rest = tokens.get(first_opt..).unwrap_or(&[]);
    while let Some((name, tail)) = rest.split_first() {
        let n = tail
            .iter()
            .position(|t| t.kind == TokenKind::Option)
            .unwrap_or(tail.len());
        let (values, next) = tail.split_at(n);
        options.push(Opt { name, values });
        rest = next;
    }
    Args {
        positional,
        options,
        after_positional,
    }
}

impl Reader<'_> {
    /// Checks the positional arguments (`min..=max`), reporting missing and extra ones, and returns
    /// those that are there (at most `max`).
    pub(super) fn positional<'a, 't>(
        &mut self,
        ctx: &Ctx<'_>,
        command: Command,
        args: &Args<'a, 't>,
        min: usize,
        max: usize,
    ) -> &'a [Token<'t>] {
        let what = |n: usize| match (command, n) {
            (Command::AddPolicy, 1) => "a rule",
            (Command::AddPolicy, 2) => "an action",
            (Command::AddExpression | Command::SetExpression, 1) => "a value",
            (Command::AddVserver, 1) => "a service type",
            (Command::BindPatset, 1) => "a string",
            _ => "a name",
        };
        let have = args.positional.len();
        if have < min {
            self.error(
                ctx,
                args.after_positional,
                ConfigErrorKind::MissingArgument {
                    command: command.name(),
                    what: what(have),
                },
            );
        }
        for extra in args.positional.iter().skip(max) {
            self.error(
                ctx,
                extra.span,
                ConfigErrorKind::UnexpectedArgument {
                    command: command.name(),
                    argument: extra.value.clone().into_owned(),
                },
            );
        }
        args.positional.get(..have.min(max)).unwrap_or(&[])
    }

    /// The object a `set`/`unset`/`rm` line names, reporting it when undefined (R4).
    pub(super) fn target(
        &mut self,
        ctx: &Ctx<'_>,
        command: Command,
        args: &Args<'_, '_>,
        max: usize,
        find: impl Fn(&Self, &str) -> Option<usize>,
    ) -> Option<usize> {
        let name = self.positional(ctx, command, args, 1, max).first()?;
        let found = find(self, &name.value);
        if found.is_none() {
            let kind = match command {
                Command::SetAction | Command::UnsetAction | Command::RmAction => "session action",
                Command::SetPolicy | Command::RmPolicy => "session policy",
                Command::SetExpression | Command::RmExpression => "expression",
                Command::SetVserver => "vserver",
                Command::RmPatset => "pattern set",
                _ => "aaa group",
            };
            self.error(
                ctx,
                name.span,
                ConfigErrorKind::Undefined {
                    kind,
                    name: name.value.clone().into_owned(),
                },
            );
        }
        found
    }

    pub(super) fn insert<T: Named>(
        &mut self,
        ctx: &Ctx<'_>,
        span: Span,
        kind: &'static str,
        item: T,
        slots: impl Fn(&mut Self) -> &mut Slots<T>,
    ) {
        let name = item.name().to_owned();
        if let Err(first_line) = slots(self).insert(item) {
            self.error(
                ctx,
                span,
                ConfigErrorKind::Duplicate {
                    kind,
                    name,
                    first_line,
                },
            );
        }
    }

    /// Resolves an option name strictly against `table`, reporting unknown and ambiguous names.
    pub(super) fn strict_option(
        &mut self,
        ctx: &Ctx<'_>,
        command: Command,
        opt: &Opt<'_, '_>,
        table: &[&'static str],
    ) -> Option<&'static str> {
        match resolve(&opt.name.value, table) {
            Resolved::Found(name) => Some(name),
            Resolved::Unknown => {
                self.error(
                    ctx,
                    opt.name.span,
                    ConfigErrorKind::UnknownOption {
                        command: command.name(),
                        option: opt.name.value.clone().into_owned(),
                    },
                );
                None
            }
            Resolved::Ambiguous(candidates) => {
                self.ambiguous_option(ctx, opt, candidates);
                None
            }
        }
    }

    pub(super) fn ambiguous_option(
        &mut self,
        ctx: &Ctx<'_>,
        opt: &Opt<'_, '_>,
        candidates: Vec<&'static str>,
    ) {
        self.error(
            ctx,
            opt.name.span,
            ConfigErrorKind::AmbiguousOption {
                option: opt.name.value.clone().into_owned(),
                candidates,
            },
        );
    }

    /// The single value of an option, reporting a missing or extra value.
    pub(super) fn one_value<'a, 't>(
        &mut self,
        ctx: &Ctx<'_>,
        opt: &Opt<'a, 't>,
    ) -> Option<&'a Token<'t>> {
        match opt.values {
            [] => {
                self.error(
                    ctx,
                    opt.name.span,
                    ConfigErrorKind::MissingValue {
                        option: opt.name.value.clone().into_owned(),
                    },
                );
                None
            }
            [value] => Some(value),
            [first, extra, ..] => {
                self.error(
                    ctx,
                    extra.span,
                    ConfigErrorKind::TooManyValues {
                        option: opt.name.value.clone().into_owned(),
                        expected: "one value",
                    },
                );
                Some(first)
            }
        }
    }

    /// Reports a value given to a flag option.
    pub(super) fn no_value(&mut self, ctx: &Ctx<'_>, opt: &Opt<'_, '_>) {
        if let Some(extra) = opt.values.first() {
            self.error(
                ctx,
                extra.span,
                ConfigErrorKind::TooManyValues {
                    option: opt.name.value.clone().into_owned(),
                    expected: "no value",
                },
            );
        }
    }

    /// Reports an option already seen on this line; returns whether it is new.
    pub(super) fn first_time(
        &mut self,
        ctx: &Ctx<'_>,
        seen: &mut HashSet<String>,
        name: &str,
        opt: &Opt<'_, '_>,
    ) -> bool {
        // Keyed by lower-case name: an option name is compared case-insensitively.
        if !seen.insert(name.to_ascii_lowercase()) {
            self.error(
                ctx,
                opt.name.span,
                ConfigErrorKind::DuplicateOption {
                    option: name.to_owned(),
                },
            );
            false
        } else {
            true
        }
    }

    /// Reads lenient options (known names normalised, unknown ones kept as written) with values.
    pub(super) fn lenient_options(
        &mut self,
        ctx: &Ctx<'_>,
        args: &Args<'_, '_>,
        table: &[&'static str],
    ) -> Vec<(String, String, Span)> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for opt in &args.options {
            let name = match resolve(&opt.name.value, table) {
                Resolved::Found(name) => name.to_owned(),
                Resolved::Unknown => opt.name.value.clone().into_owned(),
                Resolved::Ambiguous(candidates) => {
                    self.ambiguous_option(ctx, opt, candidates);
                    continue;
                }
            };
            if !self.first_time(ctx, &mut seen, &name, opt) {
                continue;
            }
            let Some(last) = opt.values.last() else {
                self.error(
                    ctx,
                    opt.name.span,
                    ConfigErrorKind::MissingValue {
                        option: opt.name.value.clone().into_owned(),
                    },
                );
                continue;
            };
            // List-valued parameters (`-forceCleanup cookie history`) are joined with blanks.
            let value = opt
                .values
                .iter()
                .map(|t| t.value.as_ref())
                .collect::<Vec<_>>()
                .join(" ");
            out.push((name, value, last.span));
        }
        out
    }

    pub(super) fn session_params(
        &mut self,
        ctx: &Ctx<'_>,
        args: &Args<'_, '_>,
    ) -> Vec<(String, String)> {
        // Unknown names and values outside a parameter's domain are read as written, with a
        // notice (another case than the canonical spelling is not worth one: it is normalised).
        for opt in &args.options {
            if let Resolved::Ambiguous(_) = resolve(&opt.name.value, SESSION_PARAMETERS) {
                continue; // an error, reported below
            }
            let value = opt.values.first();
            let issue = check_parameter(&opt.name.value, value.map(|v| v.value.as_ref()));
            let at = match &issue {
                None | Some(ParameterIssue::Case { .. }) => continue,
                Some(ParameterIssue::Unknown { .. }) => opt.name.span.start,
                Some(_) => value.map_or(opt.name.span.start, |v| v.span.start),
            };
            if let Some(issue) = issue {
                self.notice(ctx, at, NoticeKind::Parameter(issue));
            }
        }
        // Word values take their canonical case (`-icaProxy on` is `ON`), as `show` prints them.
        self.lenient_options(ctx, args, SESSION_PARAMETERS)
            .into_iter()
            .map(|(n, v, _)| {
                let v = super::super::canonical_value(&n, &v).map_or(v, str::to_owned);
                (n, v)
            })
            .collect()
    }

    /// The parameter names of an `unset` line (options without values).
    pub(super) fn unset_names(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) -> Vec<String> {
        let mut names = Vec::new();
        for opt in &args.options {
            self.no_value(ctx, opt);
            match resolve(&opt.name.value, SESSION_PARAMETERS) {
                Resolved::Found(name) => names.push(name.to_owned()),
                Resolved::Unknown => names.push(opt.name.value.clone().into_owned()),
                Resolved::Ambiguous(candidates) => self.ambiguous_option(ctx, opt, candidates),
            }
        }
        names
    }

    pub(super) fn number(
        &mut self,
        ctx: &Ctx<'_>,
        token: &Token<'_>,
        option: &'static str,
        max: u32,
    ) -> Option<u32> {
        let parsed = if token.value.bytes().all(|b| b.is_ascii_digit()) {
            token.value.parse::<u32>().ok().filter(|&n| n <= max)
        } else {
            None
        };
        if parsed.is_none() {
            self.error(
                ctx,
                token.span,
                ConfigErrorKind::BadNumber {
                    option,
                    value: token.value.clone().into_owned(),
                    max,
                },
            );
        }
        parsed
    }
}
