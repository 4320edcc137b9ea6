//! The `deboiler` binary: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    cli::main()
}
