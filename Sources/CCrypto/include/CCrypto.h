#ifndef SERVICE_BACKUP_CCRYPTO_H
#define SERVICE_BACKUP_CCRYPTO_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <stddef.h>
#include <stdint.h>

/// Signs `data` with RSASSA-PKCS1-v1_5 over SHA-256 (JWT's RS256) using the RSA private key in the PEM
/// text `pem` (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`, unencrypted).
/// On entry `*signature_length` is the capacity of `signature`; on success it is the signature's length.
/// Returns 0 on success, 1 when the text is not an unencrypted private key, 2 when the key is not RSA,
/// 3 when signing fails or `signature` is too small. Nothing is printed; OpenSSL's error queue is cleared.
int sb_rsa_sha256_sign(const char *pem, size_t pem_length, const uint8_t *data, size_t data_length,
                       uint8_t *signature, size_t *signature_length);

/// The CRC-32C of `length` bytes at `data`, continuing `crc` (0 to start): the value S3's `x-amz-checksum-crc32c`
/// carries. Uses the processor's CRC instruction when it has one.
uint32_t sb_crc32c(uint32_t crc, const uint8_t *data, size_t length);

/// The same CRC-32C from a table alone, whatever the processor: for tests that compare the two.
uint32_t sb_crc32c_portable(uint32_t crc, const uint8_t *data, size_t length);

/// The CRC-64/NVME of `length` bytes at `data`, continuing `crc` (0 to start): Azure Storage's
/// `x-ms-content-crc64`. Folds with carry-less multiplication when the processor has it.
uint64_t sb_crc64nvme(uint64_t crc, const uint8_t *data, size_t length);

/// The same CRC-64 from a table alone, whatever the processor: for tests that compare the two.
uint64_t sb_crc64nvme_portable(uint64_t crc, const uint8_t *data, size_t length);

#endif
