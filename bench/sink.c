/* The benchmark's S3, Azure Blob and Google Cloud Storage sink (not a test peer): a thread per connection,
 * HTTP/1.1 keep-alive, bodies read into one buffer per thread and thrown away. No signature checks: it is a sink.
 *
 * It remembers, per object, its size, ETag and its first HEAD_MAX bytes (the whole object when smaller).
 * GET serves those bytes repeated up to the size: the benchmark's large files repeat one 1 MiB block, so a
 * restore gets back exactly what was uploaded and its SHA-256 check passes. A request carrying an `x-ms-`
 * header is Azure's (path /account/container/blob); one under /storage/v1/, /upload/storage/v1/,
 * /download/storage/v1/ or POST /token is GCS's JSON API (sink_gcs.c lists its calls); any other S3's (/bucket/key).
 *
 * S3: HeadBucket, CreateBucket, GetBucketLocation, PutObject, CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListObjects (v1, v2; prefix, delimiter, paging),
 * ListMultipartUploads, HeadObject, GetObject (Range), DeleteObject, DeleteObjects.
 * Azure: Create Container, Get Container Properties, Put Blob, Put Block, Put Block List, Get Blob
 * Properties, List Blobs (prefix, delimiter, paging), Get Blob (Range / x-ms-range), Delete Blob.
 * Bodies: Content-Length or Transfer-Encoding: chunked, and inside either `Content-Encoding: aws-chunked`.
 * Benchmark controls: GET /__sink/stats (connections, requests, body bytes), POST /__sink/reset (forget all).
 *
 *   cc -O2 -pthread -o sink sink*.c && ./sink [PORT]     prints the port it listens on (127.0.0.1), then serves.
 */
#include "sink.h"

/* ---- dispatch ---- */

int handle(conn *c, request *r) {
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
    if (c->is_azure != 2 && is_gcs(r)) return gcs(c, r);
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

void *serve(void *arg) {
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
