#define _GNU_SOURCE
#include "CLinux.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* The daemon's idle sleep. A process running Swift concurrency on Linux cannot go without wake-ups: libdispatch's
   worker-pool monitor fires once a second for the life of the process. So before a long wait the daemon
   re-executes itself with SB_IDLE_UNTIL set, and this constructor, which runs before any Swift code (no thread
   exists yet), sleeps until that time or until SIGTERM/SIGINT, then lets the program start and resume. */

#define SB_IDLE_UNTIL "SERVICE_BACKUP_IDLE_UNTIL"
/* What the resumed daemon needs of the one that slept (see DaemonResume.swift); read and removed by it. */
#define SB_RESUME "SERVICE_BACKUP_RESUME"

/* Set when this image could not sleep as asked: it then never re-executes itself to sleep again (no busy loop). */
static int sb_idle_unavailable = 0;

extern int sb_stop_signals_received;
extern pid_t sb_idle_exec_thread;
void sb_signal_handler(int number);

static void sb_stop_signal_set(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
}

/* Waits for the wall-clock time (sb_alarm_wait) or a stop signal (blocked: watched through a signalfd, left
   pending): 0 when the time has come, 1 on a stop signal, -1 when it cannot wait. */
static int sb_idle_wait(long long seconds, long nanoseconds, const sigset_t *stops) {
    int signals = signalfd(-1, stops, SFD_CLOEXEC | SFD_NONBLOCK);
    int alarm = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
    int result = signals >= 0 && alarm >= 0 ? sb_alarm_wait(alarm, signals, seconds, nanoseconds) : -1;
    if (signals >= 0) close(signals);
    if (alarm >= 0) close(alarm);
    return result == 2 ? 1 : result;
}

__attribute__((constructor)) static void sb_idle_sleep_on_start(void) {
    const char *until = getenv(SB_IDLE_UNTIL);
    if (until == NULL) return;
    long long seconds = 0;
    long nanoseconds = 0;
    char name[16] = "";
    int parsed = sscanf(until, "%lld.%ld:%15s", &seconds, &nanoseconds, name);
    unsetenv(SB_IDLE_UNTIL);
    /* The process keeps its name (not "exe", from /proc/self/exe) for ps, pgrep and monit. */
    if (parsed == 3) prctl(PR_SET_NAME, name, 0, 0, 0);
    sigset_t stops;
    sb_stop_signal_set(&stops);
    if (parsed >= 1) {
        sb_memory_release();  /* the pages loading touched are read back at the fire time, if needed */
        if (sb_idle_wait(seconds, nanoseconds, &stops) < 0) sb_idle_unavailable = 1;
    }
    /* From now on a stop signal, and one that came during the sleep (pending, even on this thread alone: forwarded
       before the exec), goes to the program's handler, which keeps it until the program listens (sb_signals_install):
       the program then stops as on any SIGTERM, never by the default action. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sb_signal_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    sigprocmask(SIG_UNBLOCK, &stops, NULL);
}

/* `environ` without the entries named `a` or `b`, then `first` and `second`; NULL when out of memory. */
static char **sb_environment_with(const char *a, char *first, const char *b, char *second) {
    extern char **environ;
    size_t count = 0;
    while (environ[count] != NULL) count++;
    char **result = malloc((count + 3) * sizeof *result);
    if (result == NULL) return NULL;
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(environ[i], a, strlen(a)) == 0 && environ[i][strlen(a)] == '=') continue;
        if (strncmp(environ[i], b, strlen(b)) == 0 && environ[i][strlen(b)] == '=') continue;
        result[kept++] = environ[i];
    }
    result[kept++] = first;
    result[kept++] = second;
    result[kept] = NULL;
    return result;
}

/* Marks every descriptor above standard error close-on-exec but `keep`: connections, files and pipes of this image
   must not pile up in the next one. */
static void sb_close_on_exec_but(int keep) {
    if (syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) != 0) {
        for (int fd = 3; fd < 65536; fd++) {
            int flags = fcntl(fd, F_GETFD);
            if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
        }
    }
    if (keep >= 0) fcntl(keep, F_SETFD, 0);
}

int sb_idle_exec(long long seconds, long nanoseconds, const char *resume, int keep) {
    sigset_t stops;
    sb_stop_signal_set(&stops);
    pthread_sigmask(SIG_BLOCK, &stops, NULL);
    __atomic_store_n(&sb_idle_exec_thread, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    int failure = sb_idle_unavailable ? ENOSYS : ECANCELED;  /* ECANCELED: a stop signal came, the daemon is stopping */
    if (!sb_idle_unavailable && __atomic_load_n(&sb_stop_signals_received, __ATOMIC_SEQ_CST) == 0) {
        static char until[64], resumed[4096], command_line[65536];
        char *arguments[256];
        char name[17] = "";
        int comm = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
        ssize_t named = comm >= 0 ? read(comm, name, 16) : -1;
        if (comm >= 0) close(comm);
        name[named > 0 ? named : 0] = 0;
        name[strcspn(name, "\n ")] = 0;
        snprintf(until, sizeof until, SB_IDLE_UNTIL "=%lld.%09ld:%s", seconds, nanoseconds, name);
        int written = snprintf(resumed, sizeof resumed, SB_RESUME "=%s", resume);
        int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
        ssize_t length = fd >= 0 ? read(fd, command_line, sizeof command_line - 1) : -1;
        if (fd >= 0) close(fd);
        int count = 0;
        for (ssize_t at = 0; length > 0 && at < length && count < 255; at += (ssize_t)strlen(command_line + at) + 1) {
            arguments[count++] = command_line + at;
        }
        arguments[count] = NULL;
        char **environment = sb_environment_with(SB_IDLE_UNTIL, until, SB_RESUME, resumed);
        failure = E2BIG;
        if (count > 0 && length < (ssize_t)sizeof command_line - 1 && written < (int)sizeof resumed && environment != NULL) {
            sb_close_on_exec_but(keep);
            execve("/proc/self/exe", arguments, environment);
            failure = errno;
        }
        free(environment);
    }
    __atomic_store_n(&sb_idle_exec_thread, 0, __ATOMIC_SEQ_CST);
    /* A signal forwarded here meanwhile is delivered now, to the handler, as usual. */
    pthread_sigmask(SIG_UNBLOCK, &stops, NULL);
    errno = failure;
    return -1;
}

int sb_memfd(const char *name) {
    return memfd_create(name, 0);
}
