/* The benchmark's WAN tunnel: a TCP proxy on 127.0.0.1 that delays each byte by DELAY_MS in each direction
 * (so a round trip gains twice that) and paces each connection, in each direction, at RATE MiB/s. Between
 * the reading and the writing side of a direction sits a buffer of at most BUFFER KiB: when it is full the
 * proxy stops reading, the kernel's windows fill, and the sender blocks as on a real tunnel.
 * It counts the connections it accepted and keeps that number in COUNT_FILE.
 *
 *   cc -O2 -pthread -o wanproxy wanproxy.c
 *   ./wanproxy UPSTREAM_PORT DELAY_MS RATE_MIB BUFFER_KIB COUNT_FILE     prints the port it listens on.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 << 10)

static int upstream_port;
static int64_t delay_ns, rate_bps;
static size_t buffer_cap;
static const char *count_file;
static long long connections;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct chunk { struct chunk *next; size_t len; int64_t due; char data[]; } chunk;

typedef struct tunnel tunnel;
typedef struct direction {
    int src, dst;
    pthread_mutex_t lock; pthread_cond_t cond;
    chunk *head, *tail; size_t queued; int eof, broken;
    tunnel *owner;
} direction;

struct tunnel { direction up, down; int remaining; pthread_mutex_t lock; };

static int64_t now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }

static void sleep_until(int64_t when) {
    struct timespec t = { when / 1000000000LL, when % 1000000000LL };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) ;
}

static void *reader(void *arg) {
    direction *d = arg;
    for (;;) {
        pthread_mutex_lock(&d->lock);
        while (d->queued >= buffer_cap && !d->broken) pthread_cond_wait(&d->cond, &d->lock);
        pthread_mutex_unlock(&d->lock);
        chunk *c = malloc(sizeof *c + CHUNK);
        ssize_t n;
        do n = recv(d->src, c->data, CHUNK, 0); while (n < 0 && errno == EINTR);
        pthread_mutex_lock(&d->lock);
        if (n <= 0) { free(c); d->eof = 1; pthread_cond_broadcast(&d->cond); pthread_mutex_unlock(&d->lock); return NULL; }
        c->len = (size_t)n; c->due = now_ns() + delay_ns; c->next = NULL;
        if (d->tail) d->tail->next = c; else d->head = c;
        d->tail = c; d->queued += c->len;
        pthread_cond_broadcast(&d->cond);
        pthread_mutex_unlock(&d->lock);
    }
}

static void finish(tunnel *l) {
    pthread_mutex_lock(&l->lock);
    int last = --l->remaining == 0;
    pthread_mutex_unlock(&l->lock);
    if (!last) return;
    close(l->up.src); close(l->up.dst);
    free(l);
}

static void *writer(void *arg) {
    direction *d = arg;
    int64_t free_at = 0;
    for (;;) {
        pthread_mutex_lock(&d->lock);
        while (!d->head && !d->eof) pthread_cond_wait(&d->cond, &d->lock);
        chunk *c = d->head;
        if (!c) { pthread_mutex_unlock(&d->lock); break; }
        d->head = c->next; if (!d->head) d->tail = NULL;
        int broken = d->broken;
        pthread_mutex_unlock(&d->lock);
        if (!broken) {
            sleep_until(c->due);
            int64_t now = now_ns();
            if (free_at > now) { sleep_until(free_at); now = free_at; }
            free_at = now + (int64_t)c->len * 1000000000LL / rate_bps;
            for (size_t sent = 0; sent < c->len; ) {
                ssize_t w = send(d->dst, c->data + sent, c->len - sent, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) { broken = 1; break; }
                sent += (size_t)w;
            }
            if (broken) shutdown(d->src, SHUT_RDWR);   /* the reader sees its end */
        }
        pthread_mutex_lock(&d->lock);
        d->queued -= c->len;
        if (broken) d->broken = 1;
        pthread_cond_broadcast(&d->cond);
        pthread_mutex_unlock(&d->lock);
        free(c);
    }
    shutdown(d->dst, SHUT_WR);
    finish(d->owner);
    return NULL;
}

static void start(direction *d, int src, int dst, tunnel *l) {
    d->src = src; d->dst = dst; d->owner = l;
    pthread_mutex_init(&d->lock, NULL); pthread_cond_init(&d->cond, NULL);
    pthread_attr_t attr; pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 128 << 10);
    pthread_t t;
    pthread_create(&t, &attr, reader, d);
    pthread_create(&t, &attr, writer, d);
}

static void tune(int fd) {
    int one = 1, size = 256 << 10;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: wanproxy UPSTREAM_PORT DELAY_MS RATE_MIB BUFFER_KIB COUNT_FILE\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);
    upstream_port = atoi(argv[1]);
    delay_ns = (int64_t)(atof(argv[2]) * 1e6);
    rate_bps = (int64_t)(atof(argv[3]) * 1048576.0);
    buffer_cap = (size_t)atoi(argv[4]) << 10;
    count_file = argv[5];
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) || listen(fd, 512)) { perror("wanproxy"); return 1; }
    socklen_t len = sizeof addr;
    getsockname(fd, (struct sockaddr *)&addr, &len);
    printf("%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (;;) {
        int client = accept(fd, NULL, NULL);
        if (client < 0) { if (errno == EINTR || errno == ECONNABORTED) continue; perror("accept"); return 1; }
        int server = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in up = { .sin_family = AF_INET, .sin_port = htons(upstream_port) };
        up.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        tune(client); tune(server);
        if (connect(server, (struct sockaddr *)&up, sizeof up)) { close(client); close(server); continue; }
        pthread_mutex_lock(&count_lock);
        long long n = ++connections;
        int out = open(count_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out >= 0) { dprintf(out, "%lld\n", n); close(out); }
        pthread_mutex_unlock(&count_lock);
        tunnel *l = calloc(1, sizeof *l);
        l->remaining = 2;
        pthread_mutex_init(&l->lock, NULL);
        start(&l->up, client, server, l);
        start(&l->down, server, client, l);
    }
}
