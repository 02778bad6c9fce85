/* The benchmark's S3 and Azure Blob sink (not a test peer): a thread per connection, HTTP/1.1 keep-alive,
 * bodies read into one buffer per thread and thrown away. No signature checks: it is a sink.
 *
 * It remembers, per object, its size, ETag and its first HEAD_MAX bytes (the whole object when smaller).
 * GET serves those bytes repeated up to the size: the benchmark's large files repeat one 1 MiB block, so a
 * restore gets back exactly what was uploaded and its SHA-256 check passes. A request carrying an `x-ms-`
 * header is Azure's (path /account/container/blob), any other S3's (path-style /bucket/key).
 *
 * S3: HeadBucket, CreateBucket, GetBucketLocation, PutObject, CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListObjects (v1, v2; prefix, delimiter, paging),
 * ListMultipartUploads, HeadObject, GetObject (Range), DeleteObject, DeleteObjects.
 * Azure: Create Container, Get Container Properties, Put Blob, Put Block, Put Block List, Get Blob
 * Properties, List Blobs (prefix, delimiter, paging), Get Blob (Range / x-ms-range), Delete Blob.
 * Bodies: Content-Length or Transfer-Encoding: chunked, and inside either `Content-Encoding: aws-chunked`.
 * Benchmark controls: GET /__sink/stats (connections, requests, body bytes), POST /__sink/reset (forget all).
 *
 *   cc -O2 -pthread -o sink sink.c && ./sink [PORT]     prints the port it listens on (127.0.0.1), then serves.
 */
#define _GNU_SOURCE
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
    char *key;          /* 'O' object (S3 bucket/key, Azure @container/blob), 'U' upload, 'B' Azure block (blob "\n" id), 'C' bucket, 'A' container */
    int64_t size;
    char etag[80];
    unsigned char *head;
    size_t headlen;
    time_t mtime;
    part *parts; int nparts, cap;   /* uploads */
    char *objkey;                   /* uploads: the object key */
} entry;

static entry *table[NBUCKETS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long long stat_connections, stat_requests, stat_bytes;
static unsigned long long counter;

static unsigned hash(const char *s) { unsigned h = 2166136261u; while (*s) h = (h ^ (unsigned char)*s++) * 16777619u; return h & (NBUCKETS - 1); }

static entry *lookup(const char *key) {
    for (entry *e = table[hash(key)]; e; e = e->next) if (!strcmp(e->key, key)) return e;
    return NULL;
}

static void free_entry(entry *e) {
    for (int i = 0; i < e->nparts; i++) free(e->parts[i].head);
    free(e->parts); free(e->head); free(e->objkey); free(e->key); free(e);
}

static void removekey(const char *key) {
    entry **p = &table[hash(key)];
    while (*p) { if (!strcmp((*p)->key, key)) { entry *e = *p; *p = e->next; free_entry(e); return; } p = &(*p)->next; }
}

static entry *insert(const char *key) {   /* replaces any entry of that key */
    removekey(key);
    entry *e = calloc(1, sizeof *e);
    e->key = strdup(key);
    e->mtime = time(NULL);
    unsigned h = hash(key);
    e->next = table[h]; table[h] = e;
    return e;
}

static void reset_all(void) {
    for (int i = 0; i < NBUCKETS; i++) { entry *e = table[i]; while (e) { entry *n = e->next; free_entry(e); e = n; } table[i] = NULL; }
}

static char *joinkey(char type, const char *a, const char *b) {
    size_t n = strlen(a) + (b ? strlen(b) + 1 : 0) + 2;
    char *k = malloc(n);
    if (b) snprintf(k, n, "%c%s\n%s", type, a, b); else snprintf(k, n, "%c%s", type, a);
    return k;
}

/* ---- connection I/O ---- */

typedef struct conn { int fd; char *buf; size_t start, end; int is_azure; } conn;

static int fill(conn *c) {   /* more bytes into buf[end..]; returns count, 0 on EOF */
    if (c->start == c->end) c->start = c->end = 0;
    if (c->end == BUF_SIZE) {
        memmove(c->buf, c->buf + c->start, c->end - c->start);
        c->end -= c->start; c->start = 0;
    }
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->end, BUF_SIZE - c->end, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        c->end += n;
        return (int)n;
    }
}

static int sendall(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w; n -= w;
    }
    return 0;
}

/* ---- request ---- */

typedef struct header { char *name, *value; } header;
typedef struct request {
    char method[16], *path, *query;
    header h[128]; int nh;
    char raw[HDR_MAX];
} request;

static const char *hget(request *r, const char *name) {
    for (int i = 0; i < r->nh; i++) if (!strcasecmp(r->h[i].name, name)) return r->h[i].value;
    return NULL;
}

static int hexval(int c) { return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1; }

static void urldecode(char *s, int plus) {
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) { *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2])); s += 2; }
        else if (plus && *s == '+') *o++ = ' ';
        else *o++ = *s;
    }
    *o = 0;
}

/* the decoded value of query parameter `name` into out (empty when absent); 1 when present */
static int qget(request *r, const char *name, char *out, size_t cap) {
    out[0] = 0;
    if (!r->query) return 0;
    size_t len = strlen(name);
    for (const char *p = r->query; p && *p; ) {
        const char *amp = strchr(p, '&');
        size_t seg = amp ? (size_t)(amp - p) : strlen(p);
        if (seg >= len && !strncmp(p, name, len) && (seg == len || p[len] == '=')) {
            size_t vl = seg > len ? seg - len - 1 : 0;
            if (vl >= cap) vl = cap - 1;
            memcpy(out, p + len + (seg > len), vl); out[vl] = 0;
            urldecode(out, 1);
            return 1;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

/* reads the request line and headers; 0 at a clean end of the connection, -1 on junk */
static int read_request(conn *c, request *r) {
    for (;;) {
        char *hit = memmem(c->buf + c->start, c->end - c->start, "\r\n\r\n", 4);
        if (hit) {
            size_t n = hit + 4 - (c->buf + c->start);
            if (n >= HDR_MAX) return -1;
            memcpy(r->raw, c->buf + c->start, n); r->raw[n] = 0;
            c->start += n;
            break;
        }
        if (c->end - c->start >= HDR_MAX) return -1;
        if (!fill(c)) return 0;
    }
    char *line = r->raw, *eol = strstr(line, "\r\n");
    *eol = 0;
    char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2) return -1;
    *sp1 = *sp2 = 0;
    snprintf(r->method, sizeof r->method, "%.15s", line);
    r->path = sp1 + 1;
    r->query = strchr(r->path, '?');
    if (r->query) *r->query++ = 0;
    urldecode(r->path, 0);
    r->nh = 0;
    for (char *p = eol + 2; *p && strncmp(p, "\r\n", 2); ) {
        char *e = strstr(p, "\r\n"); *e = 0;
        char *colon = strchr(p, ':');
        if (colon && r->nh < 128) {
            *colon = 0; char *v = colon + 1; while (*v == ' ' || *v == '\t') v++;
            char *end = v + strlen(v); while (end > v && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
            r->h[r->nh].name = p; r->h[r->nh].value = v; r->nh++;
            if (!strncasecmp(p, "x-ms-", 5)) c->is_azure = 2;
        }
        p = e + 2;
    }
    return 1;
}

/* ---- bodies: chunked decoding, capture ---- */

typedef struct capture { unsigned char *data; size_t len, cap; int64_t total; } capture;

static void capture_add(capture *k, const unsigned char *p, size_t n) {
    k->total += n;
    if (k->len < k->cap) {
        size_t take = n < k->cap - k->len ? n : k->cap - k->len;
        if (!k->data) k->data = malloc(k->cap);
        memcpy(k->data + k->len, p, take); k->len += take;
    }
}

enum { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER_START, CH_TRAILER_LINE, CH_TRAILER_CR, CH_DONE };
typedef struct dechunk { int state; int64_t remaining; } dechunk;
typedef void (*emit_fn)(void *ctx, const unsigned char *p, size_t n);

/* feeds bytes to a chunked decoder; returns how many it consumed (it stops at the end of the message) */
static size_t dechunk_feed(dechunk *d, const unsigned char *p, size_t n, emit_fn emit, void *ctx) {
    size_t i = 0;
    while (i < n && d->state != CH_DONE) {
        unsigned char ch = p[i];
        switch (d->state) {
        case CH_SIZE:
            if (hexval(ch) >= 0) { d->remaining = d->remaining * 16 + hexval(ch); i++; }
            else if (ch == '\n') { d->state = d->remaining ? CH_DATA : CH_TRAILER_START; i++; }
            else { d->state = CH_EXT; }
            break;
        case CH_EXT:
            if (ch == '\n') d->state = d->remaining ? CH_DATA : CH_TRAILER_START;
            i++;
            break;
        case CH_DATA: {
            size_t take = (int64_t)(n - i) < d->remaining ? n - i : (size_t)d->remaining;
            emit(ctx, p + i, take);
            i += take; d->remaining -= take;
            if (!d->remaining) d->state = CH_DATA_END;
            break;
        }
        case CH_DATA_END:
            if (ch == '\n') d->state = CH_SIZE, d->remaining = 0;
            i++;
            break;
        case CH_TRAILER_START:
            d->state = ch == '\r' ? CH_TRAILER_CR : ch == '\n' ? CH_DONE : CH_TRAILER_LINE;
            i++;
            break;
        case CH_TRAILER_LINE:
            if (ch == '\n') d->state = CH_TRAILER_START;
            i++;
            break;
        case CH_TRAILER_CR:
            d->state = ch == '\n' ? CH_DONE : CH_TRAILER_LINE;
            i++;
            break;
        }
    }
    return i;
}

typedef struct inner { int aws_chunked; dechunk d; capture *k; } inner;

static void to_capture(void *ctx, const unsigned char *p, size_t n) { capture_add(ctx, p, n); }
static void to_inner(void *ctx, const unsigned char *p, size_t n) {
    inner *in = ctx;
    if (in->aws_chunked) dechunk_feed(&in->d, p, n, to_capture, in->k);
    else capture_add(in->k, p, n);
}

/* reads the body (answering Expect: 100-continue first); the decoded bytes go to k. -1 on a broken connection */
static int read_body(conn *c, request *r, capture *k) {
    const char *expect = hget(r, "expect");
    if (expect && !strcasecmp(expect, "100-continue") && sendall(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25)) return -1;
    const char *te = hget(r, "transfer-encoding"), *ce = hget(r, "content-encoding"), *cl = hget(r, "content-length");
    inner in = { .aws_chunked = ce && strcasestr(ce, "aws-chunked") != NULL, .k = k };
    if (te && strcasestr(te, "chunked")) {
        dechunk outer = {0};
        for (;;) {
            if (c->start == c->end && !fill(c)) return -1;
            size_t used = dechunk_feed(&outer, (unsigned char *)c->buf + c->start, c->end - c->start, to_inner, &in);
            __atomic_add_fetch(&stat_bytes, used, __ATOMIC_RELAXED);
            c->start += used;
            if (outer.state == CH_DONE) return 0;
        }
    }
    int64_t left = cl ? strtoll(cl, NULL, 10) : 0;
    while (left > 0) {
        if (c->start == c->end && !fill(c)) return -1;
        size_t take = (int64_t)(c->end - c->start) < left ? c->end - c->start : (size_t)left;
        to_inner(&in, (unsigned char *)c->buf + c->start, take);
        __atomic_add_fetch(&stat_bytes, take, __ATOMIC_RELAXED);
        c->start += take; left -= take;
    }
    return 0;
}

/* ---- responses ---- */

static void httpdate(time_t t, char *out, size_t cap) { struct tm tm; gmtime_r(&t, &tm); strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm); }
static void isodate(time_t t, char *out, size_t cap) { struct tm tm; gmtime_r(&t, &tm); strftime(out, cap, "%Y-%m-%dT%H:%M:%S.000Z", &tm); }

static const char *reason(int status) {
    switch (status) {
    case 200: return "OK"; case 201: return "Created"; case 202: return "Accepted"; case 204: return "No Content";
    case 206: return "Partial Content"; case 400: return "Bad Request"; case 404: return "Not Found";
    case 409: return "Conflict"; case 416: return "Range Not Satisfiable"; default: return "Status";
    }
}

/* the status line, common headers, `extra` (CRLF-terminated lines) and Content-Length; then `body` unless HEAD */
static int respond(conn *c, request *r, int status, const char *extra, int64_t length, const char *body) {
    char head[4096], date[64];
    httpdate(time(NULL), date, sizeof date);
    unsigned long long id = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nDate: %s\r\n%s: %016llx\r\n%s%sContent-Length: %lld\r\n\r\n",
                     status, reason(status), date, c->is_azure ? "x-ms-request-id" : "x-amz-request-id", id,
                     c->is_azure ? "x-ms-version: 2021-12-02\r\n" : "", extra ? extra : "", (long long)length);
    if (sendall(c->fd, head, n)) return -1;
    if (body && strcmp(r->method, "HEAD") && sendall(c->fd, body, (size_t)length)) return -1;
    return 0;
}

static int respond_xml(conn *c, request *r, int status, const char *extra, const char *xml) {
    char hdr[1024];
    snprintf(hdr, sizeof hdr, "Content-Type: application/xml\r\n%s", extra ? extra : "");
    return respond(c, r, status, hdr, (int64_t)strlen(xml), xml);
}

static int error(conn *c, request *r, int status, const char *code) {
    char xml[512], hdr[256];
    snprintf(xml, sizeof xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code><Message>%s</Message></Error>", code, code);
    snprintf(hdr, sizeof hdr, c->is_azure ? "x-ms-error-code: %s\r\n" : "x-amz-error-code: %s\r\n", code);
    return respond_xml(c, r, status, hdr, xml);
}

/* a growing text buffer for listings */
typedef struct text { char *s; size_t len, cap; } text;
static void tput(text *t, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (t->s && t->len + n < t->cap) { t->len += n; return; }
        t->cap = (t->cap + n + 1) * 2; t->s = realloc(t->s, t->cap);
    }
}
static void txml(text *t, const char *s) {   /* XML-escaped */
    for (; *s; s++) {
        switch (*s) { case '&': tput(t, "&amp;"); break; case '<': tput(t, "&lt;"); break; case '>': tput(t, "&gt;"); break;
        case '"': tput(t, "&quot;"); break; default: tput(t, "%c", *s); }
    }
}
static void turl(text *t, const char *s) {   /* percent-encoded except unreserved and '/' */
    for (; *s; s++) {
        unsigned char ch = *s;
        if (isalnum(ch) || strchr("-_.~/", ch)) tput(t, "%c", ch); else tput(t, "%%%02X", ch);
    }
}

/* GET of an object: its bytes (head repeated) for `range` or all */
static int serve_object(conn *c, request *r, entry *e, const char *extra) {
    int64_t from = 0, to = e->size - 1;
    int status = 200;
    const char *range = hget(r, "x-ms-range"); if (!range) range = hget(r, "range");
    char hdr[1024];
    if (range && !strncmp(range, "bytes=", 6) && e->size > 0) {
        const char *spec = range + 6;
        if (*spec == '-') { from = e->size - strtoll(spec + 1, NULL, 10); if (from < 0) from = 0; }
        else { from = strtoll(spec, NULL, 10); const char *dash = strchr(spec, '-'); if (dash && dash[1]) to = strtoll(dash + 1, NULL, 10); }
        if (to >= e->size) to = e->size - 1;
        if (from > to) return error(c, r, 416, "InvalidRange");
        status = 206;
        snprintf(hdr, sizeof hdr, "%sContent-Range: bytes %lld-%lld/%lld\r\n", extra, (long long)from, (long long)to, (long long)e->size);
    } else snprintf(hdr, sizeof hdr, "%s", extra);
    int64_t length = e->size ? to - from + 1 : 0;
    if (respond(c, r, status, hdr, length, NULL)) return -1;
    if (!strcmp(r->method, "HEAD") || !length) return 0;
    size_t hl = e->headlen;
    if (!hl) {   /* nothing remembered: zeros */
        static const unsigned char zeros[65536];
        while (length) { size_t n = length < (int64_t)sizeof zeros ? (size_t)length : sizeof zeros; if (sendall(c->fd, zeros, n)) return -1; length -= n; }
        return 0;
    }
    unsigned char *twice = malloc(hl * 2);
    memcpy(twice, e->head, hl); memcpy(twice + hl, e->head, hl);
    int64_t off = from;
    while (length) {
        size_t n = length < (int64_t)hl ? (size_t)length : hl;
        if (sendall(c->fd, twice + off % hl, n)) { free(twice); return -1; }
        off += n; length -= n;
    }
    free(twice);
    return 0;
}

/* copies the first HEAD_MAX bytes of a sequence of pieces (parts, blocks) into e */
static void compose_head(entry *e, part **pieces, int n) {
    e->head = malloc(HEAD_MAX); e->headlen = 0;
    for (int i = 0; i < n && e->headlen < HEAD_MAX; i++) {
        size_t take = pieces[i]->headlen < HEAD_MAX - e->headlen ? pieces[i]->headlen : HEAD_MAX - e->headlen;
        memcpy(e->head + e->headlen, pieces[i]->head, take); e->headlen += take;
        if (pieces[i]->headlen < (size_t)pieces[i]->size) break;
    }
}

static void content_md5_etag(request *r, char *etag, size_t cap) {   /* the Content-MD5 sent, in hex; else a counter */
    const char *md5 = hget(r, "content-md5");
    static const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (md5 && strlen(md5) == 24) {
        unsigned char bytes[18]; int nb = 0; unsigned acc = 0; int bits = 0;
        for (const char *p = md5; *p && *p != '='; p++) {
            const char *at = strchr(b64, *p); if (!at) break;
            acc = (acc << 6) | (unsigned)(at - b64); bits += 6;
            if (bits >= 8) { bits -= 8; bytes[nb++] = (unsigned char)(acc >> bits); }
        }
        if (nb == 16) {
            char *o = etag; o += sprintf(o, "\"");
            for (int i = 0; i < 16; i++) o += sprintf(o, "%02x", bytes[i]);
            sprintf(o, "\"");
            return;
        }
    }
    snprintf(etag, cap, "\"%032llx\"", __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* sorted keys of objects (type 'O') under `base` (bucket or container path + "/"), whose name starts with prefix */
static char **collect(const char *base, const char *prefix, int *count) {
    size_t bl = strlen(base), pl = strlen(prefix);
    int n = 0, cap = 1024; char **keys = malloc(cap * sizeof *keys);
    for (int i = 0; i < NBUCKETS; i++)
        for (entry *e = table[i]; e; e = e->next)
            if (e->key[0] == 'O' && !strncmp(e->key + 1, base, bl) && !strncmp(e->key + 1 + bl, prefix, pl)) {
                if (n == cap) keys = realloc(keys, (cap *= 2) * sizeof *keys);
                keys[n++] = e->key;
            }
    qsort(keys, n, sizeof *keys, cmpstr);
    *count = n;
    return keys;
}

/* walks a listing: calls item() for objects and common prefixes after `after`, at most max; returns the last name given and whether more follow */
typedef void (*list_fn)(text *t, entry *e, const char *name, const char *common, int url);
static int walk(text *t, const char *base, const char *prefix, const char *delim, const char *after, int max, int url,
                list_fn item, char *last, size_t lastcap, int *given_out) {
    int n; char **keys = collect(base, prefix, &n);
    size_t bl = strlen(base), pl = strlen(prefix), dl = strlen(delim);
    char common[4096] = "", prev[4096] = "";
    int given = 0, truncated = 0;
    last[0] = 0;
    for (int i = 0; i < n; i++) {
        const char *name = keys[i] + 1 + bl;
        const char *cut = dl ? strstr(name + pl, delim) : NULL;
        if (cut) {
            size_t len = cut - name + dl; if (len >= sizeof common) len = sizeof common - 1;
            memcpy(common, name, len); common[len] = 0;
            if (!strcmp(common, prev)) continue;
            if (after[0] && strcmp(common, after) <= 0) continue;
            if (given == max) { truncated = 1; break; }
            snprintf(prev, sizeof prev, "%s", common);
            item(t, NULL, NULL, common, url);
        } else {
            if (after[0] && strcmp(name, after) <= 0) continue;
            if (given == max) { truncated = 1; break; }
            item(t, lookup(keys[i]), name, NULL, url);
        }
        snprintf(last, lastcap, "%s", cut ? common : name);
        given++;
    }
    free(keys);
    *given_out = given;
    return truncated;
}

static void s3_item(text *t, entry *e, const char *name, const char *common, int url) {
    if (common) { tput(t, "<CommonPrefixes><Prefix>"); url ? turl(t, common) : txml(t, common); tput(t, "</Prefix></CommonPrefixes>"); return; }
    char date[64]; isodate(e->mtime, date, sizeof date);
    tput(t, "<Contents><Key>"); url ? turl(t, name) : txml(t, name);
    tput(t, "</Key><LastModified>%s</LastModified><ETag>", date); txml(t, e->etag);
    tput(t, "</ETag><Size>%lld</Size><StorageClass>STANDARD</StorageClass></Contents>", (long long)e->size);
}

static void azure_item(text *t, entry *e, const char *name, const char *common, int url) {
    (void)url;
    if (common) { tput(t, "<BlobPrefix><Name>"); txml(t, common); tput(t, "</Name></BlobPrefix>"); return; }
    char date[64]; httpdate(e->mtime, date, sizeof date);
    tput(t, "<Blob><Name>"); txml(t, name);
    tput(t, "</Name><Properties><Creation-Time>%s</Creation-Time><Last-Modified>%s</Last-Modified><Etag>%s</Etag>"
            "<Content-Length>%lld</Content-Length><Content-Type>application/octet-stream</Content-Type>"
            "<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>"
            "<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted>"
            "</Properties></Blob>", date, date, e->etag, (long long)e->size);
}

static int answer_text(conn *c, request *r, text *t) { int rc = respond_xml(c, r, 200, NULL, t->s); free(t->s); return rc; }

/* ---- S3 ---- */

static int s3(conn *c, request *r, const char *bucket, const char *key) {
    char q[4096], hdr[1024], date[64];
    char base[2048]; snprintf(base, sizeof base, "%s/", bucket);
    if (!*key) {
        char *bk = joinkey('C', bucket, NULL);
        int rc;
        if (!strcmp(r->method, "HEAD")) {
            pthread_mutex_lock(&lock); int exists = lookup(bk) != NULL; pthread_mutex_unlock(&lock);
            rc = exists ? respond(c, r, 200, "x-amz-bucket-region: us-east-1\r\n", 0, NULL) : error(c, r, 404, "NoSuchBucket");
        } else if (!strcmp(r->method, "PUT")) {
            capture k = { .cap = 0 }; if (read_body(c, r, &k)) { free(bk); return -1; }
            pthread_mutex_lock(&lock); insert(bk); pthread_mutex_unlock(&lock);
            rc = respond(c, r, 200, "Location: /bench\r\n", 0, "");
        } else if (!strcmp(r->method, "POST") && qget(r, "delete", q, sizeof q)) {
            capture k = { .cap = XML_MAX }; if (read_body(c, r, &k)) { free(bk); free(k.data); return -1; }
            pthread_mutex_lock(&lock);
            for (char *p = (char *)k.data; p && k.data && (p = memmem(p, k.len - (p - (char *)k.data), "<Key>", 5)); ) {
                p += 5; char *end = memmem(p, k.len - (p - (char *)k.data), "</Key>", 6); if (!end) break;
                char name[4096]; snprintf(name, sizeof name, "O%s/%.*s", bucket, (int)(end - p), p);
                removekey(name); p = end;
            }
            pthread_mutex_unlock(&lock);
            free(k.data);
            rc = respond_xml(c, r, 200, NULL, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult></DeleteResult>");
        } else if (qget(r, "location", q, sizeof q)) {
            rc = respond_xml(c, r, 200, NULL, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><LocationConstraint/>");
        } else if (qget(r, "uploads", q, sizeof q)) {
            char prefix[2048]; qget(r, "prefix", prefix, sizeof prefix);
            text t = {0};
            tput(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListMultipartUploadsResult><Bucket>"); txml(&t, bucket);
            tput(&t, "</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>");
            pthread_mutex_lock(&lock);
            for (int i = 0; i < NBUCKETS; i++)
                for (entry *e = table[i]; e; e = e->next)
                    if (e->key[0] == 'U' && !strncmp(e->objkey, base, strlen(base)) && !strncmp(e->objkey + strlen(base), prefix, strlen(prefix))) {
                        isodate(e->mtime, date, sizeof date);
                        tput(&t, "<Upload><Key>"); txml(&t, e->objkey + strlen(base));
                        tput(&t, "</Key><UploadId>%s</UploadId><Initiated>%s</Initiated><StorageClass>STANDARD</StorageClass></Upload>", e->key + 1, date);
                    }
            pthread_mutex_unlock(&lock);
            tput(&t, "</ListMultipartUploadsResult>");
            rc = answer_text(c, r, &t);
        } else if (!strcmp(r->method, "GET")) {
            char prefix[2048], delim[64], after[4096], token[4096], maxk[32], enc[32];
            qget(r, "prefix", prefix, sizeof prefix); qget(r, "delimiter", delim, sizeof delim); qget(r, "max-keys", maxk, sizeof maxk);
            qget(r, "encoding-type", enc, sizeof enc);
            int v2 = qget(r, "list-type", q, sizeof q) && !strcmp(q, "2"), url = !strcmp(enc, "url");
            int max = maxk[0] ? atoi(maxk) : 1000; if (max > 1000) max = 1000;
            if (v2) { qget(r, "start-after", after, sizeof after); if (qget(r, "continuation-token", token, sizeof token)) snprintf(after, sizeof after, "%s", token); }
            else qget(r, "marker", after, sizeof after);
            text t = {0}, items = {0}; char last[4096];
            pthread_mutex_lock(&lock);
            int given = 0, truncated = walk(&items, base, prefix, delim, after, max, url, s3_item, last, sizeof last, &given);
            pthread_mutex_unlock(&lock);
            tput(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>");
            txml(&t, bucket); tput(&t, "</Name><Prefix>"); url ? turl(&t, prefix) : txml(&t, prefix);
            tput(&t, "</Prefix><MaxKeys>%d</MaxKeys>", max);
            if (delim[0]) { tput(&t, "<Delimiter>"); txml(&t, delim); tput(&t, "</Delimiter>"); }
            if (url) tput(&t, "<EncodingType>url</EncodingType>");
            tput(&t, "<IsTruncated>%s</IsTruncated>", truncated ? "true" : "false");
            if (truncated) { tput(&t, v2 ? "<NextContinuationToken>" : "<NextMarker>"); txml(&t, last); tput(&t, v2 ? "</NextContinuationToken>" : "</NextMarker>"); }
            if (v2) tput(&t, "<KeyCount>%d</KeyCount>", given);
            tput(&t, "%s</ListBucketResult>", items.s ? items.s : "");
            free(items.s);
            rc = answer_text(c, r, &t);
        } else rc = error(c, r, 400, "NotImplemented");
        free(bk);
        return rc;
    }
    char *okey = joinkey('O', base, key);   /* "O" bucket "/" "\n" key: fixed below */
    snprintf(okey, strlen(base) + strlen(key) + 2, "O%s%s", base, key);
    char upload[128]; int has_upload = qget(r, "uploadId", upload, sizeof upload);
    int rc;
    if (!strcmp(r->method, "PUT")) {
        /* a multipart object's first bytes are its first part's (S3 parts but the last are 5 MiB or more) */
        char number[16];
        capture k = { .cap = has_upload && qget(r, "partNumber", number, sizeof number) && atoi(number) != 1 ? 0 : HEAD_MAX };
        if (read_body(c, r, &k)) { free(k.data); free(okey); return -1; }
        const char *decoded = hget(r, "x-amz-decoded-content-length");
        (void)decoded;
        char etag[80]; content_md5_etag(r, etag, sizeof etag);
        char partnum[16];
        if (has_upload && qget(r, "partNumber", partnum, sizeof partnum)) {
            char *uk = joinkey('U', upload, NULL);
            pthread_mutex_lock(&lock);
            entry *u = lookup(uk);
            if (u) {
                int number = atoi(partnum), i;
                for (i = 0; i < u->nparts && u->parts[i].number != number; i++) ;
                if (i == u->nparts) { if (u->nparts == u->cap) u->parts = realloc(u->parts, (u->cap = u->cap * 2 + 16) * sizeof *u->parts); u->nparts++; }
                else free(u->parts[i].head);
                u->parts[i] = (part){ .number = number, .size = k.total, .head = k.data, .headlen = k.len };
                k.data = NULL;
            }
            pthread_mutex_unlock(&lock);
            free(uk); free(k.data);
            if (!u) { free(okey); return error(c, r, 404, "NoSuchUpload"); }
        } else {
            pthread_mutex_lock(&lock);
            entry *e = insert(okey);
            e->size = k.total; e->head = k.data; e->headlen = k.len;
            snprintf(e->etag, sizeof e->etag, "%s", etag);
            pthread_mutex_unlock(&lock);
        }
        const char *sha = hget(r, "x-amz-checksum-sha256"), *crc = hget(r, "x-amz-checksum-crc32");
        int n = snprintf(hdr, sizeof hdr, "ETag: %s\r\n", etag);
        if (sha) n += snprintf(hdr + n, sizeof hdr - n, "x-amz-checksum-sha256: %s\r\n", sha);
        if (crc) snprintf(hdr + n, sizeof hdr - n, "x-amz-checksum-crc32: %s\r\n", crc);
        rc = respond(c, r, 200, hdr, 0, "");
    } else if (!strcmp(r->method, "POST") && qget(r, "uploads", q, sizeof q)) {
        capture k = { .cap = 0 }; if (read_body(c, r, &k)) { free(okey); return -1; }
        unsigned long long id = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
        char uid[64]; snprintf(uid, sizeof uid, "upload%016llx", id);
        char *uk = joinkey('U', uid, NULL);
        pthread_mutex_lock(&lock);
        entry *u = insert(uk); u->objkey = strdup(okey + 1);
        pthread_mutex_unlock(&lock);
        free(uk);
        text t = {0};
        tput(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult><Bucket>"); txml(&t, bucket);
        tput(&t, "</Bucket><Key>"); txml(&t, key); tput(&t, "</Key><UploadId>%s</UploadId></InitiateMultipartUploadResult>", uid);
        rc = answer_text(c, r, &t);
    } else if (!strcmp(r->method, "POST") && has_upload) {
        capture k = { .cap = XML_MAX }; if (read_body(c, r, &k)) { free(k.data); free(okey); return -1; }
        free(k.data);
        char *uk = joinkey('U', upload, NULL);
        pthread_mutex_lock(&lock);
        entry *u = lookup(uk);
        if (!u) { pthread_mutex_unlock(&lock); free(uk); free(okey); return error(c, r, 404, "NoSuchUpload"); }
        part **order = malloc((u->nparts + 1) * sizeof *order);
        int64_t total = 0;
        for (int i = 0; i < u->nparts; i++) order[i] = &u->parts[i];
        for (int i = 1; i < u->nparts; i++) for (int j = i; j > 0 && order[j - 1]->number > order[j]->number; j--) { part *x = order[j]; order[j] = order[j - 1]; order[j - 1] = x; }
        for (int i = 0; i < u->nparts; i++) total += order[i]->size;
        entry tmp = {0};
        compose_head(&tmp, order, u->nparts);
        int nparts = u->nparts;
        free(order);
        removekey(uk);
        entry *e = insert(okey);
        e->size = total; e->head = tmp.head; e->headlen = tmp.headlen;
        snprintf(e->etag, sizeof e->etag, "\"%032llx-%d\"", __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED), nparts);
        char etag[80]; snprintf(etag, sizeof etag, "%s", e->etag);
        pthread_mutex_unlock(&lock);
        free(uk);
        text t = {0};
        tput(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult><Location>/</Location><Bucket>"); txml(&t, bucket);
        tput(&t, "</Bucket><Key>"); txml(&t, key); tput(&t, "</Key><ETag>"); txml(&t, etag); tput(&t, "</ETag></CompleteMultipartUploadResult>");
        rc = answer_text(c, r, &t);
    } else if (!strcmp(r->method, "DELETE")) {
        char *uk = has_upload ? joinkey('U', upload, NULL) : NULL;
        pthread_mutex_lock(&lock); removekey(uk ? uk : okey); pthread_mutex_unlock(&lock);
        free(uk);
        rc = respond(c, r, 204, NULL, 0, NULL);
    } else if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
        pthread_mutex_lock(&lock);
        entry *e = lookup(okey), copy = {0};
        if (e) { copy = *e; copy.head = e->headlen ? malloc(e->headlen) : NULL; if (copy.head) memcpy(copy.head, e->head, e->headlen); }
        pthread_mutex_unlock(&lock);
        if (!e) rc = error(c, r, 404, "NoSuchKey");
        else {
            httpdate(copy.mtime, date, sizeof date);
            snprintf(hdr, sizeof hdr, "ETag: %s\r\nLast-Modified: %s\r\nContent-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n", copy.etag, date);
            rc = serve_object(c, r, &copy, hdr);
            free(copy.head);
        }
    } else rc = error(c, r, 400, "NotImplemented");
    free(okey);
    return rc;
}

/* ---- Azure ---- */

static int azure(conn *c, request *r, const char *container, const char *blob) {
    char q[4096], comp[64], restype[64], hdr[1024], date[64];
    qget(r, "comp", comp, sizeof comp); qget(r, "restype", restype, sizeof restype);
    char base[2048]; snprintf(base, sizeof base, "@%s/", container);   /* apart from S3's buckets */
    httpdate(time(NULL), date, sizeof date);
    if (!*blob) {
        char *ck = joinkey('A', container, NULL);
        int rc;
        if (!strcmp(comp, "list")) {
            char prefix[2048], delim[64], marker[4096], maxr[32];
            qget(r, "prefix", prefix, sizeof prefix); qget(r, "delimiter", delim, sizeof delim);
            qget(r, "marker", marker, sizeof marker); qget(r, "maxresults", maxr, sizeof maxr);
            int max = maxr[0] ? atoi(maxr) : 5000;
            text t = {0}, items = {0}; char last[4096];
            pthread_mutex_lock(&lock);
            int given = 0, truncated = walk(&items, base, prefix, delim, marker, max, 0, azure_item, last, sizeof last, &given);
            (void)given;
            pthread_mutex_unlock(&lock);
            tput(&t, "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"http://127.0.0.1/\" ContainerName=\"");
            txml(&t, container); tput(&t, "\"><Prefix>"); txml(&t, prefix); tput(&t, "</Prefix>");
            if (delim[0]) { tput(&t, "<Delimiter>"); txml(&t, delim); tput(&t, "</Delimiter>"); }
            tput(&t, "<MaxResults>%d</MaxResults><Blobs>%s</Blobs>", max, items.s ? items.s : "");
            if (truncated) { tput(&t, "<NextMarker>"); txml(&t, last); tput(&t, "</NextMarker>"); } else tput(&t, "<NextMarker />");
            tput(&t, "</EnumerationResults>");
            free(items.s);
            rc = answer_text(c, r, &t);
        } else if (!strcmp(r->method, "PUT")) {
            capture k = { .cap = 0 }; if (read_body(c, r, &k)) { free(ck); return -1; }
            pthread_mutex_lock(&lock);
            int exists = lookup(ck) != NULL; if (!exists) insert(ck);
            pthread_mutex_unlock(&lock);
            snprintf(hdr, sizeof hdr, "ETag: \"0x8D0000000000001\"\r\nLast-Modified: %s\r\n", date);
            rc = exists ? error(c, r, 409, "ContainerAlreadyExists") : respond(c, r, 201, hdr, 0, "");
        } else if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
            pthread_mutex_lock(&lock); int exists = lookup(ck) != NULL; pthread_mutex_unlock(&lock);
            snprintf(hdr, sizeof hdr, "ETag: \"0x8D0000000000001\"\r\nLast-Modified: %s\r\nx-ms-lease-status: unlocked\r\nx-ms-lease-state: available\r\n"
                                      "x-ms-has-immutability-policy: false\r\nx-ms-has-legal-hold: false\r\n", date);
            rc = exists ? respond(c, r, 200, hdr, 0, "") : error(c, r, 404, "ContainerNotFound");
        } else if (!strcmp(r->method, "DELETE")) {
            pthread_mutex_lock(&lock); removekey(ck); pthread_mutex_unlock(&lock);
            rc = respond(c, r, 202, NULL, 0, NULL);
        } else rc = error(c, r, 400, "UnsupportedHttpVerb");
        free(ck);
        return rc;
    }
    size_t okl = strlen(base) + strlen(blob) + 2;
    char *okey = malloc(okl); snprintf(okey, okl, "O%s%s", base, blob);
    int rc;
    if (!strcmp(r->method, "PUT") && (!strcmp(comp, "block") || !strcmp(comp, "blocklist") || !comp[0])) {
        capture k = { .cap = !strcmp(comp, "blocklist") ? XML_MAX : HEAD_MAX };
        if (read_body(c, r, &k)) { free(k.data); free(okey); return -1; }
        const char *md5 = hget(r, "content-md5"), *crc = hget(r, "x-ms-content-crc64");
        char etag[80]; snprintf(etag, sizeof etag, "\"0x8D%013llX\"", __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
        int n = 0;
        if (md5) n += snprintf(hdr + n, sizeof hdr - n, "Content-MD5: %s\r\n", md5);
        if (crc) n += snprintf(hdr + n, sizeof hdr - n, "x-ms-content-crc64: %s\r\n", crc);
        n += snprintf(hdr + n, sizeof hdr - n, "x-ms-request-server-encrypted: true\r\n");
        if (!strcmp(comp, "block")) {
            qget(r, "blockid", q, sizeof q);
            char *bk = joinkey('B', okey + 1, q);
            pthread_mutex_lock(&lock);
            entry *b = insert(bk); b->size = k.total; b->head = k.data; b->headlen = k.len;
            pthread_mutex_unlock(&lock);
            free(bk);
        } else {
            if (!strcmp(comp, "blocklist")) {
                /* the block ids in the list's order: <Latest|Committed|Uncommitted>id</...> */
                part *pieces = NULL; part **order = NULL; int np = 0, cap = 0;
                int64_t total = 0;
                pthread_mutex_lock(&lock);
                char *p = (char *)k.data, *end = p ? p + k.len : NULL;
                while (p && p < end) {
                    char *open = memchr(p, '<', end - p); if (!open) break;
                    char *close = memchr(open, '>', end - open); if (!close) break;
                    size_t tl = close - open - 1;
                    if ((tl == 6 && !memcmp(open + 1, "Latest", 6)) || (tl == 9 && !memcmp(open + 1, "Committed", 9)) || (tl == 11 && !memcmp(open + 1, "Uncommitted", 11))) {
                        char *stop = memchr(close, '<', end - close); if (!stop) break;
                        char id[1024]; snprintf(id, sizeof id, "%.*s", (int)(stop - close - 1), close + 1);
                        char *bk = joinkey('B', okey + 1, id);
                        entry *b = lookup(bk);
                        free(bk);
                        if (b) {
                            if (np == cap) pieces = realloc(pieces, (cap = cap * 2 + 16) * sizeof *pieces);
                            pieces[np++] = (part){ .size = b->size, .head = b->head, .headlen = b->headlen };
                            total += b->size;
                        }
                        p = stop;
                    } else p = close + 1;
                }
                order = malloc((np + 1) * sizeof *order);
                for (int i = 0; i < np; i++) order[i] = &pieces[i];
                entry tmp = {0};
                compose_head(&tmp, order, np);
                free(order); free(pieces);
                /* forget the blob's uncommitted blocks */
                size_t pl = strlen(okey + 1);
                for (int i = 0; i < NBUCKETS; i++) {
                    entry **pp = &table[i];
                    while (*pp) {
                        entry *e = *pp;
                        if (e->key[0] == 'B' && !strncmp(e->key + 1, okey + 1, pl) && e->key[1 + pl] == '\n') { *pp = e->next; free_entry(e); }
                        else pp = &e->next;
                    }
                }
                entry *e = insert(okey);
                e->size = total; e->head = tmp.head; e->headlen = tmp.headlen;
                snprintf(e->etag, sizeof e->etag, "%s", etag);
                pthread_mutex_unlock(&lock);
                free(k.data);
            } else {
                pthread_mutex_lock(&lock);
                entry *e = insert(okey);
                e->size = k.total; e->head = k.data; e->headlen = k.len;
                snprintf(e->etag, sizeof e->etag, "%s", etag);
                pthread_mutex_unlock(&lock);
            }
            snprintf(hdr + n, sizeof hdr - n, "ETag: %s\r\nLast-Modified: %s\r\n", etag, date);
        }
        rc = respond(c, r, 201, hdr, 0, "");
    } else if (!strcmp(r->method, "PUT")) {   /* properties, metadata, tier: accepted */
        capture k = { .cap = 0 }; if (read_body(c, r, &k)) { free(okey); return -1; }
        rc = respond(c, r, 200, NULL, 0, "");
    } else if (!strcmp(r->method, "DELETE")) {
        pthread_mutex_lock(&lock); int found = lookup(okey) != NULL; removekey(okey); pthread_mutex_unlock(&lock);
        rc = found ? respond(c, r, 202, NULL, 0, NULL) : error(c, r, 404, "BlobNotFound");
    } else if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
        pthread_mutex_lock(&lock);
        entry *e = lookup(okey), copy = {0};
        if (e) { copy = *e; copy.head = e->headlen ? malloc(e->headlen) : NULL; if (copy.head) memcpy(copy.head, e->head, e->headlen); }
        pthread_mutex_unlock(&lock);
        if (!e) rc = error(c, r, 404, "BlobNotFound");
        else {
            char mdate[64]; httpdate(copy.mtime, mdate, sizeof mdate);
            snprintf(hdr, sizeof hdr, "ETag: %s\r\nLast-Modified: %s\r\nx-ms-creation-time: %s\r\nContent-Type: application/octet-stream\r\n"
                     "Accept-Ranges: bytes\r\nx-ms-blob-type: BlockBlob\r\nx-ms-server-encrypted: true\r\nx-ms-access-tier: Hot\r\n"
                     "x-ms-access-tier-inferred: true\r\nx-ms-lease-status: unlocked\r\nx-ms-lease-state: available\r\n",
                     copy.etag, mdate, mdate);
            rc = serve_object(c, r, &copy, hdr);
            free(copy.head);
        }
    } else rc = error(c, r, 400, "UnsupportedHttpVerb");
    free(okey);
    return rc;
}

/* ---- dispatch ---- */

static int handle(conn *c, request *r) {
    __atomic_add_fetch(&stat_requests, 1, __ATOMIC_RELAXED);
    if (!strcmp(r->path, "/__sink/stats")) {
        char body[256];
        int n = snprintf(body, sizeof body, "connections %lld\nrequests %lld\nbytes %lld\n",
                         __atomic_load_n(&stat_connections, __ATOMIC_RELAXED), __atomic_load_n(&stat_requests, __ATOMIC_RELAXED),
                         __atomic_load_n(&stat_bytes, __ATOMIC_RELAXED));
        return respond(c, r, 200, "Content-Type: text/plain\r\n", n, body);
    }
    if (!strcmp(r->path, "/__sink/reset")) {
        pthread_mutex_lock(&lock); reset_all(); pthread_mutex_unlock(&lock);
        return respond(c, r, 200, NULL, 0, "");
    }
    /* path-style: /bucket/key for S3, /account/container/blob for Azure */
    char *path = r->path[0] == '/' ? r->path + 1 : r->path;
    if (c->is_azure == 2) {
        char *slash = strchr(path, '/');
        if (!slash) { capture k = {0}; read_body(c, r, &k); return respond(c, r, 200, NULL, 0, ""); }   /* account level */
        path = slash + 1;
    }
    char *slash = strchr(path, '/');
    char *container = path, *rest = (char *)"";
    if (slash) { *slash = 0; rest = slash + 1; }
    return c->is_azure == 2 ? azure(c, r, container, rest) : s3(c, r, container, rest);
}

static void *serve(void *arg) {
    conn c = { .fd = (int)(intptr_t)arg, .buf = malloc(BUF_SIZE) };
    request *r = malloc(sizeof *r);
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (;;) {
        c.is_azure = 0;
        if (read_request(&c, r) <= 0) break;
        if (handle(&c, r)) break;
        const char *connection = hget(r, "connection");
        if (connection && !strcasecmp(connection, "close")) break;
    }
    close(c.fd);
    free(c.buf); free(r);
    return NULL;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(argc > 1 ? atoi(argv[1]) : 0) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) || listen(fd, 512)) { perror("sink"); return 1; }
    socklen_t len = sizeof addr;
    getsockname(fd, (struct sockaddr *)&addr, &len);
    printf("%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 << 10);
    for (;;) {
        int client = accept(fd, NULL, NULL);
        if (client < 0) { if (errno == EINTR || errno == ECONNABORTED) continue; perror("accept"); return 1; }
        __atomic_add_fetch(&stat_connections, 1, __ATOMIC_RELAXED);
        pthread_t thread;
        if (pthread_create(&thread, &attr, serve, (void *)(intptr_t)client)) close(client);
    }
}
