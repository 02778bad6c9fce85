#include "CCrypto.h"
#include <pthread.h>

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum S3 calls CRC32C: the SSE 4.2 `crc32`
/// instruction where the processor has it, eight bytes at a time; otherwise a slicing-by-8 table.

static uint32_t sb_crc32c_table[8][256];
static pthread_once_t sb_crc32c_once = PTHREAD_ONCE_INIT;

static void sb_crc32c_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
        sb_crc32c_table[0][n] = crc;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = sb_crc32c_table[0][n];
        for (int k = 1; k < 8; k++) {
            crc = sb_crc32c_table[0][crc & 0xff] ^ (crc >> 8);
            sb_crc32c_table[k][n] = crc;
        }
    }
}

static uint32_t sb_crc32c_software(uint32_t crc, const uint8_t *data, size_t length) {
    pthread_once(&sb_crc32c_once, sb_crc32c_init);
    while (length >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, data, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word);
#endif
        word ^= crc;
        crc = sb_crc32c_table[7][word & 0xff] ^ sb_crc32c_table[6][(word >> 8) & 0xff]
            ^ sb_crc32c_table[5][(word >> 16) & 0xff] ^ sb_crc32c_table[4][(word >> 24) & 0xff]
            ^ sb_crc32c_table[3][(word >> 32) & 0xff] ^ sb_crc32c_table[2][(word >> 40) & 0xff]
            ^ sb_crc32c_table[1][(word >> 48) & 0xff] ^ sb_crc32c_table[0][word >> 56];
        data += 8;
        length -= 8;
    }
    while (length--) crc = sb_crc32c_table[0][(crc ^ *data++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t sb_crc32c_sse42(uint32_t crc, const uint8_t *data, size_t length) {
    uint64_t wide = crc;
    while (length >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, data, 8);
        wide = __builtin_ia32_crc32di(wide, word);
        data += 8;
        length -= 8;
    }
    crc = (uint32_t)wide;
    while (length--) crc = __builtin_ia32_crc32qi(crc, *data++);
    return crc;
}
#endif

uint32_t sb_crc32c(uint32_t crc, const uint8_t *data, size_t length) {
    crc = ~crc;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return ~sb_crc32c_sse42(crc, data, length);
#endif
    return ~sb_crc32c_software(crc, data, length);
}

uint32_t sb_crc32c_portable(uint32_t crc, const uint8_t *data, size_t length) {
    return ~sb_crc32c_software(~crc, data, length);
}
