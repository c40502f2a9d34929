//! Allocator settings that keep a replica's resident memory near what it uses (glibc malloc).
//! `make bench` reports the RSS after the catalog load (docs/performance.md).

/// Called first thing in `main`, before any thread exists. glibc gives each thread that allocates
/// its own arena (up to 8 per core) and keeps freed memory in it: the index writer's threads (new
/// ones at every commit), the runtime's workers and the blocking pool each left a partly used 64 MiB
/// heap behind. An operator's `GLIBC_TUNABLES=glibc.malloc.arena_max=N` wins.
pub fn tune() {
    let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if tunables.contains("arena_max") {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
}

/// glibc arenas: a few for two cores (glibc's default is 8 per core). Fewer makes the index build's
/// threads wait on arena locks; more keeps freed memory resident after it (docs/performance.md).
const ARENAS: i32 = 4;

/// Hands freed memory back to the OS after a burst of temporary allocations (the index build).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}
