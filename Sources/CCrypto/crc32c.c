#include "CCrypto.h"
#include <pthread.h>
#include "slicing.h"

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum S3 calls CRC32C: the SSE 4.2 `crc32`
/// instruction where the processor has it, eight bytes at a time in three interleaved streams; otherwise a
/// slicing-by-8 table.

static uint32_t sb_crc32c_table[8][256];
static pthread_once_t sb_crc32c_once = PTHREAD_ONCE_INIT;

static void sb_crc32c_init(void) { SB_SLICING_TABLES(sb_crc32c_table, 0x82F63B78u); }

static uint32_t sb_crc32c_software(uint32_t crc, const uint8_t *data, size_t length) {
    pthread_once(&sb_crc32c_once, sb_crc32c_init);
    SB_SLICING_BY_8(sb_crc32c_table, crc, data, length);
    return crc;
}

#if defined(__x86_64__)
/// The `crc32` instruction has a latency of three cycles and a throughput of one, so three independent streams
/// over three adjacent spans run three times as fast as one; the spans' CRCs are then combined by shifting a CRC
/// over the span that follows it (multiplying by x^(8·span) modulo the polynomial, four table lookups).
enum { SB_CRC32C_LONG = 8192, SB_CRC32C_SHORT = 256 };
static uint32_t sb_crc32c_long[4][256], sb_crc32c_short[4][256];
static pthread_once_t sb_crc32c_shift_once = PTHREAD_ONCE_INIT;

static uint32_t sb_gf2_times(const uint32_t *matrix, uint32_t vector) {
    uint32_t sum = 0;
    for (; vector; vector >>= 1, matrix++) if (vector & 1) sum ^= *matrix;
    return sum;
}

static void sb_gf2_square(uint32_t *square, const uint32_t *matrix) {
    for (int n = 0; n < 32; n++) square[n] = sb_gf2_times(matrix, matrix[n]);
}

/// The tables that shift a CRC register over `length` zero bytes (`length` a power of two).
static void sb_crc32c_shift_tables(uint32_t tables[4][256], size_t length) {
    uint32_t even[32], odd[32];
    odd[0] = 0x82F63B78u;  // one zero bit
    for (int n = 1; n < 32; n++) odd[n] = 1u << (n - 1);
    sb_gf2_square(even, odd);  // two zero bits
    sb_gf2_square(odd, even);  // four zero bits
    const uint32_t *op = odd;
    for (;;) {  // each square doubles: eight zero bits (one byte), two bytes, ...
        sb_gf2_square(even, odd);
        op = even;
        if ((length >>= 1) == 0) break;
        sb_gf2_square(odd, even);
        op = odd;
        if ((length >>= 1) == 0) break;
    }
    for (uint32_t n = 0; n < 256; n++) {
        tables[0][n] = sb_gf2_times(op, n);
        tables[1][n] = sb_gf2_times(op, n << 8);
        tables[2][n] = sb_gf2_times(op, n << 16);
        tables[3][n] = sb_gf2_times(op, n << 24);
    }
}

static void sb_crc32c_shift_init(void) {
    sb_crc32c_shift_tables(sb_crc32c_long, SB_CRC32C_LONG);
    sb_crc32c_shift_tables(sb_crc32c_short, SB_CRC32C_SHORT);
}

static inline uint32_t sb_crc32c_shift(uint32_t tables[4][256], uint32_t crc) {
    return tables[0][crc & 0xff] ^ tables[1][(crc >> 8) & 0xff] ^ tables[2][(crc >> 16) & 0xff] ^ tables[3][crc >> 24];
}

__attribute__((target("sse4.2")))
static uint64_t sb_crc32c_three_spans(uint64_t crc0, const uint8_t **data, size_t *length, size_t span, uint32_t tables[4][256]) {
    while (*length >= 3 * span) {
        uint64_t crc1 = 0, crc2 = 0;
        const uint8_t *next = *data, *end = *data + span;
        do {
            uint64_t a, b, c;
            __builtin_memcpy(&a, next, 8);
            __builtin_memcpy(&b, next + span, 8);
            __builtin_memcpy(&c, next + 2 * span, 8);
            crc0 = __builtin_ia32_crc32di(crc0, a);
            crc1 = __builtin_ia32_crc32di(crc1, b);
            crc2 = __builtin_ia32_crc32di(crc2, c);
            next += 8;
        } while (next < end);
        crc0 = sb_crc32c_shift(tables, (uint32_t)crc0) ^ crc1;
        crc0 = sb_crc32c_shift(tables, (uint32_t)crc0) ^ crc2;
        *data += 3 * span;
        *length -= 3 * span;
    }
    return crc0;
}

__attribute__((target("sse4.2")))
static uint32_t sb_crc32c_sse42(uint32_t crc, const uint8_t *data, size_t length) {
    pthread_once(&sb_crc32c_shift_once, sb_crc32c_shift_init);
    uint64_t wide = crc;
    wide = sb_crc32c_three_spans(wide, &data, &length, SB_CRC32C_LONG, sb_crc32c_long);
    wide = sb_crc32c_three_spans(wide, &data, &length, SB_CRC32C_SHORT, sb_crc32c_short);
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
