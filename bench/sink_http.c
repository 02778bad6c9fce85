/* The sink's HTTP/1.1: reading requests and bodies (chunked, aws-chunked), answering, serving object bytes. */
#include "sink.h"


int fill(conn *c) {   /* more bytes into buf[end..]; returns count, 0 on EOF */
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

int sendall(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w; n -= w;
    }
    return 0;
}


const char *hget(request *r, const char *name) {
    for (int i = 0; i < r->nh; i++) if (!strcasecmp(r->h[i].name, name)) return r->h[i].value;
    return NULL;
}

int hexval(int c) { return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1; }

void urldecode(char *s, int plus) {
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) { *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2])); s += 2; }
        else if (plus && *s == '+') *o++ = ' ';
        else *o++ = *s;
    }
    *o = 0;
}

/* the decoded value of query parameter `name` into out (empty when absent); 1 when present */
int qget(request *r, const char *name, char *out, size_t cap) {
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
int read_request(conn *c, request *r) {
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


void capture_add(capture *k, const unsigned char *p, size_t n) {
    k->total += n;
    if (k->len < k->cap) {
        size_t take = n < k->cap - k->len ? n : k->cap - k->len;
        if (!k->data) k->data = malloc(k->cap);
        memcpy(k->data + k->len, p, take); k->len += take;
    }
}


/* feeds bytes to a chunked decoder; returns how many it consumed (it stops at the end of the message) */
size_t dechunk_feed(dechunk *d, const unsigned char *p, size_t n, emit_fn emit, void *ctx) {
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

void to_capture(void *ctx, const unsigned char *p, size_t n) { capture_add(ctx, p, n); }
void to_inner(void *ctx, const unsigned char *p, size_t n) {
    inner *in = ctx;
    if (in->aws_chunked) dechunk_feed(&in->d, p, n, to_capture, in->k);
    else capture_add(in->k, p, n);
}

/* reads the body (answering Expect: 100-continue first); the decoded bytes go to k. -1 on a broken connection */
int read_body(conn *c, request *r, capture *k) {
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

void httpdate(time_t t, char *out, size_t cap) { struct tm tm; gmtime_r(&t, &tm); strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm); }
void isodate(time_t t, char *out, size_t cap) { struct tm tm; gmtime_r(&t, &tm); strftime(out, cap, "%Y-%m-%dT%H:%M:%S.000Z", &tm); }

const char *reason(int status) {
    switch (status) {
    case 200: return "OK"; case 201: return "Created"; case 202: return "Accepted"; case 204: return "No Content";
    case 206: return "Partial Content"; case 308: return "Permanent Redirect"; case 400: return "Bad Request"; case 404: return "Not Found";
    case 409: return "Conflict"; case 416: return "Range Not Satisfiable"; default: return "Status";
    }
}

/* the status line, common headers, `extra` (CRLF-terminated lines) and Content-Length; then `body` unless HEAD */
int respond(conn *c, request *r, int status, const char *extra, int64_t length, const char *body) {
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

int respond_xml(conn *c, request *r, int status, const char *extra, const char *xml) {
    char hdr[1024];
    snprintf(hdr, sizeof hdr, "Content-Type: application/xml\r\n%s", extra ? extra : "");
    return respond(c, r, status, hdr, (int64_t)strlen(xml), xml);
}

int reply_error(conn *c, request *r, int status, const char *code) {
    char xml[512], hdr[256];
    snprintf(xml, sizeof xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code><Message>%s</Message></Error>", code, code);
    snprintf(hdr, sizeof hdr, c->is_azure ? "x-ms-error-code: %s\r\n" : "x-amz-error-code: %s\r\n", code);
    return respond_xml(c, r, status, hdr, xml);
}

/* a growing text buffer for listings */
void tput(text *t, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (t->s && t->len + n < t->cap) { t->len += n; return; }
        t->cap = (t->cap + n + 1) * 2; t->s = realloc(t->s, t->cap);
    }
}
void txml(text *t, const char *s) {   /* XML-escaped */
    for (; *s; s++) {
        switch (*s) { case '&': tput(t, "&amp;"); break; case '<': tput(t, "&lt;"); break; case '>': tput(t, "&gt;"); break;
        case '"': tput(t, "&quot;"); break; default: tput(t, "%c", *s); }
    }
}
void turl(text *t, const char *s) {   /* percent-encoded except unreserved and '/' */
    for (; *s; s++) {
        unsigned char ch = *s;
        if (isalnum(ch) || strchr("-_.~/", ch)) tput(t, "%c", ch); else tput(t, "%%%02X", ch);
    }
}

/* GET of an object: its bytes (head repeated) for `range` or all */
int serve_object(conn *c, request *r, entry *e, const char *extra) {
    int64_t from = 0, to = e->size - 1;
    int status = 200;
    const char *range = hget(r, "x-ms-range"); if (!range) range = hget(r, "range");
    char hdr[1024];
    if (range && !strncmp(range, "bytes=", 6) && e->size > 0) {
        const char *spec = range + 6;
        if (*spec == '-') { from = e->size - strtoll(spec + 1, NULL, 10); if (from < 0) from = 0; }
        else { from = strtoll(spec, NULL, 10); const char *dash = strchr(spec, '-'); if (dash && dash[1]) to = strtoll(dash + 1, NULL, 10); }
        if (to >= e->size) to = e->size - 1;
        if (from > to) return reply_error(c, r, 416, "InvalidRange");
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

void content_md5_etag(request *r, char *etag, size_t cap) {   /* the Content-MD5 sent, in hex; else a counter */
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

int answer_text(conn *c, request *r, text *t) { int rc = respond_xml(c, r, 200, NULL, t->s); free(t->s); return rc; }
