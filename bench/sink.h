/* The benchmark sink's shared types and functions (see sink.c). */
#ifndef BENCH_SINK_H
#define BENCH_SINK_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX (1 << 20)
#define BUF_SIZE (1 << 20)
#define XML_MAX (16 << 20)
#define HDR_MAX 65536
#define NBUCKETS (1 << 16)

typedef struct part { int number; int64_t size; unsigned char *head; size_t headlen; } part;

typedef struct entry {
    struct entry *next;
    char *key;          /* 'O' object (S3 bucket/key, Azure @container/blob, GCS #bucket/name), 'U' upload, 'B' Azure block (blob "\n" id),
                           'C' bucket, 'A' container, 'G' GCS bucket */
    int64_t size;
    char etag[80];
    unsigned char *head;
    size_t headlen;
    time_t mtime;
    part *parts; int nparts, cap;   /* uploads */
    char *objkey;                   /* uploads: the object key */
    char md5[32], crc32c[16];       /* GCS objects: the hashes the client sent (base64), echoed */
} entry;

typedef struct conn { int fd; char *buf; size_t start, end; int is_azure; } conn;

typedef struct header { char *name, *value; } header;
typedef struct request {
    char method[16], *path, *query;
    header h[128]; int nh;
    char raw[HDR_MAX];
} request;

typedef struct capture { unsigned char *data; size_t len, cap; int64_t total; } capture;
enum { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER_START, CH_TRAILER_LINE, CH_TRAILER_CR, CH_DONE };
typedef struct dechunk { int state; int64_t remaining; } dechunk;
typedef void (*emit_fn)(void *ctx, const unsigned char *p, size_t n);
typedef struct text { char *s; size_t len, cap; } text;
typedef void (*list_fn)(text *t, entry *e, const char *name, const char *common, int url);

extern entry *table[NBUCKETS];
extern pthread_mutex_t lock;
extern long long stat_connections, stat_requests, stat_bytes;
extern unsigned long long counter;

int fill(conn *c);
int sendall(int fd, const void *data, size_t n);
const char *hget(request *r, const char *name);
int hexval(int c);
void urldecode(char *s, int plus);
int qget(request *r, const char *name, char *out, size_t cap);
int read_request(conn *c, request *r);
void capture_add(capture *k, const unsigned char *p, size_t n);
size_t dechunk_feed(dechunk *d, const unsigned char *p, size_t n, emit_fn emit, void *ctx);
void to_capture(void *ctx, const unsigned char *p, size_t n);
void to_inner(void *ctx, const unsigned char *p, size_t n);
int read_body(conn *c, request *r, capture *k);
void httpdate(time_t t, char *out, size_t cap);
void isodate(time_t t, char *out, size_t cap);
const char *reason(int status);
int respond(conn *c, request *r, int status, const char *extra, int64_t length, const char *body);
int respond_xml(conn *c, request *r, int status, const char *extra, const char *xml);
int reply_error(conn *c, request *r, int status, const char *code);
void tput(text *t, const char *fmt, ...);
void txml(text *t, const char *s);
void turl(text *t, const char *s);
int serve_object(conn *c, request *r, entry *e, const char *extra);
void compose_head(entry *e, part **pieces, int n);
void content_md5_etag(request *r, char *etag, size_t cap);
int cmpstr(const void *a, const void *b);
char **collect(const char *base, const char *prefix, int *count);
int walk(text *t, const char *base, const char *prefix, const char *delim, const char *after, int max, int url, list_fn item, char *last, size_t lastcap, int *given_out);
void s3_item(text *t, entry *e, const char *name, const char *common, int url);
void azure_item(text *t, entry *e, const char *name, const char *common, int url);
int answer_text(conn *c, request *r, text *t);
int s3(conn *c, request *r, const char *bucket, const char *key);
int azure(conn *c, request *r, const char *container, const char *blob);
int is_gcs(request *r);
int gcs(conn *c, request *r);
unsigned hash(const char *s);
entry *lookup(const char *key);
int copy_entry(const char *key, entry *copy);
void free_entry(entry *e);
void removekey(const char *key);
entry *insert(const char *key);
void reset_all(void);
char *joinkey(char type, const char *a, const char *b);
int handle(conn *c, request *r);

#endif
