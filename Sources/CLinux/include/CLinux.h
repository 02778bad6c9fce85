#ifndef SERVICE_BACKUP_CLINUX_H
#define SERVICE_BACKUP_CLINUX_H

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

#endif
