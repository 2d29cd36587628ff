//! Temporary parser interface (replaced by the nom parser on merge).
use crate::ast::{Expr, Span};
/// A parse error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parse error at {span:?}")]
pub struct ParseError { span: Span }
/// Parses a rule.
pub fn parse(_text: &str) -> Result<Expr, ParseError> { Err(ParseError { span: Span::default() }) }
