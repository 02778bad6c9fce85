#include "CCrypto.h"
#include <openssl/err.h>
#include <openssl/pem.h>

/// A passphrase callback that refuses: an encrypted key is an error, never a prompt on the terminal.
static int sb_no_passphrase(char *buffer, int size, int rwflag, void *user) {
    (void)buffer; (void)size; (void)rwflag; (void)user;
    return -1;
}

int sb_rsa_sha256_sign(const char *pem, size_t pem_length, const uint8_t *data, size_t data_length,
                       uint8_t *signature, size_t *signature_length) {
    int result = 3;
    EVP_MD_CTX *context = NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_length);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, sb_no_passphrase, NULL) : NULL;
    if (key == NULL) {
        result = 1;
        goto done;
    }
    if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
        result = 2;
        goto done;
    }
    context = EVP_MD_CTX_new();
    if (context == NULL || EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, key) != 1) goto done;
    size_t needed = 0;
    if (EVP_DigestSign(context, NULL, &needed, data, data_length) != 1 || needed > *signature_length) goto done;
    if (EVP_DigestSign(context, signature, signature_length, data, data_length) != 1) goto done;
    result = 0;
done:
    EVP_MD_CTX_free(context);
    EVP_PKEY_free(key);
    BIO_free(bio);
    ERR_clear_error();
    return result;
}
