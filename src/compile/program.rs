//! Building programs: [`Program`] from text or a parsed rule, [`ProgramBuilder`] for options,
//! [`ProgramSetBuilder`] for sets.

use std::str::FromStr;

use super::advanced::AdvCompileError;
use super::advanced::Typed;
use super::advanced::lower::{
    AdvNames, Lowered, check_advanced_names, inline_rule, lower_advanced, lower_with,
};
use super::lower::Compiler;
use super::passes::{self, Finished};
use super::{CompileError, CompileOptions, NamedExpressions, trigger};
use crate::ast::Expr;
use crate::ir::{ContextInput, HeaderInstance, HeaderKey, Member, Program, ProgramSet, Syntax};
use crate::syntax::{ParseOptions, Precedence};

/// Sets with at least this many rules get a trigger index; below it, evaluating every rule is
/// cheaper than consulting one.
const INDEX_THRESHOLD: usize = 16;

impl Syntax {
    /// The syntax a rule is written in, by the test of docs/semantics.md#classic-grammar.
    ///
    /// ```
    /// use nsexpr::Syntax;
    ///
    /// assert_eq!(Syntax::detect(r#"HTTP.REQ.HEADER("X").EXISTS"#), Syntax::Advanced);
    /// assert_eq!(Syntax::detect("REQ.HTTP.HEADER X EXISTS"), Syntax::Classic);
    /// ```
    pub fn detect(text: &str) -> Syntax {
        if crate::syntax::is_advanced(text) {
            Syntax::Advanced
        } else {
            Syntax::Classic
        }
    }
}

impl Program {
    /// Parses and compiles rule text, classic or advanced (detected per rule), with default
    /// options and no user named expressions.
    ///
    /// ```
    /// let program = nsexpr::Program::new("REQ.HTTP.HEADER X-Citrix-Gateway EXISTS")?;
    /// assert_eq!(program.text(), "REQ.HTTP.HEADER X-Citrix-Gateway EXISTS");
    /// # Ok::<(), nsexpr::Error>(())
    /// ```
    pub fn new(text: &str) -> Result<Program, crate::Error> {
        Program::builder().build(text)
    }

    /// Options for parsing and compiling, like `regex::RegexBuilder`.
    ///
    /// ```
    /// use nsexpr::syntax::Precedence;
    /// use nsexpr::{HeaderInstance, NamedExpressions, Program};
    ///
    /// let mut names = NamedExpressions::new();
    /// names.define("is_receiver", "HEADER User-Agent CONTAINS CitrixReceiver");
    /// let program = Program::builder()
    ///     .precedence(Precedence::LeftToRight)
    ///     .header_instance(HeaderInstance::First)
    ///     .names(&names)
    ///     .max_nesting(512)
    ///     .build("is_receiver && METHOD == POST")?;
    /// assert_eq!(program.headers().collect::<Vec<_>>(), ["user-agent"]);
    /// # Ok::<(), nsexpr::Error>(())
    /// ```
    pub fn builder<'n>() -> ProgramBuilder<'n> {
        ProgramBuilder {
            names: None,
            options: CompileOptions::default(),
            syntax: None,
        }
    }

    /// Compiles a parsed rule. `source` is the text it was parsed from (for error carets);
    /// `names` supplies user named expressions (D12), parsed with `options.parse` (give it the
    /// options `expr` was parsed with).
    pub fn compile(
        expr: &Expr,
        source: &str,
        names: &NamedExpressions,
        options: &CompileOptions,
    ) -> Result<Program, CompileError> {
        let mut compiler = Compiler::new(names, options);
        let root = compiler.lower_rule(expr, source)?;
        let inputs = compiler.arena.inputs.to_set();
        let Finished {
            nodes,
            layout,
            labels,
        } = passes::finish(compiler.arena, &[root], options.header_instance);
        Ok(Program {
            nodes,
            root,
            layout,
            labels,
            inputs,
            syntax: Syntax::Classic,
            unsupported: Box::default(),
        })
    }

    /// Parses, checks and compiles an advanced rule (D21-D32); `names` supplies advanced named
    /// expressions (and the classic ones `SYS.EVAL_CLASSIC_EXPR` may use).
    ///
    /// ```
    /// use nsexpr::eval::HeaderList;
    /// use nsexpr::{CompileOptions, NamedExpressions, Program, Syntax, Verdict};
    ///
    /// let rule = r#"HTTP.REQ.HEADER("User-Agent").SET_TEXT_MODE(IGNORECASE).CONTAINS("Worx")"#;
    /// let program =
    ///     Program::compile_advanced(rule, &NamedExpressions::new(), &CompileOptions::default())?;
    /// assert_eq!(program.syntax(), Syntax::Advanced);
    /// let request = HeaderList::new("GET", "/", &[("User-Agent", "WorxWeb/1")]);
    /// assert_eq!(program.eval(&request), Verdict::True);
    /// # Ok::<(), nsexpr::compile::advanced::AdvCompileError>(())
    /// ```
    pub fn compile_advanced(
        text: &str,
        names: &NamedExpressions,
        options: &CompileOptions,
    ) -> Result<Program, AdvCompileError> {
        let mut compiler = Compiler::new(names, options);
        let lowered = lower_advanced(&mut compiler, &mut None, text)?;
        Ok(finish_advanced(compiler, lowered))
    }

    /// The language the rule is written in.
    pub fn syntax(&self) -> Syntax {
        self.syntax
    }

    /// Dependencies no context can supply (`advanced:<PATH>` for methods outside our tables,
    /// `regex:<construct>` for PCRE constructs the regex engine lacks, `request_body`): where
    /// the rule reaches one it is UNKNOWN (D24, D27, D28). Empty for classic rules.
    pub fn unsupported(&self) -> &[String] {
        &self.unsupported
    }

    /// The canonical text of the rule (D15).
    pub fn text(&self) -> &str {
        self.labels.text(self.root)
    }

    /// The request headers the rule reads, lower-case, each once.
    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.layout.headers.iter().map(HeaderKey::as_str)
    }

    /// The context inputs the rule may need (D13); a request evaluated without them can be UNKNOWN.
    pub fn context_inputs(&self) -> &std::collections::BTreeSet<ContextInput> {
        &self.inputs
    }
}

impl FromStr for Program {
    type Err = crate::Error;

    fn from_str(text: &str) -> Result<Program, crate::Error> {
        Program::new(text)
    }
}

/// The program of one lowered advanced rule.
fn finish_advanced(compiler: Compiler<'_>, lowered: Lowered) -> Program {
    let inputs = compiler.arena.inputs.to_set();
    let root = lowered.root;
    let Finished {
        nodes,
        layout,
        labels,
    } = passes::finish(compiler.arena, &[root], compiler.options.header_instance);
    Program {
        nodes,
        root,
        layout,
        labels,
        inputs,
        syntax: Syntax::Advanced,
        unsupported: lowered.unsupported.into_boxed_slice(),
    }
}

/// Advanced rules compiled one at a time against named expressions checked once: for checks
/// that compile many rules and parts of rules (`nsexpr lint`).
pub(crate) struct AdvancedRules {
    names: NamedExpressions,
    options: CompileOptions,
    checked: AdvNames,
}

impl AdvancedRules {
    /// Checks the advanced named expressions of `names` (see
    /// [`NamedExpressions::insert_advanced`]).
    pub(crate) fn new(names: NamedExpressions, options: CompileOptions) -> AdvancedRules {
        let checked = check_advanced_names(&Compiler::new(&names, &options));
        AdvancedRules {
            names,
            options,
            checked,
        }
    }

    /// The named expressions, classic and advanced.
    pub(crate) fn names(&self) -> &NamedExpressions {
        &self.names
    }

    /// [`Program::compile_advanced`] with the names checked once.
    pub(crate) fn compile(&self, text: &str) -> Result<Program, AdvCompileError> {
        let mut compiler = Compiler::new(&self.names, &self.options);
        let lowered = lower_with(&mut compiler, &self.checked, text)?;
        Ok(finish_advanced(compiler, lowered))
    }

    /// The checked tree of a rule with every named expression replaced by its body.
    pub(crate) fn inlined(&self, text: &str) -> Result<Typed, AdvCompileError> {
        inline_rule(
            &Compiler::new(&self.names, &self.options),
            &self.checked,
            text,
        )
    }
}

/// Parse and compile options for one [`Program`]; see [`Program::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ProgramBuilder<'n> {
    names: Option<&'n NamedExpressions>,
    options: CompileOptions,
    syntax: Option<Syntax>,
}

impl<'n> ProgramBuilder<'n> {
    /// How unparenthesised `&&`/`||` group, in the rule and in its named expressions (D1).
    pub fn precedence(mut self, precedence: Precedence) -> Self {
        self.options.parse.precedence = precedence;
        self
    }

    /// Which instance of a repeated header the rule tests (D6).
    pub fn header_instance(mut self, instance: HeaderInstance) -> Self {
        self.options.header_instance = instance;
        self
    }

    /// User named expressions the rule may use (D12).
    pub fn names(mut self, names: &'n NamedExpressions) -> Self {
        self.names = Some(names);
        self
    }

    /// Maximum nesting of `(` and `!` (D16), clamped to
    /// [`MAX_NESTING_LIMIT`](crate::syntax::MAX_NESTING_LIMIT).
    pub fn max_nesting(mut self, depth: usize) -> Self {
        self.options.parse.max_nesting = depth.min(crate::syntax::MAX_NESTING_LIMIT);
        self
    }

    /// Predefine the probable definitions of the unpublished built-ins (D12).
    pub fn unverified_builtins(mut self, enabled: bool) -> Self {
        self.options.unverified_builtins = enabled;
        self
    }

    /// Replaces all parse options at once.
    pub fn parse_options(mut self, options: ParseOptions) -> Self {
        self.options.parse = options;
        self
    }

    /// Replaces all compile options at once (advanced options included).
    pub fn options(mut self, options: CompileOptions) -> Self {
        self.options = options;
        self
    }

    /// Forces the rule's syntax instead of detecting it.
    ///
    /// ```
    /// use nsexpr::{Program, Syntax};
    ///
    /// let program = Program::builder().syntax(Syntax::Advanced).build("TRUE")?;
    /// assert_eq!(program.syntax(), Syntax::Advanced);
    /// # Ok::<(), nsexpr::Error>(())
    /// ```
    pub fn syntax(mut self, syntax: Syntax) -> Self {
        self.syntax = Some(syntax);
        self
    }

    /// Parses and compiles `text`.
    pub fn build(&self, text: &str) -> Result<Program, crate::Error> {
        let none = NamedExpressions::new();
        let names = self.names.unwrap_or(&none);
        match self.syntax.unwrap_or_else(|| Syntax::detect(text)) {
            Syntax::Advanced => Ok(Program::compile_advanced(text, names, &self.options)?),
            Syntax::Classic => {
                let parsed = crate::syntax::parse_with(text, &self.options.parse)?;
                Ok(Program::compile(&parsed.expr, text, names, &self.options)?)
            }
        }
    }
}

/// Builds a [`ProgramSet`] rule by rule; named expressions are compiled once for the whole set.
pub struct ProgramSetBuilder<'a> {
    compiler: Compiler<'a>,
    members: Vec<Member>,
    /// Advanced named expressions, checked at the first advanced rule.
    advanced_names: Option<AdvNames>,
}

impl<'a> ProgramSetBuilder<'a> {
    /// An empty set whose rules resolve names in `names`.
    pub fn new(names: &'a NamedExpressions, options: &'a CompileOptions) -> ProgramSetBuilder<'a> {
        ProgramSetBuilder {
            compiler: Compiler::new(names, options),
            members: Vec::new(),
            advanced_names: None,
        }
    }

    /// Adds a parsed classic rule; returns its index in the set.
    pub fn add(&mut self, expr: &Expr, source: &str) -> Result<usize, CompileError> {
        let root = self.compiler.lower_rule(expr, source)?;
        let inputs = self.compiler.arena.inputs.to_set();
        self.members.push(Member {
            root,
            inputs,
            syntax: Syntax::Classic,
            unsupported: Box::default(),
        });
        Ok(self.members.len() - 1)
    }

    /// Adds rule text in `syntax` (`None`: detected per rule); returns its index. Classic and
    /// advanced rules of one set share the header table and memoised leaves.
    ///
    /// ```
    /// use nsexpr::eval::HeaderList;
    /// use nsexpr::{CompileOptions, NamedExpressions, ProgramSetBuilder, Syntax, Verdict};
    ///
    /// let (names, options) = (NamedExpressions::new(), CompileOptions::default());
    /// let mut builder = ProgramSetBuilder::new(&names, &options);
    /// builder.add_text("HEADER User-Agent CONTAINS Receiver", None)?;
    /// builder.add_text(r#"HTTP.REQ.HEADER("User-Agent").CONTAINS("Receiver")"#, None)?;
    /// let set = builder.build();
    /// assert_eq!(set.syntax(1), Some(Syntax::Advanced));
    /// let request = HeaderList::new("GET", "/", &[("User-Agent", "citrixreceiver")]);
    /// let mut verdicts = Vec::new();
    /// set.eval_all(&request, &mut verdicts);
    /// assert_eq!(verdicts, [Verdict::True, Verdict::False]);
    /// # Ok::<(), nsexpr::Error>(())
    /// ```
    pub fn add_text(&mut self, text: &str, syntax: Option<Syntax>) -> Result<usize, crate::Error> {
        match syntax.unwrap_or_else(|| Syntax::detect(text)) {
            Syntax::Classic => {
                let parsed = crate::syntax::parse_with(text, &self.compiler.options.parse)?;
                Ok(self.add(&parsed.expr, text)?)
            }
            Syntax::Advanced => {
                let lowered = lower_advanced(&mut self.compiler, &mut self.advanced_names, text)?;
                let inputs = self.compiler.arena.inputs.to_set();
                self.members.push(Member {
                    root: lowered.root,
                    inputs,
                    syntax: Syntax::Advanced,
                    unsupported: lowered.unsupported.into_boxed_slice(),
                });
                Ok(self.members.len() - 1)
            }
        }
    }

    /// The finished set.
    pub fn build(self) -> ProgramSet {
        let roots: Vec<_> = self.members.iter().map(|m| m.root).collect();
        let instance = self.compiler.options.header_instance;
        let Finished {
            nodes,
            layout,
            labels,
        } = passes::finish(self.compiler.arena, &roots, instance);
        let index = (roots.len() >= INDEX_THRESHOLD).then(|| trigger::build(&nodes, &roots));
        ProgramSet {
            nodes,
            members: self.members.into_boxed_slice(),
            index,
            layout,
            labels,
        }
    }
}

impl ProgramSet {
    /// The number of rules.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the set has no rules.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The language rule `index` is written in.
    pub fn syntax(&self, index: usize) -> Option<Syntax> {
        self.members.get(index).map(|m| m.syntax)
    }

    /// The dependencies rule `index` can never have supplied (see [`Program::unsupported`]).
    pub fn unsupported(&self, index: usize) -> &[String] {
        self.members.get(index).map_or(&[], |m| &m.unsupported)
    }

    /// The canonical text of rule `index`.
    pub fn text(&self, index: usize) -> Option<&str> {
        self.members.get(index).map(|m| self.labels.text(m.root))
    }

    /// The request headers the set reads, lower-case, each once.
    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.layout.headers.iter().map(HeaderKey::as_str)
    }
}
