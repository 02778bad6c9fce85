#ifndef SERVICE_BACKUP_CLINUX_H
#define SERVICE_BACKUP_CLINUX_H

#include <stddef.h>

/* Linux calls Swift cannot make directly (no glibc wrapper, or a variadic syscall). Each acts on the
   calling thread only and returns 0, or -1 with errno set. */

/* Sets the niceness of the calling thread (setpriority on its thread id). */
int sb_thread_set_nice(int nice);

/* Sets the I/O priority of the calling thread: ioprio_set(IOPRIO_WHO_PROCESS, gettid(), class << 13 | level).
   Classes as the kernel numbers them: 1 realtime, 2 best-effort, 3 idle. */
int sb_thread_set_ioprio(int io_class, int level);

/* The calling thread's I/O priority class and level (-1 on error). */
int sb_thread_get_ioprio(void);

/* Stores the niceness of the calling thread in `nice` (getpriority on its thread id). */
int sb_thread_get_nice(int *nice);

/* Sets the I/O priority of the calling thread to `value` exactly as sb_thread_get_ioprio returned it. */
int sb_thread_set_ioprio_value(int value);

/* Bounds how far glibc's allocator lets a long-running process's memory creep: at most `arenas` malloc arenas
   (instead of eight per core, each thread soon holding one) and a fixed `threshold` in bytes above which blocks are
   mapped on their own and unmapped when freed, and above which free memory at the top of a heap is given back
   (instead of thresholds that rise with the largest block ever freed). A setting whose MALLOC_* environment
   variable is set is left as the environment says. Returns 0, or -1 when glibc refused a setting. */
int sb_malloc_bound_growth(int arenas, int threshold);

/* Installs one handler for each of `signals` that writes the signal's number as a byte to a self-pipe, so
   that no signal is lost between start-up and the moment a reader listens. Returns the pipe's read end
   (close-on-exec), or -1 with errno set. Call it once per process. */
int sb_signals_install(const int *signals, int count);

/* Waits for the next signal written to `fd` (from sb_signals_install); returns its number, or -1 when the
   pipe is closed or fails. */
int sb_signals_next(int fd);

/* Names the calling thread (as `ps -L` and /proc show it; at most 15 bytes are kept). */
int sb_thread_set_name(const char *name);

/* A wall-clock alarm: a timerfd on CLOCK_REALTIME (close-on-exec), or -1 with errno set. */
int sb_alarm_open(void);

/* An eventfd (close-on-exec) that cancels a wait of sb_alarm_wait when sb_alarm_cancel writes to it; -1 on error. */
int sb_alarm_cancel_open(void);

/* Makes the wait on `cancel_fd` return 2 (now or when it starts). Safe from any thread. */
int sb_alarm_cancel(int cancel_fd);

/* Sleeps until the wall clock reads `seconds` + `nanoseconds` since the epoch (an absolute timer that the kernel
   keeps at that wall time across suspends and clock changes: TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, re-armed
   after each change of the clock). Returns 0 when the time has come, 2 when cancelled through `cancel_fd`, -1 with
   errno set on error. No wake-up before then, except one per change of the wall clock. */
int sb_alarm_wait(int alarm_fd, int cancel_fd, long long seconds, long nanoseconds);

/* Gives memory back to the system between runs: returns the heap's free pages (malloc_trim) and asks the kernel
   to reclaim this process's clean file-backed pages (MADV_PAGEOUT over every file mapping; the kernel skips pages
   other processes map, and dirty or anonymous pages are never lost). They are read back when next used.
   Returns 0, or -1 when the kernel does not know MADV_PAGEOUT (before 5.4). */
int sb_memory_release(void);

/* Re-executes this program (/proc/self/exe, its own arguments and environment) with SERVICE_BACKUP_IDLE_UNTIL set to
   `seconds`.`nanoseconds` of wall-clock time and SERVICE_BACKUP_RESUME to `resume`: the new image's first act, before
   any Swift code runs, is to sleep until then or until SIGTERM/SIGINT, with no wake-up. Every descriptor above
   standard error but `keep` is closed by the exec. SIGTERM and SIGINT are blocked on this thread first; one
   that reaches another thread meanwhile is forwarded here, pending through the exec, so none is lost. Returns only
   on failure: -1 with errno set (ECANCELED when a stop signal was already received), nothing changed. */
int sb_idle_exec(long long seconds, long nanoseconds, const char *resume, int keep);

/* An anonymous memory file (memfd), inherited across exec: to hand the daemon's manifest to its next image
   without writing it anywhere. -1 with errno set on error. */
int sb_memfd(const char *name);

/* A buffer of `size` bytes (a multiple of the page size) mapped twice, back to back: byte i and byte i + size are
   the same memory, so the `size` bytes from any offset below `size` lie contiguous, wrapping round the end. A ring
   buffer over it never moves data to keep what it holds contiguous. Returns the first mapping's address, or NULL
   with errno set. */
void *sb_mirrored_buffer_create(size_t size);

/* Unmaps a buffer from sb_mirrored_buffer_create of the same `size`. */
int sb_mirrored_buffer_destroy(void *base, size_t size);

#endif
