/* The sink's Azure Blob calls (/account/container/blob). */
#include "sink.h"

void azure_item(text *t, entry *e, const char *name, const char *common, int url) {
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

/* ---- Azure ---- */

int azure(conn *c, request *r, const char *container, const char *blob) {
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
            rc = exists ? reply_error(c, r, 409, "ContainerAlreadyExists") : respond(c, r, 201, hdr, 0, "");
        } else if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
            pthread_mutex_lock(&lock); int exists = lookup(ck) != NULL; pthread_mutex_unlock(&lock);
            snprintf(hdr, sizeof hdr, "ETag: \"0x8D0000000000001\"\r\nLast-Modified: %s\r\nx-ms-lease-status: unlocked\r\nx-ms-lease-state: available\r\n"
                                      "x-ms-has-immutability-policy: false\r\nx-ms-has-legal-hold: false\r\n", date);
            rc = exists ? respond(c, r, 200, hdr, 0, "") : reply_error(c, r, 404, "ContainerNotFound");
        } else if (!strcmp(r->method, "DELETE")) {
            pthread_mutex_lock(&lock); removekey(ck); pthread_mutex_unlock(&lock);
            rc = respond(c, r, 202, NULL, 0, NULL);
        } else rc = reply_error(c, r, 400, "UnsupportedHttpVerb");
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
        rc = found ? respond(c, r, 202, NULL, 0, NULL) : reply_error(c, r, 404, "BlobNotFound");
    } else if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
        entry copy = {0};
        if (!copy_entry(okey, &copy)) rc = reply_error(c, r, 404, "BlobNotFound");
        else {
            char mdate[64]; httpdate(copy.mtime, mdate, sizeof mdate);
            snprintf(hdr, sizeof hdr, "ETag: %s\r\nLast-Modified: %s\r\nx-ms-creation-time: %s\r\nContent-Type: application/octet-stream\r\n"
                     "Accept-Ranges: bytes\r\nx-ms-blob-type: BlockBlob\r\nx-ms-server-encrypted: true\r\nx-ms-access-tier: Hot\r\n"
                     "x-ms-access-tier-inferred: true\r\nx-ms-lease-status: unlocked\r\nx-ms-lease-state: available\r\n",
                     copy.etag, mdate, mdate);
            rc = serve_object(c, r, &copy, hdr);
            free(copy.head);
        }
    } else rc = reply_error(c, r, 400, "UnsupportedHttpVerb");
    free(okey);
    return rc;
}
