//! Running the `nsexpr` binary from integration tests, in the repository root (where `corpus/`
//! is).
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn nsexpr_with_stdin(args: &[&str], stdin: impl AsRef<[u8]>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nsexpr"))
        .args(args)
        .current_dir(repository_root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nsexpr");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_ref())
        .expect("write stdin");
    let output = child.wait_with_output().expect("run nsexpr");
    Out {
        code: output.status.code().expect("exit code"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

/// The repository root: the parent of this package.
pub fn repository_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

pub fn nsexpr(args: &[&str]) -> Out {
    nsexpr_with_stdin(args, b"")
}

/// Standard error of a run under exactly these colour variables (`NO_COLOR`, `CLICOLOR`,
/// `CLICOLOR_FORCE`); standard error is a pipe, not a terminal.
pub fn stderr_with_colour_env(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_nsexpr"))
        .args(args)
        .current_dir(repository_root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(env.iter().copied())
        .output()
        .expect("run nsexpr");
    String::from_utf8(output.stderr).expect("utf-8 stderr")
}

pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

pub fn temp_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

pub fn temp_file(name: &str, content: &str) -> String {
    let path = temp_path(name);
    std::fs::write(&path, content).expect("write temp file");
    path.to_str().expect("utf-8 path").to_owned()
}
