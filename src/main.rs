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
    fix_mmap_threshold();
    cli::main()
}

/// glibc's malloc raises its mmap threshold to the size of each large block it frees (up to
/// 32 MiB). Compiling the rule set at start-up frees blocks of several MiB, so from then on every
/// large buffer (sled's I/O buffers, the store's learned-count tables, a long document's text)
/// came from the heap arenas, where freeing it left holes that later small allocations pinned:
/// an ingest into the store grew by about 0.2 KB of resident memory per document after its
/// live data had stopped growing. A fixed threshold (glibc's initial one) keeps large blocks in
/// mappings of their own, returned to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fix_mmap_threshold() {
    use std::os::raw::c_int;
    extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    /// `M_MMAP_THRESHOLD` in glibc's `malloc.h`.
    const M_MMAP_THRESHOLD: c_int = -3;
    // SAFETY: `mallopt` only sets an allocator parameter and is safe to call at any time; this
    // runs first thing in `main`, before any thread exists. A failure (return 0) leaves the
    // default behaviour, which is correct, only less frugal.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fix_mmap_threshold() {}
