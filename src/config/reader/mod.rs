//! The ns.conf reader: lexes each line (docs/semantics.md#nsconf-lexing), recognises the commands of docs/semantics.md#gateway-commands and builds
//! a [`Config`], collecting every error and going on (error sink, docs/semantics.md#error-sink).
//!
//! Two passes (R4): the first applies `add`/`set`/`unset`/`rm` lines in file order and collects the
//! binds; the second resolves each bind against the final definitions, so a definition may follow
//! the binds that use it.
//!
//! The seams, each importing only those listed before it: [`slots`] (object storage), [`state`]
//! (first-pass state and error sink), [`args`] (argument splitting and checks), [`handlers`] (one
//! per command), [`second_pass`]; this module drives them line by line.

mod args;
mod handlers;
mod second_pass;
mod slots;
mod state;

use std::path::{Path, PathBuf};

use crate::ast::Span;

use super::diag::{ConfigErrorKind, NoticeKind};
use super::lexer::{Lexer, Token, TokenKind};
use super::model::{Config, IgnoreReason, Loaded};
use super::vocab::{
    AAA_OBJECTS, Command, GROUPS, HANDLED_GROUPS, HANDLED_VERBS, POLICY_OBJECTS, Resolved, VERBS,
    VPN_OBJECTS, resolve,
};
use args::split_args;
use state::{Ctx, Reader};

/// Why [`Config::from_path`] could not read a file.
#[derive(Debug, thiserror::Error)]
#[error("cannot read `{}`: {source}", .path.display())]
#[non_exhaustive]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// What the operating system said.
    #[source]
    pub source: std::io::Error,
}

impl Config {
    /// Reads an ns.conf text. `file_name` is only used in error messages.
    ///
    /// Lines are split at `\n`; a CR before it is ignored (R2), and so is a leading byte-order
    /// mark. Comments, blank lines and the commands of docs/semantics.md#gateway-commands are read;
    /// every other line is kept in [`Config::ignored`] (R2). Command words and option names are
    /// case-insensitive and may be abbreviated to an unambiguous prefix (R1). Definitions may follow
    /// the binds that use them; `set`/`unset`/`rm` apply in file order to earlier definitions (R4).
    pub fn read(text: &str, file_name: &str) -> Loaded {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = Reader::new(file_name);
        for (i, line) in text.split('\n').enumerate() {
            reader.line(i + 1, line);
        }
        reader.finish()
    }

    /// Reads an ns.conf given as bytes, as [`read`](Self::read) does. A command line that is not
    /// UTF-8 is an [`InvalidUtf8`](ConfigErrorKind::InvalidUtf8) error for that line (it is
    /// skipped); a comment that is not UTF-8 (a Latin-1 accent, say) loses nothing and is an
    /// [`InvalidUtf8Comment`](NoticeKind::InvalidUtf8Comment) notice. The rest of the file is
    /// read either way.
    ///
    /// ```
    /// use nsexpr::config::{Config, ConfigErrorKind, NoticeKind, Severity};
    ///
    /// let bytes = b"# Z\xfcrich office\nadd vpn vserver GW SSL 10.0.0.1 443\n\
    ///     add vpn vserver Z\xfcrich SSL 10.0.0.2 443\n";
    /// let loaded = Config::read_bytes(bytes, "ns.conf");
    /// assert_eq!(loaded.errors.len(), 1);
    /// assert_eq!(loaded.errors[0].line, 3);
    /// assert_eq!(loaded.errors[0].kind, ConfigErrorKind::InvalidUtf8);
    /// let comment = &loaded.notices[0];
    /// assert_eq!((comment.line, comment.column), (1, 4));
    /// assert_eq!(comment.kind, NoticeKind::InvalidUtf8Comment);
    /// assert_eq!(comment.severity(), Severity::Warning);
    /// assert!(loaded.config.vserver("GW").is_some());
    /// ```
    pub fn read_bytes(bytes: &[u8], file_name: &str) -> Loaded {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let mut reader = Reader::new(file_name);
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            match std::str::from_utf8(line) {
                Ok(text) => reader.line(i + 1, text),
                Err(e) => {
                    let lossy = String::from_utf8_lossy(line);
                    let text = lossy.strip_suffix('\r').unwrap_or(&lossy);
                    // The lossy text agrees with the line up to the first bad sequence, which it
                    // shows as one replacement character.
                    let start = e.valid_up_to();
                    let span = Span::new(start, start + char::REPLACEMENT_CHARACTER.len_utf8());
                    let ctx = Ctx::new(i + 1, text);
                    if text.trim_start().starts_with('#') {
                        reader.notice(&ctx, span.start, NoticeKind::InvalidUtf8Comment);
                    } else {
                        reader.error(&ctx, span, ConfigErrorKind::InvalidUtf8);
                    }
                }
            }
        }
        reader.finish()
    }

    /// Reads the ns.conf file at `path` (see [`read_bytes`](Self::read_bytes)); its errors are
    /// named after `path`.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Loaded, FileError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| FileError {
            path: path.to_owned(),
            source,
        })?;
        Ok(Config::read_bytes(&bytes, &path.display().to_string()))
    }
}

/// What the first words of a line say.
enum Identified {
    /// A modelled command; its arguments start at the given token.
    Command(Command, usize),
    /// `add <group> <something>Policy <name> ...`: a policy of another kind (R3).
    OtherPolicy,
    /// Anything else.
    Unknown,
}

impl Reader<'_> {
    fn line(&mut self, no: usize, raw: &str) {
        let mut lexer = Lexer::new(raw);
        let text = lexer.line();
        let ctx = Ctx::new(no, text);
        let mut tokens = Vec::new();
        let mut lex_error = None;
        for token in lexer.by_ref() {
            match token {
                Ok(t) => tokens.push(t),
                Err(e) => lex_error = Some(e),
            }
        }
        if tokens.is_empty() && lex_error.is_none() {
            return;
        }
        // A control character would otherwise make a command word unknown and drop the line.
        if let Some((at, c)) = tokens.iter().find_map(|t| control_character(text, t.span)) {
            let span = Span::new(at, at + c.len_utf8());
            let code = u32::from(c);
            self.error(&ctx, span, ConfigErrorKind::ControlCharacter { code });
            return;
        }
        let identified = match self.identify(&ctx, &tokens) {
            Ok(identified) => identified,
            Err(()) => return,
        };
        match (identified, lex_error) {
            (Identified::Command(..), Some(e)) => {
                self.error(&ctx, e.span, ConfigErrorKind::Lex(e.kind));
            }
            // Only the name of another kind of policy matters (R3); the rest is not ours to check.
            (Identified::OtherPolicy, _) => self.other_policy(&ctx, &tokens),
            (Identified::Unknown, _) => {
                let words = tokens.iter().take(3).map(|t| t.value.as_ref());
                let command = words.collect::<Vec<_>>().join(" ");
                self.ignore(no, IgnoreReason::UnknownCommand, command);
            }
            (Identified::Command(command, start), None) => {
                for t in &tokens {
                    if let TokenKind::QQuoted { delimiter } = t.kind
                        && t.is_nonstandard_qquote()
                    {
                        self.notice(
                            &ctx,
                            t.span.start,
                            NoticeKind::NonstandardQQuote { delimiter },
                        );
                    }
                }
                let args = split_args(tokens.get(start..).unwrap_or(&[]), text.len());
                self.command(&ctx, command, &args);
            }
        }
    }

    /// Resolves one command word; `Err` after reporting an ambiguity that matters.
    fn word(
        &mut self,
        ctx: &Ctx<'_>,
        token: Option<&Token<'_>>,
        table: &[&'static str],
        handled: &[&str],
        report: bool,
    ) -> Result<Option<&'static str>, ()> {
        let Some(token) = token.filter(|t| t.kind == TokenKind::Word) else {
            return Ok(None);
        };
        match resolve(&token.value, table) {
            Resolved::Found(w) => Ok(Some(w)),
            Resolved::Unknown => Ok(None),
            Resolved::Ambiguous(candidates) => {
                if report && candidates.iter().any(|c| handled.contains(c)) {
                    self.error(
                        ctx,
                        token.span,
                        ConfigErrorKind::AmbiguousWord {
                            word: token.value.clone().into_owned(),
                            candidates,
                        },
                    );
                    Err(())
                } else {
                    Ok(None)
                }
            }
        }
    }

    fn identify(&mut self, ctx: &Ctx<'_>, tokens: &[Token<'_>]) -> Result<Identified, ()> {
        let t0 = tokens.first();
        let t1 = tokens.get(1);
        let t2 = tokens.get(2);
        // Ambiguities are reported only when the neighbouring words are ours.
        let group_peek = t1.and_then(|t| match resolve(&t.value, GROUPS) {
            Resolved::Found(g) => Some(g),
            _ => None,
        });
        let verb_report = group_peek.is_some_and(|g| HANDLED_GROUPS.contains(&g));
        let verb = self.word(ctx, t0, VERBS, HANDLED_VERBS, verb_report)?;
        let verb_handled = verb.is_some_and(|v| HANDLED_VERBS.contains(&v));
        let group = self.word(ctx, t1, GROUPS, HANDLED_GROUPS, verb_handled)?;
        let objects: &[&'static str] = match group {
            Some("vpn") => VPN_OBJECTS,
            Some("aaa") => AAA_OBJECTS,
            Some("policy") => POLICY_OBJECTS,
            _ => &[],
        };
        let (object, start) = if group == Some("expression") {
            (None, 2)
        } else {
            let object = self.word(ctx, t2, objects, objects, verb_handled)?;
            (object, 3)
        };
        if let (Some(verb), Some(group)) = (verb, group)
            && let Some(command) = Command::lookup(verb, group, object)
        {
            return Ok(Identified::Command(command, start));
        }
        let is_other_policy = verb == Some("add")
            && t1.is_some_and(|t| t.kind == TokenKind::Word)
            && t2.is_some_and(|t| {
                t.kind == TokenKind::Word
                    && t.value.len() >= 6
                    && t.value
                        .get(t.value.len() - 6..)
                        .is_some_and(|s| s.eq_ignore_ascii_case("policy"))
            })
            && tokens.get(3).is_some();
        Ok(if is_other_policy {
            Identified::OtherPolicy
        } else {
            Identified::Unknown
        })
    }
}

/// The first control character (other than a blank) in the `span` bytes of `line`, with its
/// byte offset.
fn control_character(line: &str, span: Span) -> Option<(usize, char)> {
    line.get(span.start..span.end)?
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n'))
        .map(|(i, c)| (span.start + i, c))
}
