/* The sink's Google Cloud Storage calls (the JSON API, under /storage/v1/, /upload/storage/v1/ and
 * /download/storage/v1/, the last the same as the first).
 *
 * The OAuth token exchange at POST /token (a service account's token_uri; the JWT is not checked, nor are bearer
 * tokens later), Buckets.get, Buckets.insert, resumable uploads (start, chunk PUTs with Content-Range, the status
 * query `bytes * /N`, cancel), multipart and media uploads, Objects.get (metadata, alt=media), Objects.list
 * (prefix, paging; no delimiter), Objects.delete. Bodies are counted and dropped like S3's and Azure's; an object
 * keeps its first HEAD_MAX bytes. No checksum is computed: the object resource's md5Hash and crc32c echo what the
 * client sent (X-Goog-Hash on a resumable upload's last request, the metadata of a multipart one), as the other
 * sinks do not verify Content-MD5 either. Objects are kept as 'O' "#bucket/name", buckets as 'G' bucket, upload
 * sessions as 'U' "gcs…" (objkey "#bucket/name", size = the bytes committed).
 */
#include "sink.h"

static const char JSON[] = "Content-Type: application/json; charset=UTF-8\r\n";

static void tjson(text *t, const char *s) {   /* a JSON string's characters, escaped */
    for (; *s; s++) {
        unsigned char ch = *s;
        if (ch == '"' || ch == '\\') tput(t, "\\%c", ch);
        else if (ch < 0x20) tput(t, "\\u%04x", ch);
        else tput(t, "%c", ch);
    }
}

static int answer_json(conn *c, request *r, int status, const char *extra, text *t) {
    char hdr[1024];
    snprintf(hdr, sizeof hdr, "%s%s", JSON, extra ? extra : "");
    int rc = respond(c, r, status, hdr, (int64_t)t->len, t->s ? t->s : "");
    free(t->s);
    return rc;
}

static int gcs_error(conn *c, request *r, int status, const char *reason_code, const char *message) {
    text t = {0};
    tput(&t, "{\"error\":{\"code\":%d,\"message\":\"", status); tjson(&t, message);
    tput(&t, "\",\"errors\":[{\"domain\":\"global\",\"reason\":\"%s\",\"message\":\"", reason_code); tjson(&t, message);
    tput(&t, "\"}]}}");
    return answer_json(c, r, status, NULL, &t);
}

/* the string value of "field" in a small JSON object (simple escapes; \uXXXX below 0x80 only); 1 when found */
static int json_string(const unsigned char *data, size_t len, const char *field, char *out, size_t cap) {
    char key[64]; int kl = snprintf(key, sizeof key, "\"%s\"", field);
    const char *p = data ? memmem(data, len, key, kl) : NULL, *end = (const char *)data + len;
    if (!p) return 0;
    for (p += kl; p < end && (*p == ' ' || *p == ':' || *p == '\t' || *p == '\n' || *p == '\r'); p++) ;
    if (p >= end || *p++ != '"') return 0;
    size_t n = 0;
    for (; p < end && *p != '"' && n + 1 < cap; p++) {
        if (*p == '\\' && p + 1 < end) {
            p++;
            if (*p == 'u' && p + 4 < end) { out[n++] = (char)strtol((char[]){ p[1], p[2], p[3], p[4], 0 }, NULL, 16); p += 4; }
            else out[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
        } else out[n++] = *p;
    }
    out[n] = 0;
    return 1;
}

/* the md5= and crc32c= values of every X-Goog-Hash header into e */
static void goog_hash(request *r, entry *e) {
    for (int i = 0; i < r->nh; i++) {
        if (strcasecmp(r->h[i].name, "x-goog-hash")) continue;
        for (const char *p = r->h[i].value; p && *p; ) {
            while (*p == ' ' || *p == ',') p++;
            const char *stop = strchr(p, ','); size_t n = stop ? (size_t)(stop - p) : strlen(p);
            if (!strncmp(p, "md5=", 4) && n - 4 < sizeof e->md5) snprintf(e->md5, sizeof e->md5, "%.*s", (int)(n - 4), p + 4);
            if (!strncmp(p, "crc32c=", 7) && n - 7 < sizeof e->crc32c) snprintf(e->crc32c, sizeof e->crc32c, "%.*s", (int)(n - 7), p + 7);
            p = stop;
        }
    }
}

static void resource(text *t, const char *bucket, const char *name, entry *e) {
    char date[64]; isodate(e->mtime, date, sizeof date);
    tput(t, "{\"kind\":\"storage#object\",\"id\":\""); tjson(t, bucket); tput(t, "/"); tjson(t, name);
    tput(t, "/%s\",\"name\":\"", e->etag); tjson(t, name); tput(t, "\",\"bucket\":\""); tjson(t, bucket);
    tput(t, "\",\"generation\":\"%s\",\"metageneration\":\"1\",\"contentType\":\"application/octet-stream\","
            "\"storageClass\":\"STANDARD\",\"size\":\"%lld\",", e->etag, (long long)e->size);
    if (e->md5[0]) tput(t, "\"md5Hash\":\"%s\",", e->md5);
    if (e->crc32c[0]) tput(t, "\"crc32c\":\"%s\",", e->crc32c);
    tput(t, "\"etag\":\"C%s\",\"timeCreated\":\"%s\",\"updated\":\"%s\",\"timeStorageClassUpdated\":\"%s\"}", e->etag, date, date, date);
}

static void gcs_item(text *t, entry *e, const char *name, const char *common, int url) {
    (void)common; (void)url;
    if (t->len) tput(t, ",");
    const char *bucket = e->key + 2;   /* "O#bucket/name" */
    char b[256]; snprintf(b, sizeof b, "%.*s", (int)(name - 1 - bucket), bucket);
    resource(t, b, name, e);
}

/* stores an object of `size` bytes whose first bytes are head[0..headlen) (taken), then answers its resource */
static int finish(conn *c, request *r, const char *bucket, const char *name, int64_t size, unsigned char *head, size_t headlen, entry *hashes) {
    size_t kl = strlen(bucket) + strlen(name) + 4;
    char *okey = malloc(kl); snprintf(okey, kl, "O#%s/%s", bucket, name);
    text t = {0};
    pthread_mutex_lock(&lock);
    entry *e = insert(okey);
    e->size = size; e->head = head; e->headlen = headlen;
    snprintf(e->etag, sizeof e->etag, "%llu", 1700000000000000ULL + __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
    memcpy(e->md5, hashes->md5, sizeof e->md5); memcpy(e->crc32c, hashes->crc32c, sizeof e->crc32c);
    resource(&t, bucket, name, e);
    pthread_mutex_unlock(&lock);
    free(okey);
    return answer_json(c, r, 200, NULL, &t);
}

/* ---- uploads ---- */

static int start_session(conn *c, request *r, const char *bucket) {
    capture k = { .cap = 65536 };
    if (read_body(c, r, &k)) { free(k.data); return -1; }
    char name[4096];
    if (!qget(r, "name", name, sizeof name) && !json_string(k.data, k.len, "name", name, sizeof name)) {
        free(k.data); return gcs_error(c, r, 400, "required", "Required: object name");
    }
    free(k.data);
    char id[64]; snprintf(id, sizeof id, "gcs%016llx", __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
    char *uk = joinkey('U', id, NULL);
    size_t ol = strlen(bucket) + strlen(name) + 3;
    pthread_mutex_lock(&lock);
    entry *u = insert(uk);
    u->objkey = malloc(ol); snprintf(u->objkey, ol, "#%s/%s", bucket, name);
    pthread_mutex_unlock(&lock);
    free(uk);
    const char *host = hget(r, "host");
    char hdr[1024];
    snprintf(hdr, sizeof hdr, "Location: http://%s/upload/storage/v1/b/%s/o?uploadType=resumable&upload_id=%s\r\nX-GUploader-UploadID: %s\r\n",
             host ? host : "127.0.0.1", bucket, id, id);
    return respond(c, r, 200, hdr, 0, "");
}

/* a PUT to a session: `Content-Range: bytes A-B/T` (T may be *) carries bytes, `bytes * /T` asks or ends */
static int session_put(conn *c, request *r, const char *id) {
    int64_t first = -1, total = -1;
    const char *range = hget(r, "content-range");
    if (range && !strncmp(range, "bytes ", 6)) {
        char *p = (char *)range + 6;
        if (*p == '*') p++; else { first = strtoll(p, &p, 10); if (*p == '-') strtoll(p + 1, &p, 10); }
        if (*p == '/' && p[1] != '*') total = strtoll(p + 1, NULL, 10);
    }
    char *uk = joinkey('U', id, NULL);
    pthread_mutex_lock(&lock);
    entry *u = lookup(uk);
    int64_t committed = u ? u->size : 0;
    pthread_mutex_unlock(&lock);
    /* the first HEAD_MAX bytes of the object are kept; bytes not at the committed offset are dropped */
    capture k = { .cap = u && first == committed && committed < HEAD_MAX ? (size_t)(HEAD_MAX - committed) : 0 };
    if (read_body(c, r, &k)) { free(k.data); free(uk); return -1; }
    pthread_mutex_lock(&lock);
    u = lookup(uk);
    if (!u) { pthread_mutex_unlock(&lock); free(k.data); free(uk); return gcs_error(c, r, 404, "notFound", "No such upload session"); }
    if (k.total && first == u->size) {
        if (k.len) {
            u->head = realloc(u->head, u->headlen + k.len);
            memcpy(u->head + u->headlen, k.data, k.len); u->headlen += k.len;
        }
        u->size += k.total;
    }
    free(k.data);
    committed = u->size;
    if (total >= 0 && committed >= total) {
        entry hashes = {0};
        goog_hash(r, &hashes);
        char *objkey = u->objkey, *slash = strchr(objkey, '/');
        *slash = 0;
        char *bucket = strdup(objkey + 1), *name = strdup(slash + 1);
        unsigned char *head = u->head; size_t headlen = u->headlen;
        u->head = NULL; u->headlen = 0;
        removekey(uk);
        pthread_mutex_unlock(&lock);
        int rc = finish(c, r, bucket, name, committed, head, headlen, &hashes);
        free(bucket); free(name); free(uk);
        return rc;
    }
    pthread_mutex_unlock(&lock);
    free(uk);
    char hdr[128] = "";
    if (committed) snprintf(hdr, sizeof hdr, "Range: bytes=0-%lld\r\n", (long long)committed - 1);
    return respond(c, r, 308, hdr, 0, "");
}

/* uploadType=media (the body is the object) or multipart (JSON metadata, then the object, in multipart/related) */
static int simple_upload(conn *c, request *r, const char *bucket, int multipart) {
    capture k = { .cap = HEAD_MAX + 65536 };
    if (read_body(c, r, &k)) { free(k.data); return -1; }
    char name[4096]; int named = qget(r, "name", name, sizeof name);
    entry hashes = {0};
    size_t offset = 0; int64_t size = k.total;
    if (multipart) {
        const char *type = hget(r, "content-type"), *b = type ? strcasestr(type, "boundary=") : NULL;
        char boundary[256] = "";
        if (b) { b += 9; if (*b == '"') b++; snprintf(boundary, sizeof boundary, "%.*s", (int)strcspn(b, "\";"), b); }
        char sep[300]; int sl = snprintf(sep, sizeof sep, "--%s", boundary);
        const unsigned char *data = k.data, *end = data + k.len;
        const unsigned char *meta = b ? memmem(data, k.len, sep, sl) : NULL;
        const unsigned char *second = meta ? memmem(meta + sl, end - meta - sl, sep, sl) : NULL;
        const unsigned char *body = second ? memmem(second, end - second, "\r\n\r\n", 4) : NULL;
        if (!body) { free(k.data); return gcs_error(c, r, 400, "invalid", "Malformed multipart body"); }
        if (!named) named = json_string(meta, second - meta, "name", name, sizeof name);
        json_string(meta, second - meta, "md5Hash", hashes.md5, sizeof hashes.md5);
        json_string(meta, second - meta, "crc32c", hashes.crc32c, sizeof hashes.crc32c);
        offset = body + 4 - data;
        size = k.total - (int64_t)offset - (sl + 4);   /* "\r\n" sep "--" */
        if (size < 0) size = 0;
    } else goog_hash(r, &hashes);
    if (!named) { free(k.data); return gcs_error(c, r, 400, "required", "Required: object name"); }
    size_t headlen = k.len - offset < (uint64_t)size ? k.len - offset : (size_t)size;
    unsigned char *head = headlen ? malloc(headlen) : NULL;
    if (head) memcpy(head, k.data + offset, headlen);
    free(k.data);
    return finish(c, r, bucket, name, size, head, headlen, &hashes);
}

/* ---- dispatch ---- */

/* a bucket's resource, or 404 (the request's body has been read) */
static int bucket_answer(conn *c, request *r, const char *bucket) {
    char *bk = joinkey('G', bucket, NULL);
    pthread_mutex_lock(&lock); entry *e = lookup(bk); time_t made = e ? e->mtime : 0; pthread_mutex_unlock(&lock);
    free(bk);
    if (!made) return gcs_error(c, r, 404, "notFound", "The specified bucket does not exist.");
    char date[64]; isodate(made, date, sizeof date);
    text t = {0};
    tput(&t, "{\"kind\":\"storage#bucket\",\"id\":\""); tjson(&t, bucket); tput(&t, "\",\"name\":\""); tjson(&t, bucket);
    tput(&t, "\",\"projectNumber\":\"1\",\"metageneration\":\"1\",\"location\":\"US\",\"storageClass\":\"STANDARD\","
             "\"etag\":\"CAE=\",\"timeCreated\":\"%s\",\"updated\":\"%s\"}", date, date);
    return answer_json(c, r, 200, NULL, &t);
}

static int create_bucket(conn *c, request *r) {
    capture k = { .cap = 65536 };
    if (read_body(c, r, &k)) { free(k.data); return -1; }
    char name[256];
    int named = json_string(k.data, k.len, "name", name, sizeof name);
    free(k.data);
    if (!named) return gcs_error(c, r, 400, "required", "Required: bucket name");
    char *bk = joinkey('G', name, NULL);
    pthread_mutex_lock(&lock); int exists = lookup(bk) != NULL; if (!exists) insert(bk); pthread_mutex_unlock(&lock);
    free(bk);
    if (exists) return gcs_error(c, r, 409, "conflict", "The requested bucket name is not available.");
    return bucket_answer(c, r, name);
}

static int list_objects(conn *c, request *r, const char *bucket) {
    char prefix[2048], token[4096], maxr[32], base[300], last[4096];
    qget(r, "prefix", prefix, sizeof prefix); qget(r, "pageToken", token, sizeof token); qget(r, "maxResults", maxr, sizeof maxr);
    int max = maxr[0] ? atoi(maxr) : 1000; if (max <= 0 || max > 1000) max = 1000;
    snprintf(base, sizeof base, "#%s/", bucket);
    text t = {0}, items = {0};
    pthread_mutex_lock(&lock);
    int given = 0, truncated = walk(&items, base, prefix, "", token, max, 0, gcs_item, last, sizeof last, &given);
    pthread_mutex_unlock(&lock);
    tput(&t, "{\"kind\":\"storage#objects\"");
    if (truncated) { tput(&t, ",\"nextPageToken\":\""); tjson(&t, last); tput(&t, "\""); }
    if (given) tput(&t, ",\"items\":[%s]", items.s);
    tput(&t, "}");
    free(items.s);
    return answer_json(c, r, 200, NULL, &t);
}

static int object_call(conn *c, request *r, const char *bucket, const char *name) {
    capture k = {0};
    if (read_body(c, r, &k)) return -1;
    size_t kl = strlen(bucket) + strlen(name) + 4;
    char *okey = malloc(kl); snprintf(okey, kl, "O#%s/%s", bucket, name);
    char alt[32]; qget(r, "alt", alt, sizeof alt);
    int rc;
    if (!strcmp(r->method, "DELETE")) {
        pthread_mutex_lock(&lock); int found = lookup(okey) != NULL; removekey(okey); pthread_mutex_unlock(&lock);
        free(okey);
        return found ? respond(c, r, 204, NULL, 0, NULL) : gcs_error(c, r, 404, "notFound", "No such object");
    }
    entry copy = {0};
    int found = copy_entry(okey, &copy);
    free(okey);
    if (!found) return gcs_error(c, r, 404, "notFound", "No such object");
    if (!strcmp(alt, "media")) {
        char hdr[512];
        int n = snprintf(hdr, sizeof hdr, "Content-Type: application/octet-stream\r\nx-goog-generation: %s\r\nx-goog-stored-content-length: %lld\r\n",
                         copy.etag, (long long)copy.size);
        if (copy.crc32c[0] || copy.md5[0])
            snprintf(hdr + n, sizeof hdr - n, "x-goog-hash: %s%s%s%s%s\r\n", copy.crc32c[0] ? "crc32c=" : "", copy.crc32c,
                     copy.crc32c[0] && copy.md5[0] ? "," : "", copy.md5[0] ? "md5=" : "", copy.md5);
        rc = serve_object(c, r, &copy, hdr);
    } else {
        text t = {0};
        resource(&t, bucket, name, &copy);
        rc = answer_json(c, r, 200, NULL, &t);
    }
    free(copy.head);
    return rc;
}

int is_gcs(request *r) {
    return !strncmp(r->path, "/storage/v1/", 12) || !strncmp(r->path, "/upload/storage/v1/", 19) || !strncmp(r->path, "/download/storage/v1/", 21)
        || (!strcmp(r->path, "/token") && !strcmp(r->method, "POST"));
}

int gcs(conn *c, request *r) {
    char q[4096];
    if (!strcmp(r->path, "/token")) {
        capture k = {0};
        if (read_body(c, r, &k)) return -1;
        static const char token[] = "{\"access_token\":\"ya29.bench-sink-token\",\"expires_in\":3599,\"token_type\":\"Bearer\"}";
        return respond(c, r, 200, JSON, (int64_t)strlen(token), token);
    }
    int upload = !strncmp(r->path, "/upload/", 8), download = !strncmp(r->path, "/download/", 10);
    char *path = r->path + (upload ? 19 : download ? 21 : 12);   /* after /upload/storage/v1/, /download/storage/v1/ or /storage/v1/ */
    if (!strcmp(path, "b") && !strcmp(r->method, "POST")) return create_bucket(c, r);
    if (strncmp(path, "b/", 2)) { capture k = {0}; if (read_body(c, r, &k)) return -1; return gcs_error(c, r, 400, "invalid", "Unsupported call"); }
    char bucket[256]; const char *rest = path + 2, *slash = strchr(rest, '/');
    snprintf(bucket, sizeof bucket, "%.*s", (int)(slash ? (size_t)(slash - rest) : strlen(rest)), rest);
    if (!slash || strncmp(slash, "/o", 2) || (slash[2] && slash[2] != '/')) {
        capture k = {0}; if (read_body(c, r, &k)) return -1;
        if (!slash && !strcmp(r->method, "GET")) return bucket_answer(c, r, bucket);
        return gcs_error(c, r, 400, "invalid", "Unsupported call");
    }
    if (upload) {
        if (qget(r, "upload_id", q, sizeof q)) {
            if (!strcmp(r->method, "PUT") || !strcmp(r->method, "POST")) return session_put(c, r, q);
            capture k = {0}; if (read_body(c, r, &k)) return -1;
            char *uk = joinkey('U', q, NULL);
            pthread_mutex_lock(&lock); removekey(uk); pthread_mutex_unlock(&lock);
            free(uk);
            return respond(c, r, 499, NULL, 0, "");   /* DELETE: the service's answer to a cancelled session */
        }
        qget(r, "uploadType", q, sizeof q);
        if (!strcmp(q, "resumable")) return start_session(c, r, bucket);
        return simple_upload(c, r, bucket, !strcmp(q, "multipart"));
    }
    if (!slash[2] || !slash[3]) {
        capture k = {0}; if (read_body(c, r, &k)) return -1;
        return list_objects(c, r, bucket);
    }
    return object_call(c, r, bucket, slash + 3);
}
