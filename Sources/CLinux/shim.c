#define _GNU_SOURCE
#include "CLinux.h"
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

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
