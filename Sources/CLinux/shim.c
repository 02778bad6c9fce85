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

#define SB_IOPRIO_CLASS_SHIFT 13
#define SB_IOPRIO_WHO_PROCESS 1

static pid_t sb_thread_id(void) { return (pid_t)syscall(SYS_gettid); }

int sb_thread_set_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)sb_thread_id(), nice);
}

int sb_thread_set_ioprio(int io_class, int level) {
    int priority = (io_class << SB_IOPRIO_CLASS_SHIFT) | level;
    return (int)syscall(SYS_ioprio_set, SB_IOPRIO_WHO_PROCESS, (int)sb_thread_id(), priority);
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

static void sb_signal_handler(int number) {
    int saved = errno;
    unsigned char byte = (unsigned char)number;
    ssize_t ignored = write(sb_signal_write_fd, &byte, 1);
    (void)ignored;
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
    sb_signal_write_fd = fds[1];
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sb_signal_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
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
