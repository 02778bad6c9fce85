/* The sink's memory: objects, uploads and blocks by key; listings; an object's first bytes. */
#include "sink.h"

entry *table[NBUCKETS];
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
long long stat_connections, stat_requests, stat_bytes;
unsigned long long counter;

unsigned hash(const char *s) { unsigned h = 2166136261u; while (*s) h = (h ^ (unsigned char)*s++) * 16777619u; return h & (NBUCKETS - 1); }

entry *lookup(const char *key) {
    for (entry *e = table[hash(key)]; e; e = e->next) if (!strcmp(e->key, key)) return e;
    return NULL;
}

int copy_entry(const char *key, entry *copy) {   /* a copy of the entry (its head too) taken under the lock; 0 when none */
    pthread_mutex_lock(&lock);
    entry *e = lookup(key);
    if (e) { *copy = *e; copy->head = e->headlen ? malloc(e->headlen) : NULL; if (copy->head) memcpy(copy->head, e->head, e->headlen); }
    pthread_mutex_unlock(&lock);
    return e != NULL;
}

void free_entry(entry *e) {
    for (int i = 0; i < e->nparts; i++) free(e->parts[i].head);
    free(e->parts); free(e->head); free(e->objkey); free(e->key); free(e);
}

void removekey(const char *key) {
    entry **p = &table[hash(key)];
    while (*p) { if (!strcmp((*p)->key, key)) { entry *e = *p; *p = e->next; free_entry(e); return; } p = &(*p)->next; }
}

entry *insert(const char *key) {   /* replaces any entry of that key */
    removekey(key);
    entry *e = calloc(1, sizeof *e);
    e->key = strdup(key);
    e->mtime = time(NULL);
    unsigned h = hash(key);
    e->next = table[h]; table[h] = e;
    return e;
}

void reset_all(void) {
    for (int i = 0; i < NBUCKETS; i++) { entry *e = table[i]; while (e) { entry *n = e->next; free_entry(e); e = n; } table[i] = NULL; }
}

char *joinkey(char type, const char *a, const char *b) {
    size_t n = strlen(a) + (b ? strlen(b) + 1 : 0) + 2;
    char *k = malloc(n);
    if (b) snprintf(k, n, "%c%s\n%s", type, a, b); else snprintf(k, n, "%c%s", type, a);
    return k;
}

/* copies the first HEAD_MAX bytes of a sequence of pieces (parts, blocks) into e */
void compose_head(entry *e, part **pieces, int n) {
    e->head = malloc(HEAD_MAX); e->headlen = 0;
    for (int i = 0; i < n && e->headlen < HEAD_MAX; i++) {
        size_t take = pieces[i]->headlen < HEAD_MAX - e->headlen ? pieces[i]->headlen : HEAD_MAX - e->headlen;
        memcpy(e->head + e->headlen, pieces[i]->head, take); e->headlen += take;
        if (pieces[i]->headlen < (size_t)pieces[i]->size) break;
    }
}

int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* sorted keys of objects (type 'O') under `base` (bucket or container path + "/"), whose name starts with prefix */
char **collect(const char *base, const char *prefix, int *count) {
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
int walk(text *t, const char *base, const char *prefix, const char *delim, const char *after, int max, int url,
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
