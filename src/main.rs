//! The `deboiler` binary: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

mod cli;

/// mimalloc instead of glibc's malloc: every page builds a tree of small nodes, strings and
/// attribute maps and frees it whole, and allocation was 15% of the HTML pipeline's
/// instructions (10% fewer instructions in all on the Zyte pages with mimalloc). Built with
/// `no_thp`: with transparent huge pages the kernel zeroed 2 MiB folios each time a page's
/// buffers were reused, and system time was a fifth of an ingest's CPU time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
