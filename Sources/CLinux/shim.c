#define _GNU_SOURCE
#include "CLinux.h"
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <malloc.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>

#define SB_IOPRIO_CLASS_SHIFT 13
#define SB_IOPRIO_WHO_PROCESS 1

static pid_t sb_thread_id(void) { return (pid_t)syscall(SYS_gettid); }

int sb_thread_set_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)sb_thread_id(), nice);
}

int sb_thread_set_ioprio(int io_class, int level) {
    return sb_thread_set_ioprio_value((io_class << SB_IOPRIO_CLASS_SHIFT) | level);
}

int sb_thread_get_ioprio(void) {
    return (int)syscall(SYS_ioprio_get, SB_IOPRIO_WHO_PROCESS, (int)sb_thread_id());
}

int sb_thread_get_nice(int *nice) {
    errno = 0;
    int value = getpriority(PRIO_PROCESS, (id_t)sb_thread_id());
    if (value == -1 && errno != 0) return -1;
    *nice = value;
    return 0;
}

int sb_thread_set_ioprio_value(int value) {
    return (int)syscall(SYS_ioprio_set, SB_IOPRIO_WHO_PROCESS, (int)sb_thread_id(), value);
}

int sb_malloc_bound_growth(int arenas, int threshold) {
    int result = 0;
    if (getenv("MALLOC_ARENA_MAX") == NULL && mallopt(M_ARENA_MAX, arenas) != 1) result = -1;
    if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL && mallopt(M_MMAP_THRESHOLD, threshold) != 1) result = -1;
    if (getenv("MALLOC_TRIM_THRESHOLD_") == NULL && mallopt(M_TRIM_THRESHOLD, threshold) != 1) result = -1;
    return result;
}

static int sb_signal_write_fd = -1;
/* A stop signal that came before the pipe existed (a daemon resumed from its idle sleep: idle.c), written to the
   pipe once it does. Stop signals received so far, and the thread about to re-execute the program (0 when none). */
static int sb_early_signal = 0;
int sb_stop_signals_received = 0;
pid_t sb_idle_exec_thread = 0;

void sb_signal_handler(int number) {
    int saved = errno;
    __atomic_fetch_add(&sb_stop_signals_received, 1, __ATOMIC_SEQ_CST);
    pid_t exec_thread = __atomic_load_n(&sb_idle_exec_thread, __ATOMIC_SEQ_CST);
    if (exec_thread != 0) {
        /* Pending on the thread that blocks it and is re-executing: it survives the exec, for the sleeper. */
        syscall(SYS_tgkill, getpid(), exec_thread, number);
        errno = saved;
        return;
    }
    int fd = __atomic_load_n(&sb_signal_write_fd, __ATOMIC_SEQ_CST);
    if (fd < 0) {
        /* Kept for sb_signals_install; if the pipe came meanwhile, whichever side takes it back writes it. */
        __atomic_store_n(&sb_early_signal, number, __ATOMIC_SEQ_CST);
        fd = __atomic_load_n(&sb_signal_write_fd, __ATOMIC_SEQ_CST);
        number = fd < 0 ? 0 : __atomic_exchange_n(&sb_early_signal, 0, __ATOMIC_SEQ_CST);
    }
    if (number != 0) {
        unsigned char byte = (unsigned char)number;
        ssize_t ignored = write(fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

int sb_signals_install(const int *signals, int count) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    if (fcntl(fds[1], F_SETFL, O_NONBLOCK) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    __atomic_store_n(&sb_signal_write_fd, fds[1], __ATOMIC_SEQ_CST);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sb_signal_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    int early = __atomic_exchange_n(&sb_early_signal, 0, __ATOMIC_SEQ_CST);
    if (early != 0) {
        unsigned char byte = (unsigned char)early;
        ssize_t ignored = write(fds[1], &byte, 1);
        (void)ignored;
    }
    return fds[0];
}

int sb_signals_next(int fd) {
    unsigned char byte;
    for (;;) {
        ssize_t got = read(fd, &byte, 1);
        if (got == 1) return byte;
        if (got < 0 && errno == EINTR) continue;
        return -1;
    }
}

int sb_thread_set_name(const char *name) {
    return prctl(PR_SET_NAME, name, 0, 0, 0);
}

int sb_alarm_open(void) {
    return timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
}

int sb_alarm_cancel_open(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int sb_alarm_cancel(int cancel_fd) {
    uint64_t one = 1;
    return write(cancel_fd, &one, sizeof one) == (ssize_t)sizeof one ? 0 : -1;
}

int sb_alarm_wait(int alarm_fd, int cancel_fd, long long seconds, long nanoseconds) {
    struct itimerspec when;
    memset(&when, 0, sizeof when);
    when.it_value.tv_sec = (time_t)seconds;
    when.it_value.tv_nsec = nanoseconds;
    if (when.it_value.tv_sec <= 0 && when.it_value.tv_nsec <= 0) when.it_value.tv_nsec = 1;   /* zero would disarm */
    for (;;) {
        /* Armed again after each change of the clock: the change cancels the timer (ECANCELED on read). */
        if (timerfd_settime(alarm_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &when, NULL) != 0) return -1;
        struct pollfd fds[2] = {{.fd = alarm_fd, .events = POLLIN}, {.fd = cancel_fd, .events = POLLIN}};
        int ready = poll(fds, 2, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (fds[1].revents != 0) return 2;
        if (fds[0].revents == 0) continue;
        uint64_t expirations;
        ssize_t got = read(alarm_fd, &expirations, sizeof expirations);
        if (got == (ssize_t)sizeof expirations) return 0;
        if (got < 0 && (errno == ECANCELED || errno == EINTR || errno == EAGAIN)) continue;
        return -1;
    }
}

int sb_memory_release(void) {
    malloc_trim(0);
#ifdef MADV_PAGEOUT
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == NULL) return -1;
    char line[4096];
    int result = 0;
    while (fgets(line, sizeof line, maps) != NULL) {
        unsigned long start, end, offset, inode;
        char perms[8];
        unsigned int major, minor;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, &offset, &major, &minor, &inode) != 7) continue;
        if (inode == 0) continue;          /* anonymous, heap, stacks: nothing to drop without swap */
        if (madvise((void *)start, end - start, MADV_PAGEOUT) != 0 && errno == EINVAL) result = -1;
    }
    fclose(maps);
    return result;
#else
    return -1;
#endif
}

void *sb_mirrored_buffer_create(size_t size) {
    int fd = memfd_create("sb-ring", MFD_CLOEXEC);
    if (fd < 0) return NULL;
    void *result = NULL;
    if (ftruncate(fd, (off_t)size) == 0) {
        // Reserve twice the size, then lay the same pages over both halves.
        char *base = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base != MAP_FAILED) {
            if (mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED
                && mmap(base + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED) {
                result = base;
            } else {
                int saved = errno;
                munmap(base, 2 * size);
                errno = saved;
            }
        }
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int sb_mirrored_buffer_destroy(void *base, size_t size) { return munmap(base, 2 * size); }
