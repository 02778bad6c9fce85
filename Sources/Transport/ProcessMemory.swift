import CLinux

/// How the process's memory allocator is set up.
public enum ProcessMemory {
    /// Keeps a long-running process's resident memory from creeping: glibc otherwise gives most threads an arena
    /// of their own (up to eight per core) and raises its thresholds with the largest block ever freed, so
    /// freed memory fragments across arenas and is never given back. Two arenas and a fixed 128 KiB threshold
    /// keep the daemon's memory flat run after run (`make soak`). MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_ and
    /// MALLOC_TRIM_THRESHOLD_ in the environment still win. Call it once, first thing at start-up.
    public static func boundAllocatorGrowth() {
        _ = sb_malloc_bound_growth(2, 128 * 1024)
    }
}
