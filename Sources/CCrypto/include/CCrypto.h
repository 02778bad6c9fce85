#ifndef SERVICE_BACKUP_CCRYPTO_H
#define SERVICE_BACKUP_CCRYPTO_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>

#endif
