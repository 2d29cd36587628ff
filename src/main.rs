//! `nsexpr`: check, format, evaluate and explain NetScaler classic policy expressions, simulate
//! Gateway session policies, run policy unit tests and replay request corpora.
//!
//! Exit codes: 0 = the command ran (whatever the verdict), 1 = invalid input (a diagnostic on
//! standard error, or a failing `nsexpr test` case), 2 = usage error.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(failure) => {
            cli::diag::print_failure(&failure);
            ExitCode::from(1)
        }
    }
}
