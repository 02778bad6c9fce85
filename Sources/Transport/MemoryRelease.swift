import CLinux

/// Memory the daemon gives back while it waits for its next run: freed heap pages, and the clean pages of its
/// binary and libraries that only this process maps (read back from disk when next used).
public enum MemoryRelease {
    /// Gives back what can be given back now; a no-op where the system cannot.
    public static func now() {
        _ = sb_memory_release()
    }
}
