#include "CSSH2.h"
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

int sb_ssh2_session_init_done(void) { return libssh2_init(0); }

// MARK: the session's memory

// libssh2 allocates each SFTP write packet (30000 bytes of data and a small header) and each data packet it
// receives on its own and frees it once acknowledged or read: some thirty of them per MiB in flight. From the
// process's heap they come and go at the top of an arena, which glibc trims and grows again, so every packet
// faulted in fresh, zeroed pages. A session instead keeps the blocks of that size it freed (at most enough for
// its packets in flight) and reuses them; any other size goes to malloc. One session is used by one thread at a
// time, so its cache needs no lock.
#define SB_BLOCK_MIN (16u << 10)
#define SB_BLOCK_SIZE (33u << 10)
#define SB_BLOCKS_KEPT 48

typedef struct {
    size_t size;        // the caller's size; SB_BLOCK_SIZE capacity when `pooled`
    size_t pooled;
} sb_block_header;

typedef struct {
    void *free_blocks[SB_BLOCKS_KEPT];
    int count;
} sb_block_cache;

static void *sb_alloc(size_t count, void **abstract) {
    sb_block_cache *cache = (sb_block_cache *)*abstract;
    int pooled = cache != NULL && count >= SB_BLOCK_MIN && count <= SB_BLOCK_SIZE;
    sb_block_header *header;
    if (pooled && cache->count > 0) {
        header = cache->free_blocks[--cache->count];
    } else {
        header = malloc(sizeof(sb_block_header) + (pooled ? SB_BLOCK_SIZE : count));
        if (header == NULL) return NULL;
    }
    header->size = count;
    header->pooled = (size_t)pooled;
    return header + 1;
}

static void sb_free(void *pointer, void **abstract) {
    if (pointer == NULL) return;
    sb_block_cache *cache = (sb_block_cache *)*abstract;
    sb_block_header *header = (sb_block_header *)pointer - 1;
    if (header->pooled && cache != NULL && cache->count < SB_BLOCKS_KEPT) {
        cache->free_blocks[cache->count++] = header;
    } else {
        free(header);
    }
}

static void *sb_realloc(void *pointer, size_t count, void **abstract) {
    if (pointer == NULL) return sb_alloc(count, abstract);
    sb_block_header *header = (sb_block_header *)pointer - 1;
    if (!header->pooled && !(count >= SB_BLOCK_MIN && count <= SB_BLOCK_SIZE && *abstract != NULL)) {
        sb_block_header *grown = realloc(header, sizeof(sb_block_header) + count);
        if (grown == NULL) return NULL;
        grown->size = count;
        return grown + 1;
    }
    void *moved = sb_alloc(count, abstract);
    if (moved == NULL) return NULL;
    memcpy(moved, pointer, header->size < count ? header->size : count);
    sb_free(pointer, abstract);
    return moved;
}

LIBSSH2_SESSION *sb_ssh2_session_init(void) {
    sb_block_cache *cache = calloc(1, sizeof *cache);
    if (cache == NULL) return NULL;
    LIBSSH2_SESSION *session = libssh2_session_init_ex(sb_alloc, sb_free, sb_realloc, cache);
    if (session == NULL) free(cache);
    return session;
}

void sb_ssh2_session_free(LIBSSH2_SESSION *session) {
    sb_block_cache *cache = (sb_block_cache *)*libssh2_session_abstract(session);
    libssh2_session_free(session);
    while (cache->count > 0) free(cache->free_blocks[--cache->count]);
    free(cache);
}

int sb_ssh2_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect(session, description);
}

LIBSSH2_SFTP_HANDLE *sb_ssh2_sftp_open_for_writing(LIBSSH2_SFTP *sftp, const char *path, size_t path_len, long mode) {
    return libssh2_sftp_open_ex(sftp, path, (unsigned int)path_len,
                                LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, mode, LIBSSH2_SFTP_OPENFILE);
}

LIBSSH2_SFTP_HANDLE *sb_ssh2_sftp_open_for_reading(LIBSSH2_SFTP *sftp, const char *path, size_t path_len) {
    return libssh2_sftp_open_ex(sftp, path, (unsigned int)path_len, LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE);
}

LIBSSH2_SFTP_HANDLE *sb_ssh2_sftp_open_folder(LIBSSH2_SFTP *sftp, const char *path, size_t path_len) {
    return libssh2_sftp_open_ex(sftp, path, (unsigned int)path_len, 0, 0, LIBSSH2_SFTP_OPENDIR);
}

int sb_ssh2_sftp_stat(LIBSSH2_SFTP *sftp, const char *path, size_t path_len, int follow, LIBSSH2_SFTP_ATTRIBUTES *attributes) {
    return libssh2_sftp_stat_ex(sftp, path, (unsigned int)path_len, follow ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT, attributes);
}

int sb_ssh2_sftp_mkdir(LIBSSH2_SFTP *sftp, const char *path, size_t path_len, long mode) {
    return libssh2_sftp_mkdir_ex(sftp, path, (unsigned int)path_len, mode);
}

int sb_ssh2_sftp_is_folder(LIBSSH2_SFTP *sftp, const char *path, size_t path_len) {
    LIBSSH2_SFTP_ATTRIBUTES attributes;
    int rc = libssh2_sftp_stat_ex(sftp, path, (unsigned int)path_len, LIBSSH2_SFTP_STAT, &attributes);
    if (rc != 0) return rc;
    if (!(attributes.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS)) return 0;
    return LIBSSH2_SFTP_S_ISDIR(attributes.permissions) ? 1 : 0;
}

int sb_ssh2_sftp_unlink(LIBSSH2_SFTP *sftp, const char *path, size_t path_len) {
    return libssh2_sftp_unlink_ex(sftp, path, (unsigned int)path_len);
}

int sb_ssh2_sftp_rename(LIBSSH2_SFTP *sftp, const char *from, size_t from_len, const char *to, size_t to_len) {
    return libssh2_sftp_rename_ex(sftp, from, (unsigned int)from_len, to, (unsigned int)to_len,
                                  LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE);
}

int sb_ssh2_sftp_close(LIBSSH2_SFTP_HANDLE *handle) { return libssh2_sftp_close_handle(handle); }

// MARK: SCP and exec

LIBSSH2_CHANNEL *sb_ssh2_channel_exec(LIBSSH2_SESSION *session, const char *command, size_t command_len) {
    LIBSSH2_CHANNEL *channel = libssh2_channel_open_session(session);
    if (channel == NULL) return NULL;
    if (libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command, (unsigned int)command_len) != 0) {
        libssh2_channel_free(channel);
        return NULL;
    }
    return channel;
}

ssize_t sb_ssh2_channel_read(LIBSSH2_CHANNEL *channel, int stream, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, stream ? SSH_EXTENDED_DATA_STDERR : 0, buffer, length);
}

ssize_t sb_ssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t length) {
    return libssh2_channel_write_ex(channel, 0, buffer, length);
}

LIBSSH2_CHANNEL *sb_ssh2_scp_send(LIBSSH2_SESSION *session, const char *path, int mode, long long size) {
    return libssh2_scp_send64(session, path, mode, (libssh2_int64_t)size, 0, 0);
}

LIBSSH2_CHANNEL *sb_ssh2_scp_recv(LIBSSH2_SESSION *session, const char *path, long long *size, long long *mtime) {
    libssh2_struct_stat info;
    memset(&info, 0, sizeof info);
    LIBSSH2_CHANNEL *channel = libssh2_scp_recv2(session, path, &info);
    if (channel != NULL) {
        *size = (long long)info.st_size;
        *mtime = (long long)info.st_mtime;
    }
    return channel;
}

// MARK: rsa-sha2-256

struct sb_ssh2_rsa_key { EVP_PKEY *pkey; };

static int refuse_passphrase(char *buffer, int size, int rwflag, void *user) {
    (void)buffer; (void)size; (void)rwflag; (void)user;
    return -1;
}

static sb_ssh2_rsa_key *wrap(EVP_PKEY *pkey) {
    if (pkey == NULL) return NULL;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) { EVP_PKEY_free(pkey); return NULL; }
    sb_ssh2_rsa_key *key = malloc(sizeof *key);
    if (key == NULL) { EVP_PKEY_free(pkey); return NULL; }
    key->pkey = pkey;
    return key;
}

sb_ssh2_rsa_key *sb_ssh2_rsa_key_from_pem(const char *pem, size_t pem_len) {
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (bio == NULL) return NULL;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, refuse_passphrase, NULL);
    BIO_free(bio);
    ERR_clear_error();
    return wrap(pkey);
}

sb_ssh2_rsa_key *sb_ssh2_rsa_key_from_components(
    const unsigned char *n, size_t n_len, const unsigned char *e, size_t e_len,
    const unsigned char *d, size_t d_len, const unsigned char *p, size_t p_len,
    const unsigned char *q, size_t q_len) {
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL), *bn_e = BN_bin2bn(e, (int)e_len, NULL);
    BIGNUM *bn_d = BN_secure_new(), *bn_p = BN_secure_new(), *bn_q = BN_secure_new();
    BIGNUM *dp = BN_secure_new(), *dq = BN_secure_new(), *qinv = BN_secure_new(), *one = BN_new();
    BIGNUM *p1 = BN_secure_new(), *q1 = BN_secure_new();
    OSSL_PARAM_BLD *build = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    if (bn && bn_n && bn_e && bn_d && bn_p && bn_q && dp && dq && qinv && one && p1 && q1 && build
        && BN_bin2bn(d, (int)d_len, bn_d) && BN_bin2bn(p, (int)p_len, bn_p) && BN_bin2bn(q, (int)q_len, bn_q)
        && BN_one(one) && BN_sub(p1, bn_p, one) && BN_sub(q1, bn_q, one)
        && BN_mod(dp, bn_d, p1, bn) && BN_mod(dq, bn_d, q1, bn) && BN_mod_inverse(qinv, bn_q, bn_p, bn)
        && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn_n)
        && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, bn_e)
        && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_D, bn_d)
        && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_FACTOR1, bn_p)
        && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_FACTOR2, bn_q)
        && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp)
        && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq)
        && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv)
        && (params = OSSL_PARAM_BLD_to_param(build)) != NULL
        && (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL
        && EVP_PKEY_fromdata_init(ctx) == 1) {
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1) pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(build);
    BN_free(bn_n); BN_free(bn_e); BN_clear_free(bn_d); BN_clear_free(bn_p); BN_clear_free(bn_q);
    BN_clear_free(dp); BN_clear_free(dq); BN_clear_free(qinv); BN_free(one); BN_clear_free(p1); BN_clear_free(q1);
    BN_CTX_free(bn);
    ERR_clear_error();
    return wrap(pkey);
}

void sb_ssh2_rsa_key_free(sb_ssh2_rsa_key *key) {
    if (key == NULL) return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

static unsigned char *put_string(unsigned char *out, const unsigned char *bytes, size_t len) {
    out[0] = (unsigned char)(len >> 24); out[1] = (unsigned char)(len >> 16);
    out[2] = (unsigned char)(len >> 8); out[3] = (unsigned char)len;
    memcpy(out + 4, bytes, len);
    return out + 4 + len;
}

static unsigned char *put_mpint(unsigned char *out, const BIGNUM *value) {
    int len = BN_num_bytes(value);
    unsigned char *bytes = malloc((size_t)len + 1);
    if (bytes == NULL) return NULL;
    bytes[0] = 0;
    BN_bn2bin(value, bytes + 1);
    int skip = (len > 0 && (bytes[1] & 0x80)) ? 0 : 1;
    out = put_string(out, bytes + skip, (size_t)len + 1 - (size_t)skip);
    free(bytes);
    return out;
}

// libssh2 frees the signature with the session's allocator, so it is made with that allocator.
static int sign_sha256(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len,
                       const unsigned char *data, size_t data_len, void **abstract) {
    sb_ssh2_rsa_key *key = (sb_ssh2_rsa_key *)*abstract;
    void **memory = libssh2_session_abstract(session);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t len = 0;
    unsigned char *out = NULL;
    int ok = ctx != NULL
        && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1
        && EVP_DigestSign(ctx, NULL, &len, data, data_len) == 1
        && (out = sb_alloc(len, memory)) != NULL
        && EVP_DigestSign(ctx, out, &len, data, data_len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    if (!ok) { sb_free(out, memory); return -1; }
    *sig = out;
    *sig_len = len;
    return 0;
}

int sb_ssh2_userauth_rsa_sha256(LIBSSH2_SESSION *session, const char *user, sb_ssh2_rsa_key *key) {
    // libssh2 1.10 names the signature algorithm after the key blob's type string. A blob typed
    // "rsa-sha2-256" carries the same public key (OpenSSH decodes it as an RSA key) and makes libssh2
    // send pkalg "rsa-sha2-256" with the SHA-256 signature made here, which RFC 8332 servers accept.
    static const char name[] = "rsa-sha2-256";
    BIGNUM *e = NULL, *n = NULL;
    if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1
        || EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1) {
        BN_free(e); BN_free(n); ERR_clear_error();
        return LIBSSH2_ERROR_FILE;
    }
    size_t capacity = 4 + sizeof name + 4 + (size_t)BN_num_bytes(e) + 1 + 4 + (size_t)BN_num_bytes(n) + 1;
    unsigned char *blob = malloc(capacity), *end = NULL;
    if (blob != NULL) {
        end = put_string(blob, (const unsigned char *)name, sizeof name - 1);
        end = put_mpint(end, e);
        if (end != NULL) end = put_mpint(end, n);
    }
    BN_free(e); BN_free(n);
    if (end == NULL) { free(blob); return LIBSSH2_ERROR_ALLOC; }
    void *abstract = key;
    int rc = libssh2_userauth_publickey(session, user, (const unsigned char *)blob, (size_t)(end - blob),
                                        sign_sha256, &abstract);
    free(blob);
    return rc;
}
