//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Check, evaluate and simulate NetScaler classic and advanced policy expressions and Gateway session policies.
#[derive(Debug, Parser)]
#[command(name = "nsexpr", version, about, propagate_version = true)]
#[command(after_help = "\
Examples:
  nsexpr check 'REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver'
  nsexpr eval 'HEADER X-Citrix-Gateway EXISTS' -H 'X-Citrix-Gateway: gw.example.com'
  nsexpr simulate --config ns.conf --client ws-win
  nsexpr test corpus/tests/*.toml --junit report.xml

Exit codes: 0 = it ran (whatever the verdict), 1 = invalid input, 2 = usage error. `test` and
`lint` exit 1 when the check fails and 2 when they cannot do their work (see their --help).
An argument `-` reads standard input.")]
pub struct Cli {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// Stable JSON (documented in the README).
    Json,
    /// SARIF 2.1.0, for code scanning (`nsexpr lint` only).
    Sarif,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and compile rules; print each rule's canonical form or a diagnostic.
    #[command(after_help = "\
Examples:
  nsexpr check 'header user-agent contains Worx&&HEADER X-Citrix-Gateway EXISTS'
  nsexpr check --config ns.conf 'ns_non_get || MY_EXPR'
  nsexpr check --format json 'URL == /a*' 'METHOD == GET'
  nsexpr check 'HTTP.REQ.HEADER(\"User-Agent\").CONTAINS(\"Worx\")'     # advanced, detected
  cat rule.txt | nsexpr check -

Exit status 1 when any rule is invalid.")]
    Check(CheckArgs),
    /// Print a rule in canonical form.
    #[command(after_help = "\
Example:
  nsexpr fmt 'header user-agent contains Worx&&HEADER X-Citrix-Gateway EXISTS'
  => REQ.HTTP.HEADER user-agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS")]
    Fmt(FmtArgs),
    /// Evaluate a rule on one request: prints true, false, unknown or undef.
    #[command(after_help = "\
Examples:
  nsexpr eval 'REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver' -H 'User-Agent: CitrixReceiver/23.3'
  nsexpr eval 'HEADER X-Citrix-Gateway EXISTS' -H 'X-Citrix-Gateway:'
  nsexpr eval 'REQ.IP.SOURCEIP == 10.0.0.0 -netmask 255.0.0.0' --client-ip 10.1.2.3
  nsexpr eval 'URL == /cgi/*' --request login.http
  nsexpr eval 'HTTP.REQ.HEADER(\"User-Agent\").CONTAINS(\"Worx\") && AAA.USER.IS_MEMBER_OF(\"Staff\")' \\
      -H 'User-Agent: WorxWeb/23' --user alice --group Staff

Rules are classic or advanced, detected per rule (--syntax forces one). An advanced rule may
print `undef` (an evaluation error on the appliance: the policy's undef action applies).")]
    Eval(EvalArgs),
    /// Evaluate a rule on one request and print the verdict of every sub-expression.
    #[command(after_help = "\
Example:
  nsexpr explain 'HEADER User-Agent CONTAINS CitrixReceiver && HEADER Referer NOTEXISTS' \\
      -H 'User-Agent: CitrixReceiver/23.3'")]
    Explain(EvalArgs),
    /// Simulate the session policies of a Gateway vserver for one client or every preset.
    #[command(after_help = "\
Examples:
  nsexpr simulate --config corpus/configs/ctx139319.conf --client ws-win
  nsexpr simulate --config ns.conf --user alice --group Staff -H 'User-Agent: Mozilla/5.0' -H 'Referer: https://gw/'
  nsexpr simulate --config ns.conf                # one row per client preset

Config errors are printed on stderr; the simulation still runs on what loaded (exit 0).
Exit status 1 only when nothing can be simulated (no vserver, unreadable file).")]
    Simulate(SimulateArgs),
    /// List the client presets and their headers.
    #[command(after_help = "\
Examples:
  nsexpr clients
  nsexpr clients --format json")]
    Clients,
    /// Run policy unit tests (TOML specs) for CI.
    #[command(after_help = "\
Examples:
  nsexpr test corpus/tests/*.toml
  nsexpr test corpus/tests/wizards.toml --junit report.xml

Prints one line per failing case, then `N passed, M failed`. Exit status: 0 when every case
passed, 1 when one failed (an unreadable or invalid spec counts as a failed case), 2 when the
--junit report cannot be written (the summary is printed first).
The spec format is documented in the README (section \"Policy tests\").")]
    Test(TestArgs),
    /// Check a whole ns.conf for CI: references, parameters, rules, policy sets, syntax era.
    #[command(after_help = "\
Examples:
  nsexpr lint --config ns.conf
  nsexpr lint --config ns.conf --corpus requests.jsonl --deny warnings
  nsexpr lint --config ns.conf --format sarif > nsexpr.sarif

Exit status: 1 on any error finding (or any warning with --deny warnings), 0 otherwise,
2 when the configuration or corpus cannot be read. The codes are listed in the README.")]
    Lint(LintArgs),
    /// Replay a request corpus through a vserver's session policies and count hits.
    #[command(after_help = "\
Examples:
  nsexpr run --config corpus/configs/ctx139319.conf --corpus requests.jsonl
  nsexpr run --config ns.conf --corpus big.jsonl --threads 2 --limit 100000
  zcat access.log.gz | nsexpr run --config ns.conf --corpus - --format-in log")]
    Run(RunArgs),
    /// Convert a classic rule, or every classic rule of an ns.conf, to advanced syntax, and prove
    /// the result equivalent with both engines.
    #[command(after_help = "\
Examples:
  nsexpr convert 'REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver'
  nsexpr convert --format json 'URL == /Citrix/*'
  nsexpr convert --config ns.conf -o ns-advanced.conf      # migrate a whole configuration
  nsexpr convert --config ns.conf --verify-requests 10000 > /dev/null

A rule is proven on requests built from its own atoms, every client preset and generated
traffic; a configuration by simulating both files for every preset, every bound user and group
and --verify-requests generated requests. Exit status for a rule: 0 when it converted exactly and
verified, 1 when it was refused or is not equivalent; for a configuration: 0 when the migrated
file simulates like the original (refused lines stay classic and are listed), 1 otherwise.")]
    Convert(ConvertArgs),
    /// Time policy matching alone over a corpus loaded into memory first.
    #[command(after_help = "\
Examples:
  nsexpr bench --config corpus/configs/ctx139319.conf --corpus requests.jsonl
  nsexpr bench --config before.conf --compare after.conf --corpus requests.jsonl --format json

Loading is timed on its own; the passes time the matching path `nsexpr run` uses. With --compare,
both configs run over the same records and the requests whose applied policies differ are listed.")]
    Bench(BenchArgs),
    /// Request corpora.
    #[command(subcommand)]
    Corpus(CorpusCommand),
}

/// Options shared by the rule commands.
#[derive(Debug, Args)]
pub struct RuleOptions {
    /// ns.conf whose `add policy expression` lines define named expressions.
    #[arg(long, value_name = "NS_CONF")]
    pub config: Option<PathBuf>,
    /// Remove ns.conf quoting first (`"HEADER Cookie contains \"x\""`, `q{...}`).
    #[arg(long)]
    pub unquote: bool,
    /// The rule's syntax (default: detected per rule).
    #[arg(long, value_enum, value_name = "SYNTAX")]
    pub syntax: Option<SyntaxArg>,
}

/// The expression language of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyntaxArg {
    /// Classic policy expressions (`REQ.HTTP.HEADER X EXISTS`).
    Classic,
    /// Advanced (default-syntax) policy expressions (`HTTP.REQ.HEADER("X").EXISTS`).
    Advanced,
}

impl From<SyntaxArg> for nsexpr::Syntax {
    fn from(syntax: SyntaxArg) -> nsexpr::Syntax {
        match syntax {
            SyntaxArg::Classic => nsexpr::Syntax::Classic,
            SyntaxArg::Advanced => nsexpr::Syntax::Advanced,
        }
    }
}

/// The user logging on and their groups (`AAA.USER.NAME`, `AAA.USER.IS_MEMBER_OF`).
#[derive(Debug, Args)]
pub struct IdentityArgs {
    /// The user logging on.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// A group of the user (repeatable, in the order authentication returns them).
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
}

/// `nsexpr convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The classic rule (`-` reads standard input); without it, `--config` is migrated.
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,
    /// The ns.conf to migrate, or whose named expressions the rule uses.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where to write the migrated configuration (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Emit nspepi's forms and mark each inexact atom.
    #[arg(long)]
    pub nspepi_compatible: bool,
    /// Skip the proof of equivalence.
    #[arg(long)]
    pub no_verify: bool,
    /// Generated requests in the proof (a rule uses at most 20,000).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub verify_requests: usize,
    /// Remove ns.conf quoting from RULE first.
    #[arg(long)]
    pub unquote: bool,
}

/// `nsexpr check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rules to check (`-` reads one rule from standard input).
    #[arg(required = true, value_name = "RULE")]
    pub rules: Vec<String>,
    /// Named expressions and quoting.
    #[command(flatten)]
    pub options: RuleOptions,
}

/// `nsexpr fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The rule (`-` reads standard input).
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// Remove ns.conf quoting first.
    #[arg(long)]
    pub unquote: bool,
    /// The rule's syntax (default: detected).
    #[arg(long, value_enum, value_name = "SYNTAX")]
    pub syntax: Option<SyntaxArg>,
}

/// Which instance of a repeated header a rule tests (D6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HeaderInstanceArg {
    /// The last instance (default).
    Last,
    /// The first instance.
    First,
    /// Any instance.
    Any,
}

/// How the request is described on the command line.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// A request header `Name: value` (repeatable; order kept; the value may be empty).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// Request method.
    #[arg(long, value_name = "M")]
    pub method: Option<String>,
    /// Request target (path and query).
    #[arg(long = "url", value_name = "TARGET")]
    pub url: Option<String>,
    /// Client IP address (REQ.IP.SOURCEIP).
    #[arg(long, value_name = "IP")]
    pub client_ip: Option<std::net::IpAddr>,
    /// A raw HTTP/1.1 request file (the first request is used; `-` reads standard input).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["headers", "method", "url"])]
    pub request: Option<PathBuf>,
}

/// `nsexpr eval` and `nsexpr explain`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The rule (`-` reads standard input).
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// The request.
    #[command(flatten)]
    pub request: RequestArgs,
    /// A client preset (see `nsexpr clients`) as the request; `-H` headers are added to it.
    #[arg(long, value_name = "PRESET", conflicts_with = "request")]
    pub client: Option<String>,
    /// Named expressions and quoting.
    #[command(flatten)]
    pub options: RuleOptions,
    /// The user and groups (with either, the groups are known: those given, maybe none).
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Which instance of a repeated header a rule tests (D6).
    #[arg(long, value_enum, default_value_t = HeaderInstanceArg::Last)]
    pub header_instance: HeaderInstanceArg,
}

/// `nsexpr simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The ns.conf to simulate (`-` reads standard input).
    #[arg(long, value_name = "NS_CONF")]
    pub config: PathBuf,
    /// The vpn vserver (needed when the config has several).
    #[arg(long, value_name = "NAME")]
    pub vserver: Option<String>,
    /// The user logging on and their groups.
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// A client preset (see `nsexpr clients`); `-H` headers are added to it.
    #[arg(long, value_name = "PRESET", conflicts_with = "request")]
    pub client: Option<String>,
    /// The request.
    #[command(flatten)]
    pub request: RequestArgs,
    /// Include every policy's verdict tree.
    #[arg(long)]
    pub explain: bool,
    /// Which instance of a repeated header a rule tests (D6).
    #[arg(long, value_enum, default_value_t = HeaderInstanceArg::Last)]
    pub header_instance: HeaderInstanceArg,
    /// In the all-clients table, add a table of where each value comes from.
    #[arg(long)]
    pub sources: bool,
    /// Print the all-clients table at full width instead of fitting the terminal.
    #[arg(long)]
    pub wide: bool,
}

/// `nsexpr test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test specs (TOML).
    #[arg(required = true, value_name = "SPEC.toml")]
    pub specs: Vec<PathBuf>,
    /// Also write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// Corpus input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CorpusFormatArg {
    /// Native JSON Lines.
    Jsonl,
    /// HAR 1.2.
    Har,
    /// Raw HTTP/1.1 request dumps.
    Raw,
    /// Combined access logs.
    #[value(alias = "combined")]
    Log,
}

/// `nsexpr lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The ns.conf to check.
    #[arg(long, value_name = "NS_CONF")]
    pub config: PathBuf,
    /// Recorded traffic: adds `never-hit` and `unknown-on-traffic` findings.
    #[arg(long, value_name = "FILE")]
    pub corpus: Option<PathBuf>,
    /// The corpus format (default: guessed from the first bytes).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<CorpusFormatArg>,
    /// Make warnings fail the run too.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<DenyLevel>,
}

/// What `--deny` turns into a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    /// Warnings fail the run as errors do.
    Warnings,
}

/// `nsexpr run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The ns.conf whose session policies are evaluated.
    #[arg(long, value_name = "NS_CONF")]
    pub config: PathBuf,
    /// The corpus (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub corpus: PathBuf,
    /// The corpus format (default: guessed from the first bytes).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<CorpusFormatArg>,
    /// The vpn vserver (needed when the config has several).
    #[arg(long, value_name = "NAME")]
    pub vserver: Option<String>,
    /// Threads replaying a JSONL corpus (default: every core); the output does not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<std::num::NonZeroUsize>,
    /// Stop after N records (evaluated or malformed).
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Which instance of a repeated header a rule tests (D6).
    #[arg(long, value_enum, default_value_t = HeaderInstanceArg::Last)]
    pub header_instance: HeaderInstanceArg,
}

/// `nsexpr bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The ns.conf whose session policies are timed.
    #[arg(long, value_name = "NS_CONF")]
    pub config: PathBuf,
    /// The corpus (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub corpus: PathBuf,
    /// The corpus format (default: guessed from the first bytes).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<CorpusFormatArg>,
    /// The vpn vserver (needed when a config has several).
    #[arg(long, value_name = "NAME")]
    pub vserver: Option<String>,
    /// Timed passes over the corpus.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub passes: u32,
    /// A second ns.conf run over the same records and reported side by side.
    #[arg(long, value_name = "NS_CONF")]
    pub compare: Option<PathBuf>,
    /// Which instance of a repeated header a rule tests (D6).
    #[arg(long, value_enum, default_value_t = HeaderInstanceArg::Last)]
    pub header_instance: HeaderInstanceArg,
}

/// `nsexpr corpus ...`.
#[derive(Debug, Subcommand)]
pub enum CorpusCommand {
    /// Write a deterministic synthetic gateway-traffic corpus (JSON Lines).
    #[command(after_help = "\
Examples:
  nsexpr corpus generate --count 1000 --seed 42 > requests.jsonl
  nsexpr corpus generate --count 100000 --seed 7 --profile corpus/profiles/gateway-typical.toml --output big.jsonl

The same seed, profile and generator version give the same bytes. With --output, a summary is
printed (text or JSON); without it, the corpus goes to standard output.")]
    Generate(GenerateArgs),
}

/// `nsexpr corpus generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of requests.
    #[arg(long, value_name = "N")]
    pub count: u64,
    /// Seed.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Generator profile (TOML; default: the built-in gateway-typical profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Parses `-H 'Name: value'`; the value may be empty.
fn parse_header(text: &str) -> Result<(String, String), String> {
    let Some((name, value)) = text.split_once(':') else {
        return Err(format!("expected `Name: value`, got {text:?}"));
    };
    let name = name.trim();
    if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace() || c.is_control()) {
        return Err(format!("invalid header name {name:?}"));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn headers_keep_empty_values() {
        assert_eq!(
            parse_header("X-Citrix-Gateway:"),
            Ok(("X-Citrix-Gateway".to_owned(), String::new()))
        );
        assert_eq!(
            parse_header("User-Agent:  a: b "),
            Ok(("User-Agent".to_owned(), "a: b".to_owned()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header(": v").is_err());
    }
}
