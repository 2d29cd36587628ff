//! The checker proper. It walks the syntax tree, whose depth the parser bounds.

use super::tables::{self, METHODS, Next, Op, PREFIXES, Param, Ret, SourceKind};
use super::types::{AdvType, Prefix, TextMode};
use super::{
    Arg, AttributeKey, CheckErrorKind as E, CheckLint, CheckLintKind, CheckOptions, Checked, Head,
    Source, Step, Typed, TypedChain, TypedNode, Unsupported,
};
use crate::ast::Span;
use crate::ast::advanced::{AdvExpr, AdvKind, BinOp, Call, ChainHead, PatternKind};

pub(super) struct Fail {
    pub kind: E,
    pub span: Span,
    pub hint: Option<String>,
}

fn fail(kind: E, span: Span) -> Fail {
    Fail {
        kind,
        span,
        hint: None,
    }
}

type CResult<T> = Result<T, Fail>;

pub(super) struct Checker<'o> {
    options: &'o CheckOptions,
    unsupported: Vec<Unsupported>,
    lints: Vec<CheckLint>,
}

/// What a chain resolves to while it is being walked.
enum Walk {
    Prefix(Prefix, Vec<String>),
    Value(Head, Vec<Step>, AdvType, Vec<String>),
}

impl<'o> Checker<'o> {
    pub fn new(options: &'o CheckOptions) -> Checker<'o> {
        Checker {
            options,
            unsupported: Vec::new(),
            lints: Vec::new(),
        }
    }

    pub fn rule(mut self, expr: &AdvExpr) -> CResult<Checked> {
        let typed = self.expr(expr)?;
        if !matches!(typed.ty, AdvType::Bool | AdvType::Unknown) {
            return Err(fail(E::NotBoolean(typed.ty), typed.span));
        }
        Ok(Checked {
            typed,
            unsupported: self.unsupported,
            lints: self.lints,
        })
    }

    /// Checks an expression of any type (a named expression's body).
    pub fn value(mut self, expr: &AdvExpr) -> CResult<Checked> {
        let typed = self.expr(expr)?;
        Ok(Checked {
            typed,
            unsupported: self.unsupported,
            lints: self.lints,
        })
    }

    fn expr(&mut self, expr: &AdvExpr) -> CResult<Typed> {
        let span = expr.span;
        let typed = |node, ty| Typed { node, ty, span };
        Ok(match &expr.kind {
            AdvKind::Bool(b) => typed(TypedNode::Bool(*b), AdvType::Bool),
            AdvKind::Number { value, .. } => {
                let n = i64::try_from(*value).map_err(|_| fail(E::NumberRange, span))?;
                typed(TypedNode::Num(n), AdvType::Num)
            }
            AdvKind::Text(bytes) => typed(TypedNode::Text(bytes.clone()), AdvType::Text),
            AdvKind::Char(_) => return Err(fail(E::Misplaced("a character literal"), span)),
            AdvKind::Regex(_) => return Err(fail(E::Misplaced("a regular expression"), span)),
            AdvKind::Ip(_) => return Err(fail(E::Misplaced("an IP address"), span)),
            AdvKind::Time(_) => return Err(fail(E::Misplaced("a time literal"), span)),
            AdvKind::Enum(_) => return Err(fail(E::Misplaced("an enumeration word"), span)),
            AdvKind::Not(inner) => {
                let inner = self.expr(inner)?;
                expect(&inner, "!", "a boolean", |t| t == AdvType::Bool)?;
                typed(TypedNode::Not(Box::new(inner)), AdvType::Bool)
            }
            AdvKind::Neg(inner) => {
                let inner = self.expr(inner)?;
                expect(&inner, "-", "a number", |t| t == AdvType::Num)?;
                typed(TypedNode::Neg(Box::new(inner)), AdvType::Num)
            }
            AdvKind::Infix(infix) => {
                let first = self.expr(&infix.first)?;
                let mut ty = first.ty;
                let mut rest = Vec::with_capacity(infix.rest.len());
                for (op, operand) in &infix.rest {
                    let rhs = self.expr(operand)?;
                    ty = binary_type(*op, ty, &rhs, Span::new(span.start, rhs.span.end))?;
                    rest.push((*op, rhs));
                }
                typed(
                    TypedNode::Infix {
                        first: Box::new(first),
                        rest,
                    },
                    ty,
                )
            }
            AdvKind::Chain(chain) => self.chain(&chain.head, &chain.calls, span)?,
        })
    }

    fn chain(&mut self, head: &ChainHead, calls: &[Call], span: Span) -> CResult<Typed> {
        let mut walk = match head {
            ChainHead::Word(call) if is_named(&call.name) => {
                if call.args.is_some() {
                    return Err(fail(E::NamedWithArguments(call.name.clone()), call.span));
                }
                let key = call.name.to_ascii_uppercase();
                let ty = self
                    .options
                    .named_types
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&key))
                    .map_or(AdvType::Bool, |(_, ty)| *ty);
                Walk::Value(Head::Named(key), Vec::new(), ty, vec![call.name.clone()])
            }
            ChainHead::Word(call) => match self.prefix_step(Prefix::Root, Vec::new(), call)? {
                Some(walk) => walk,
                None => return Ok(self.unsupported_node(span)),
            },
            ChainHead::Expr(expr) => {
                let typed = self.expr(expr)?;
                let ty = typed.ty;
                Walk::Value(Head::Expr(Box::new(typed)), Vec::new(), ty, Vec::new())
            }
        };
        for call in calls {
            walk = match walk {
                Walk::Prefix(at, path) => match self.prefix_step(at, path, call)? {
                    Some(next) => next,
                    None => return Ok(self.unsupported_node(span)),
                },
                Walk::Value(head, mut steps, ty, mut path) => {
                    path.push(call.name.clone());
                    match self.method(ty, call, &path)? {
                        Some(step) => {
                            let ty = step.ty;
                            steps.push(step);
                            Walk::Value(head, steps, ty, path)
                        }
                        None => return Ok(self.unsupported_node(span)),
                    }
                }
            };
        }
        match walk {
            Walk::Prefix(_, path) => Err(fail(E::IncompletePrefix(path.join(".")), span)),
            Walk::Value(head, steps, ty, _) => Ok(match (head, steps.is_empty()) {
                (Head::Expr(inner), true) => *inner,
                (head, _) => Typed {
                    node: TypedNode::Chain(TypedChain { head, steps }),
                    ty,
                    span,
                },
            }),
        }
    }

    fn unsupported_node(&self, span: Span) -> Typed {
        let last = self.unsupported.last().cloned().unwrap_or(Unsupported {
            path: String::new(),
            span,
        });
        Typed {
            node: TypedNode::Unsupported(last),
            ty: AdvType::Unknown,
            span,
        }
    }

    /// Records an unsupported name (or fails under strict checking); `Ok(None)` ends the chain.
    fn unsupported<T>(
        &mut self,
        path: String,
        span: Span,
        hint: Option<String>,
    ) -> CResult<Option<T>> {
        if self.options.strict {
            return Err(Fail {
                kind: E::Unsupported(path),
                span,
                hint,
            });
        }
        let mut message =
            format!("`{path}` is outside the supported subset and evaluates as unknown");
        if let Some(hint) = hint {
            message.push_str("; ");
            message.push_str(&hint);
        }
        self.lints.push(CheckLint {
            kind: CheckLintKind::UnsupportedMethod,
            span,
            message,
        });
        self.unsupported.push(Unsupported { path, span });
        Ok(None)
    }

    fn prefix_step(
        &mut self,
        at: Prefix,
        mut path: Vec<String>,
        call: &Call,
    ) -> CResult<Option<Walk>> {
        path.push(call.name.clone());
        let entry = PREFIXES
            .iter()
            .find(|e| e.at == at && e.name.eq_ignore_ascii_case(&call.name));
        let Some(entry) = entry else {
            let known = PREFIXES.iter().filter(|e| e.at == at).map(|e| e.name);
            if let Some(suggestion) = tables::nearest(&call.name, known) {
                return Err(fail(
                    E::UnknownMethod {
                        name: call.name.clone(),
                        receiver: AdvType::Prefix(at),
                        suggestion,
                    },
                    call.span,
                ));
            }
            return self.unsupported(path.join("."), call.span, None);
        };
        Ok(Some(match entry.next {
            Next::Prefix(next) => {
                if call.args.is_some() {
                    return Err(fail(
                        E::ArgumentCount {
                            method: call.name.clone(),
                            expected: 0,
                            found: call.args.as_ref().map_or(0, Vec::len),
                        },
                        call.span,
                    ));
                }
                Walk::Prefix(next, path)
            }
            Next::Source(kind, params, ty) => {
                let args = self.args(call, params)?;
                let source = make_source(kind, args, call)?;
                Walk::Value(Head::Source(source), Vec::new(), ty, path)
            }
        }))
    }

    fn method(&mut self, ty: AdvType, call: &Call, path: &[String]) -> CResult<Option<Step>> {
        let name = call.name.as_str();
        let candidates: Vec<_> = METHODS
            .iter()
            .filter(|e| e.recv.accepts(ty) && e.name == name)
            .collect();
        if candidates.is_empty() {
            if METHODS.iter().any(|e| e.name == name) {
                return Err(fail(
                    E::MethodNotForType {
                        name: name.to_owned(),
                        receiver: ty,
                    },
                    call.span,
                ));
            }
            let known = METHODS
                .iter()
                .filter(|e| e.recv.accepts(ty))
                .map(|e| e.name);
            if let Some(suggestion) = tables::nearest(name, known) {
                return Err(fail(
                    E::UnknownMethod {
                        name: name.to_owned(),
                        receiver: ty,
                        suggestion,
                    },
                    call.span,
                ));
            }
            let hint = match name {
                "NOTCONTAINS" => Some("write `.CONTAINS(...).NOT`".to_owned()),
                _ => None,
            };
            return self.unsupported(path.join("."), call.span, hint);
        }
        let mut first_error = None;
        for entry in &candidates {
            match self.args(call, entry.params) {
                Ok(args) => {
                    if entry.op == Op::SetTextMode && args.is_empty() {
                        // An enumeration word we do not evaluate (PLUSASSPACE...), D25.
                        let mode = call
                            .args
                            .as_ref()
                            .and_then(|a| a.first())
                            .map_or(String::new(), |a| a.to_string());
                        let path = format!("{}({mode})", path.join("."));
                        return self.unsupported(path, call.span, None);
                    }
                    let result = match entry.ret {
                        Ret::Is(t) => t,
                        Ret::Receiver => ty,
                    };
                    return Ok(Some(Step {
                        op: entry.op,
                        args,
                        on: ty,
                        ty: result,
                        span: call.span,
                    }));
                }
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some(e);
                    }
                }
            }
        }
        Err(first_error.unwrap_or_else(|| fail(E::Unsupported(name.to_owned()), call.span)))
    }

    fn args(&mut self, call: &Call, params: &[Param]) -> CResult<Vec<Arg>> {
        let given = call.args.as_deref().unwrap_or(&[]);
        if given.len() != params.len() {
            return Err(fail(
                E::ArgumentCount {
                    method: call.name.clone(),
                    expected: params.len(),
                    found: given.len(),
                },
                call.span,
            ));
        }
        let mut out = Vec::with_capacity(given.len());
        for (param, arg) in params.iter().zip(given) {
            if let Some(arg) = self.arg(call, *param, arg)? {
                out.push(arg);
            }
        }
        Ok(out)
    }

    /// One argument; `None` only for a text mode we do not evaluate.
    fn arg(&mut self, call: &Call, param: Param, arg: &AdvExpr) -> CResult<Option<Arg>> {
        let wrong = || {
            fail(
                E::ArgumentType {
                    method: call.name.clone(),
                    expected: param.describe(),
                },
                arg.span,
            )
        };
        let text_literal = match &arg.kind {
            AdvKind::Text(bytes) => Some(bytes.clone()),
            _ => None,
        };
        Ok(Some(match param {
            Param::Text | Param::Num => {
                let typed = self.expr(arg)?;
                let ok = match param {
                    Param::Text => typed.ty.is_text_like() || typed.ty == AdvType::Unknown,
                    _ => matches!(typed.ty, AdvType::Num | AdvType::Unknown),
                };
                if !ok {
                    return Err(wrong());
                }
                Arg::Expr(typed)
            }
            Param::TextLiteral | Param::Classic => {
                let bytes = text_literal.ok_or_else(wrong)?;
                Arg::Expr(Typed {
                    node: TypedNode::Text(bytes),
                    ty: AdvType::Text,
                    span: arg.span,
                })
            }
            Param::HeaderName => {
                let Some(bytes) = text_literal else {
                    return Err(fail(E::HeaderNameNotLiteral, arg.span));
                };
                if bytes.len() > 32 {
                    return Err(fail(E::HeaderNameTooLong(bytes.len()), arg.span));
                }
                Arg::Expr(Typed {
                    node: TypedNode::Text(bytes),
                    ty: AdvType::Text,
                    span: arg.span,
                })
            }
            Param::Index => match arg.kind {
                AdvKind::Number { value, .. } if value <= 14 => Arg::Index(value as u8),
                AdvKind::Number { value, .. } => return Err(fail(E::IndexRange(value), arg.span)),
                _ => return Err(wrong()),
            },
            Param::NumLiteral => match arg.kind {
                AdvKind::Number { value, .. } => Arg::Expr(Typed {
                    node: TypedNode::Num(i64::try_from(value).map_err(|_| wrong())?),
                    ty: AdvType::Num,
                    span: arg.span,
                }),
                _ => return Err(wrong()),
            },
            Param::Regex => match &arg.kind {
                AdvKind::Regex(re) if re.kind == PatternKind::Regex => Arg::Regex(re.clone()),
                _ => return Err(wrong()),
            },
            Param::Char => match &arg.kind {
                AdvKind::Char(c) => Arg::Char(*c),
                AdvKind::Text(bytes) if bytes.len() == 1 => {
                    Arg::Char(bytes.first().copied().ok_or_else(wrong)?)
                }
                _ => return Err(wrong()),
            },
            Param::Mode => match &arg.kind {
                AdvKind::Enum(word) => match TextMode::from_word(word) {
                    Some(mode) => Arg::Mode(mode),
                    None if is_text_mode_word(word) => return Ok(None),
                    None => return Err(wrong()),
                },
                _ => return Err(wrong()),
            },
            Param::MethodName => match &arg.kind {
                AdvKind::Enum(word) if is_method_word(word) => Arg::MethodWord(word.clone()),
                AdvKind::Chain(_) => match bare_word(arg) {
                    Some(word) => Arg::MethodWord(word.to_ascii_uppercase()),
                    None => return Err(wrong()),
                },
                AdvKind::Text(bytes) => Arg::MethodText(bytes.clone()),
                _ => return Err(wrong()),
            },
            Param::Ipv4 | Param::Subnet4 | Param::Ipv6 | Param::Subnet6 => match &arg.kind {
                AdvKind::Ip(ip) => {
                    let v4 = matches!(param, Param::Ipv4 | Param::Subnet4);
                    let subnet = matches!(param, Param::Subnet4 | Param::Subnet6);
                    if ip.addr.is_ipv4() != v4 || ip.prefix.is_some() != subnet {
                        return Err(wrong());
                    }
                    Arg::Ip(*ip)
                }
                _ => return Err(wrong()),
            },
            Param::Time => match &arg.kind {
                AdvKind::Time(t) => Arg::Time(*t),
                _ => return Err(wrong()),
            },
            Param::PatSet => match (&arg.kind, bare_word(arg)) {
                (AdvKind::Text(bytes), _) => {
                    Arg::PatSet(String::from_utf8_lossy(bytes).to_ascii_uppercase())
                }
                (_, Some(word)) => {
                    self.lints.push(CheckLint {
                        kind: CheckLintKind::BarePatsetName,
                        span: arg.span,
                        message: format!("pattern-set name `{word}` is usually quoted"),
                    });
                    Arg::PatSet(word.to_ascii_uppercase())
                }
                _ => return Err(wrong()),
            },
            Param::Attribute => match &arg.kind {
                AdvKind::Number { value, .. } if (1..=16).contains(value) => Arg::Expr(Typed {
                    node: TypedNode::Num(*value as i64),
                    ty: AdvType::Num,
                    span: arg.span,
                }),
                AdvKind::Text(bytes) => Arg::Expr(Typed {
                    node: TypedNode::Text(bytes.clone()),
                    ty: AdvType::Text,
                    span: arg.span,
                }),
                _ => return Err(wrong()),
            },
        }))
    }
}

/// A bare word written as a one-element chain (a method word or pattern-set name).
fn bare_word(arg: &AdvExpr) -> Option<&str> {
    match &arg.kind {
        AdvKind::Chain(chain) if chain.calls.is_empty() => match &chain.head {
            ChainHead::Word(call) if call.args.is_none() => Some(call.name.as_str()),
            _ => None,
        },
        AdvKind::Enum(word) => Some(word.as_str()),
        _ => None,
    }
}

fn is_named(name: &str) -> bool {
    PREFIXES
        .iter()
        .all(|e| e.at != Prefix::Root || !e.name.eq_ignore_ascii_case(name))
        && !crate::syntax::advanced::is_prefix_word(name)
}

fn is_method_word(word: &str) -> bool {
    const METHODS: &[&str] = &[
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH",
    ];
    METHODS.iter().any(|m| m.eq_ignore_ascii_case(word))
}

fn is_text_mode_word(word: &str) -> bool {
    const MODES: &[&str] = &[
        "PLUSASSPACE",
        "NOPLUSASSPACE",
        "BACKSLASH_ESCAPE_ENCODED",
        "NOBACKSLASH_ESCAPE_ENCODED",
        "SQLSPECIALCHARHANDLING",
        "NOSQLSPECIALCHARHANDLING",
        "HTML_XML_SAFE",
        "CSS_SAFE",
        "JAVASCRIPT_SAFE",
        "ASCII",
        "UTF_8",
    ];
    MODES.iter().any(|m| m.eq_ignore_ascii_case(word))
}

fn expect(
    typed: &Typed,
    op: &'static str,
    what: &'static str,
    ok: impl Fn(AdvType) -> bool,
) -> CResult<()> {
    if ok(typed.ty) || typed.ty == AdvType::Unknown {
        return Ok(());
    }
    Err(fail(
        E::OperandType {
            op,
            expected: what,
            found: typed.ty,
        },
        typed.span,
    ))
}

/// The type of `left op right` (D22, D24).
fn binary_type(op: BinOp, left: AdvType, right: &Typed, span: Span) -> CResult<AdvType> {
    let symbol = op.symbol();
    let operand = |ty: AdvType, at: Span, what: &'static str| {
        fail(
            E::OperandType {
                op: symbol,
                expected: what,
                found: ty,
            },
            at,
        )
    };
    let unknown = left == AdvType::Unknown || right.ty == AdvType::Unknown;
    let (l, r) = (left.comparable(), right.ty.comparable());
    match op {
        BinOp::Or | BinOp::And => {
            for (ty, at) in [(left, span), (right.ty, right.span)] {
                if !matches!(ty, AdvType::Bool | AdvType::Unknown) {
                    return Err(operand(ty, at, "booleans"));
                }
            }
            Ok(AdvType::Bool)
        }
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
            for (ty, at) in [(l, span), (r, right.span)] {
                let comparable = match ty {
                    AdvType::Num | AdvType::Text | AdvType::Time | AdvType::Unknown => true,
                    AdvType::Bool | AdvType::Ip | AdvType::Ipv6 => !ordered,
                    _ => false,
                };
                if !comparable {
                    return Err(operand(ty, at, "comparable values"));
                }
            }
            if !unknown && l != r {
                return Err(fail(
                    E::Mismatch {
                        op: symbol,
                        left: l,
                        right: r,
                    },
                    span,
                ));
            }
            Ok(AdvType::Bool)
        }
        BinOp::Add if unknown => Ok(if l == AdvType::Text || r == AdvType::Text {
            AdvType::Text
        } else {
            AdvType::Unknown
        }),
        BinOp::Add if l == AdvType::Text && r == AdvType::Text => Ok(AdvType::Text),
        _ => {
            for (ty, at) in [(l, span), (r, right.span)] {
                if !matches!(ty, AdvType::Num | AdvType::Unknown) {
                    let what = if op == BinOp::Add {
                        "two numbers or two texts"
                    } else {
                        "numbers"
                    };
                    return Err(operand(ty, at, what));
                }
            }
            Ok(AdvType::Num)
        }
    }
}

fn make_source(kind: SourceKind, args: Vec<Arg>, call: &Call) -> CResult<Source> {
    let text = |args: &[Arg]| match args.first() {
        Some(Arg::Expr(Typed {
            node: TypedNode::Text(bytes),
            ..
        })) => bytes.clone(),
        _ => Vec::new(),
    };
    Ok(match kind {
        SourceKind::Header => Source::Header(text(&args)),
        SourceKind::CacheControl => Source::Header(b"Cache-Control".to_vec()),
        SourceKind::Url => Source::Url,
        SourceKind::Hostname => Source::Hostname,
        SourceKind::Method => Source::Method,
        SourceKind::Version => Source::Version,
        SourceKind::Cookie => Source::Cookie,
        SourceKind::IsValid => Source::IsValid,
        SourceKind::Body => match args.first() {
            Some(Arg::Expr(Typed {
                node: TypedNode::Num(n),
                ..
            })) => Source::Body(u64::try_from(*n).unwrap_or(0)),
            _ => Source::Body(0),
        },
        SourceKind::Date => Source::Date,
        SourceKind::ClientIp { dst } => Source::ClientIp { dst },
        SourceKind::ClientIpv6 { dst } => Source::ClientIpv6 { dst },
        SourceKind::ClientPort { dst } => Source::ClientPort { dst },
        SourceKind::Mss => Source::Mss,
        SourceKind::VlanId => Source::VlanId,
        SourceKind::IsSsl => Source::IsSsl,
        SourceKind::ClientCert => Source::ClientCert,
        SourceKind::CipherBits => Source::CipherBits,
        SourceKind::SslVersion => Source::SslVersion,
        SourceKind::CipherExportable => Source::CipherExportable,
        SourceKind::SysTime => Source::SysTime,
        SourceKind::EvalClassic => {
            let bytes = text(&args);
            let classic = String::from_utf8_lossy(&bytes).into_owned();
            let parsed = crate::syntax::parse(&classic).map_err(|e| {
                let message = e.kind().to_string();
                fail(E::ClassicExpr(message), call.span)
            })?;
            Source::EvalClassic(Box::new(parsed))
        }
        SourceKind::ClientExpr => Source::ClientExpr(text(&args)),
        SourceKind::UserName => Source::UserName,
        SourceKind::IsMemberOf => Source::IsMemberOf(text(&args)),
        SourceKind::Groups => Source::Groups,
        SourceKind::Attribute => Source::Attribute(match args.first() {
            Some(Arg::Expr(Typed {
                node: TypedNode::Num(n),
                ..
            })) => AttributeKey::Number(u8::try_from(*n).unwrap_or(0)),
            _ => AttributeKey::Name(text(&args)),
        }),
    })
}
