//! Building programs: [`Program`] from text or a parsed rule, [`ProgramBuilder`] for options,
//! [`ProgramSetBuilder`] for sets.

use std::str::FromStr;

use super::lower::Compiler;
use super::passes::{self, Finished};
use super::{CompileError, CompileOptions, NamedExpressions, trigger};
use crate::ast::Expr;
use crate::ir::{ContextInput, HeaderInstance, HeaderKey, Member, Program, ProgramSet};
use crate::syntax::{ParseOptions, Precedence};

/// Sets with at least this many rules get a trigger index; below it, evaluating every rule is
/// cheaper than consulting one.
const INDEX_THRESHOLD: usize = 16;

impl Program {
    /// Parses and compiles rule text with default options and no user named expressions.
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
    ///     .max_nesting(1_000)
    ///     .build("is_receiver && METHOD == POST")?;
    /// assert_eq!(program.headers().collect::<Vec<_>>(), ["user-agent"]);
    /// # Ok::<(), nsexpr::Error>(())
    /// ```
    pub fn builder<'n>() -> ProgramBuilder<'n> {
        ProgramBuilder {
            names: None,
            options: CompileOptions::default(),
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
        })
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

/// Parse and compile options for one [`Program`]; see [`Program::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ProgramBuilder<'n> {
    names: Option<&'n NamedExpressions>,
    options: CompileOptions,
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

    /// Maximum nesting of `(` and `!` (D16).
    pub fn max_nesting(mut self, depth: usize) -> Self {
        self.options.parse.max_nesting = depth;
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

    /// Parses and compiles `text`.
    pub fn build(&self, text: &str) -> Result<Program, crate::Error> {
        let parsed = crate::syntax::parse_with(text, &self.options.parse)?;
        let none = NamedExpressions::new();
        let names = self.names.unwrap_or(&none);
        Ok(Program::compile(&parsed.expr, text, names, &self.options)?)
    }
}

/// Builds a [`ProgramSet`] rule by rule; named expressions are compiled once for the whole set.
pub struct ProgramSetBuilder<'a> {
    compiler: Compiler<'a>,
    members: Vec<Member>,
}

impl<'a> ProgramSetBuilder<'a> {
    /// An empty set whose rules resolve names in `names`.
    pub fn new(names: &'a NamedExpressions, options: &'a CompileOptions) -> ProgramSetBuilder<'a> {
        ProgramSetBuilder {
            compiler: Compiler::new(names, options),
            members: Vec::new(),
        }
    }

    /// Adds a parsed rule; returns its index in the set.
    pub fn add(&mut self, expr: &Expr, source: &str) -> Result<usize, CompileError> {
        let root = self.compiler.lower_rule(expr, source)?;
        let inputs = self.compiler.arena.inputs.to_set();
        self.members.push(Member { root, inputs });
        Ok(self.members.len() - 1)
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

    /// The canonical text of rule `index`.
    pub fn text(&self, index: usize) -> Option<&str> {
        self.members.get(index).map(|m| self.labels.text(m.root))
    }

    /// The request headers the set reads, lower-case, each once.
    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.layout.headers.iter().map(HeaderKey::as_str)
    }
}
