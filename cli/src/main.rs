//! `nsexpr`: check, format, evaluate and explain NetScaler classic policy expressions, simulate
//! Gateway session policies, run policy unit tests and replay request corpora.
//!
//! Exit codes: 0 = the command ran (whatever the verdict), 1 = invalid input (a diagnostic on
//! standard error, or a failing `nsexpr test` case), 2 = usage error.
//!
//! Argument parsing ([`args`]), diagnostics ([`diag`]) and one module per group of subcommands;
//! everything here is a thin layer over the library's public API.
#![forbid(unsafe_code)]

mod args;
mod bench;
mod convert;
mod diag;
mod lint;
mod rule;
mod run;
mod simulate;
mod test;

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use nsexpr::config::{Config, Loaded};
use nsexpr::corpus::{CorpusFormat, Loader, RecordedRequest};
use nsexpr::sim::ClientPreset;
use nsexpr::{CompileOptions, Context, HeaderInstance, NamedExpressions};

use args::{Cli, Command, CorpusCommand, Format, HeaderInstanceArg, RequestArgs};

fn main() -> ExitCode {
    let args = Cli::parse();
    match dispatch(args) {
        Ok(code) => code,
        Err(failure) => {
            diag::print_failure(&failure);
            ExitCode::from(1)
        }
    }
}

/// An error that stops a command: printed as `error: <message>`, exit status 1.
#[derive(Debug)]
struct Failure(String);

impl Failure {
    /// A failure about a file.
    fn file(path: &Path, e: impl std::fmt::Display) -> Failure {
        Failure(format!("{}: {e}", display_path(path)))
    }
}

/// Runs the chosen subcommand.
fn dispatch(cli: Cli) -> Result<ExitCode, Failure> {
    let format = cli.format;
    if format == Format::Sarif && !matches!(cli.command, Command::Lint(_)) {
        eprintln!("error: --format sarif is only for `nsexpr lint`");
        return Ok(ExitCode::from(2));
    }
    match cli.command {
        Command::Lint(a) => Ok(lint::lint(&a, format)),
        Command::Check(a) => rule::check(&a, format),
        Command::Fmt(a) => rule::fmt(&a, format),
        Command::Eval(a) => rule::eval(&a, format),
        Command::Explain(a) => rule::explain(&a, format),
        Command::Simulate(a) => simulate::simulate(&a, format),
        Command::Clients => simulate::clients(format),
        Command::Test(a) => test::test(&a, format),
        Command::Run(a) => run::run(&a, format),
        Command::Convert(a) => convert::convert(&a, format),
        Command::Bench(a) => bench::bench(&a, format),
        Command::Corpus(CorpusCommand::Generate(a)) => run::generate(&a, format),
    }
}

/// How a path is shown in messages (`-` is standard input).
fn display_path(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads a whole file, or standard input for `-`.
fn read_text(path: &Path) -> Result<String, Failure> {
    let mut text = String::new();
    let result = if is_stdin(path) {
        io::stdin().read_to_string(&mut text)
    } else {
        File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    result.map_err(|e| Failure::file(path, e))?;
    Ok(text)
}

/// A rule argument: the text itself, or standard input for `-` (without its final line end).
fn rule_argument(arg: &str, unquote: bool) -> Result<String, Failure> {
    let text = if arg == "-" {
        let text = read_text(Path::new("-"))?;
        let trimmed = text.strip_suffix('\n').unwrap_or(&text);
        trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned()
    } else {
        arg.to_owned()
    };
    if unquote {
        nsexpr::config::unquote_argument(&text)
            .map_err(|e| Failure(format!("cannot unquote the rule: {e}")))
    } else {
        Ok(text)
    }
}

/// Reads a whole file as bytes, or standard input for `-`.
fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let result = if is_stdin(path) {
        io::stdin().read_to_end(&mut bytes)
    } else {
        File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    result.map_err(|e| Failure::file(path, e))?;
    Ok(bytes)
}

/// Reads an ns.conf; its errors are printed on standard error and reading goes on.
fn load_config(path: &Path) -> Result<Loaded, Failure> {
    let bytes = read_bytes(path)?;
    Ok(load_config_bytes(&bytes, path))
}

/// Reads an ns.conf given as bytes (every command reads configs this way): a line that is not
/// UTF-8 costs that line only. Its errors are printed on standard error.
fn load_config_bytes(bytes: &[u8], path: &Path) -> Loaded {
    let read = Config::read_bytes(bytes, &display_path(path));
    diag::print_config_errors(&read.errors);
    read
}

/// The named expressions of an ns.conf (none without one).
fn load_names(config: Option<&Path>) -> Result<NamedExpressions, Failure> {
    match config {
        Some(path) => Ok(named_expressions(&load_config(path)?)),
        None => Ok(NamedExpressions::new()),
    }
}

/// The named expressions a config defines.
fn named_expressions(read: &Loaded) -> NamedExpressions {
    let mut names = NamedExpressions::new();
    for (name, text) in read.config.named_expressions() {
        names.define(name, &text.text);
    }
    names
}

/// Compile options for a header-instance choice.
fn compile_options(instance: HeaderInstanceArg) -> CompileOptions {
    let mut options = CompileOptions::default();
    options.header_instance = match instance {
        HeaderInstanceArg::Last => HeaderInstance::Last,
        HeaderInstanceArg::First => HeaderInstance::First,
        HeaderInstanceArg::Any => HeaderInstance::Any,
    };
    options
}

/// A request and its context, as described on the command line.
struct Input {
    request: RecordedRequest,
    context: Option<Context>,
}

/// Builds the request: a raw HTTP file, or a preset and/or `-H` headers (defaults `GET /`).
/// A `-H` header replaces the preset's headers of the same name.
fn build_request(args: &RequestArgs, preset: Option<&ClientPreset>) -> Result<Input, Failure> {
    let mut request = match &args.request {
        Some(path) => first_raw_request(path)?,
        None => {
            let mut headers: Vec<(String, Vec<u8>)> = preset
                .map(|p| {
                    p.headers
                        .iter()
                        .filter(|(n, _)| {
                            !args.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n))
                        })
                        .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
                        .collect()
                })
                .unwrap_or_default();
            headers.extend(
                args.headers
                    .iter()
                    .map(|(n, v)| (n.clone(), v.as_bytes().to_vec())),
            );
            RecordedRequest {
                method: args
                    .method
                    .clone()
                    .or_else(|| preset.map(|p| p.method.to_owned()))
                    .unwrap_or_else(|| "GET".to_owned()),
                target: args
                    .url
                    .clone()
                    .or_else(|| preset.map(|p| p.target.to_owned()))
                    .unwrap_or_else(|| "/".to_owned()),
                version: "HTTP/1.1".to_owned(),
                headers,
                ..RecordedRequest::default()
            }
        }
    };
    let mut context = request.context.take().map(|c| c.to_context());
    if let Some(ip) = args.client_ip {
        context
            .get_or_insert_with(Context::default)
            .request_net
            .source_ip = Some(ip);
    }
    Ok(Input { request, context })
}

/// The first request of a raw HTTP/1.1 file.
fn first_raw_request(path: &Path) -> Result<RecordedRequest, Failure> {
    let loader = if is_stdin(path) {
        Loader::from_reader(BufReader::new(io::stdin()), Some(CorpusFormat::RawHttp))
    } else {
        let file = File::open(path).map_err(|e| Failure::file(path, e))?;
        Loader::from_reader(BufReader::new(file), Some(CorpusFormat::RawHttp))
    }
    .map_err(|e| Failure::file(path, e))?;
    match loader.into_iter().next() {
        Some(Ok(record)) => Ok(record),
        Some(Err(e)) => Err(Failure::file(path, e)),
        None => Err(Failure::file(path, "no HTTP request in the file")),
    }
}

/// Writes a value as one line of JSON on standard output.
fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string(value).map_err(|e| Failure(format!("JSON output: {e}")))?;
    print_out(&format!("{text}\n"))
}

/// Writes text on standard output (a closed pipe is not an error worth a diagnostic).
fn print_out(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(format!("writing the output: {e}"))),
    }
}

/// Exit status 0 or 1.
fn status(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Whether a format is JSON.
fn is_json(format: Format) -> bool {
    format == Format::Json
}
