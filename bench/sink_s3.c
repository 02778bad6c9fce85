/* The sink's S3 calls (path-style /bucket/key). */
#include "sink.h"

void s3_item(text *t, entry *e, const char *name, const char *common, int url) {
    if (common) { tput(t, "<CommonPrefixes><Prefix>"); url ? turl(t, common) : txml(t, common); tput(t, "</Prefix></CommonPrefixes>"); return; }
    char date[64]; isodate(e->mtime, date, sizeof date);
    tput(t, "<Contents><Key>"); url ? turl(t, name) : txml(t, name);
    tput(t, "</Key><LastModified>%s</LastModified><ETag>", date); txml(t, e->etag);
    tput(t, "</ETag><Size>%lld</Size><StorageClass>STANDARD</StorageClass></Contents>", (long long)e->size);
}

/* ---- S3 ---- */

int s3(conn *c, request *r, const char *bucket, const char *key) {
    char q[4096], hdr[1024], date[64];
    char base[2048]; snprintf(base, sizeof base, "%s/", bucket);
    if (!*key) {
        char *bk = joinkey('C', bucket, NULL);
        int rc;
        if (!strcmp(r->method, "HEAD")) {
            pthread_mutex_lock(&lock); int exists = lookup(bk) != NULL; pthread_mutex_unlock(&lock);
            rc = exists ? respond(c, r, 200, "x-amz-bucket-region: us-east-1\r\n", 0, NULL) : reply_error(c, r, 404, "NoSuchBucket");
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
        } else rc = reply_error(c, r, 400, "NotImplemented");
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
            if (!u) { free(okey); return reply_error(c, r, 404, "NoSuchUpload"); }
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
        if (!u) { pthread_mutex_unlock(&lock); free(uk); free(okey); return reply_error(c, r, 404, "NoSuchUpload"); }
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
        entry copy = {0};
        if (!copy_entry(okey, &copy)) rc = reply_error(c, r, 404, "NoSuchKey");
        else {
            httpdate(copy.mtime, date, sizeof date);
            snprintf(hdr, sizeof hdr, "ETag: %s\r\nLast-Modified: %s\r\nContent-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n", copy.etag, date);
            rc = serve_object(c, r, &copy, hdr);
            free(copy.head);
        }
    } else rc = reply_error(c, r, 400, "NotImplemented");
    free(okey);
    return rc;
}
