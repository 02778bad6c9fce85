#include "CCrypto.h"
#include <pthread.h>
#include "slicing.h"

/// CRC-64/NVME (Azure Storage's `x-ms-content-crc64`): reflected polynomial 0x9A6C9329AC4BC9B5, register and
/// result inverted. Where the processor has carry-less multiplication (PCLMULQDQ), the bulk is folded 64 bytes
/// a step into four 128-bit accumulators, as in Intel's "Fast CRC Computation for Generic Polynomials Using
/// PCLMULQDQ"; the tail and the final 128 bits go through a slicing-by-8 table, as does everything elsewhere.
///
/// In the reflected form a 128-bit register's bit j stands for x^(127-j), so a register X followed by D more
/// bits of message is X_lo·x^(64+D) + X_hi·x^D, and folding it replaces those powers by their residues modulo
/// the polynomial. PCLMULQDQ of two reflected 64-bit values yields their product divided by x, hence the
/// constants x^(63+D) and x^(D-1) mod P (computed at first use, not transcribed).

static const uint64_t sb_crc64_polynomial = 0x9A6C9329AC4BC9B5ull;
static uint64_t sb_crc64_table[8][256];
/// Fold constants {x^(63+D) mod P, x^(D-1) mod P} for D = 512 (four accumulators) and D = 128 (one).
static uint64_t sb_crc64_fold512[2], sb_crc64_fold128[2];
static pthread_once_t sb_crc64_once = PTHREAD_ONCE_INIT;

/// x^n modulo the polynomial, reflected (bit 63-i holds the coefficient of x^i).
static uint64_t sb_crc64_power(unsigned n) {
    uint64_t value = 1ull << 63;  // x^0
    while (n--) value = (value & 1) ? (value >> 1) ^ sb_crc64_polynomial : value >> 1;
    return value;
}

static void sb_crc64_init(void) {
    SB_SLICING_TABLES(sb_crc64_table, sb_crc64_polynomial);
    sb_crc64_fold512[0] = sb_crc64_power(63 + 512);
    sb_crc64_fold512[1] = sb_crc64_power(512 - 1);
    sb_crc64_fold128[0] = sb_crc64_power(63 + 128);
    sb_crc64_fold128[1] = sb_crc64_power(128 - 1);
}

/// The raw register (not inverted) continued over `length` bytes, eight at a time.
static uint64_t sb_crc64_software(uint64_t crc, const uint8_t *data, size_t length) {
    SB_SLICING_BY_8(sb_crc64_table, crc, data, length);
    return crc;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("pclmul,sse4.1")))
static inline __m128i sb_crc64_fold(__m128i x, __m128i constants, __m128i next) {
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, constants, 0x00), _mm_clmulepi64_si128(x, constants, 0x11)), next);
}

/// The raw register continued over `length` bytes, a multiple of 16 and at least 64.
__attribute__((target("pclmul,sse4.1")))
static uint64_t sb_crc64_pclmul(uint64_t crc, const uint8_t *data, size_t length) {
    __m128i k512 = _mm_set_epi64x((long long)sb_crc64_fold512[1], (long long)sb_crc64_fold512[0]);
    __m128i k128 = _mm_set_epi64x((long long)sb_crc64_fold128[1], (long long)sb_crc64_fold128[0]);
    __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)data), _mm_set_epi64x(0, (long long)crc));
    __m128i x1 = _mm_loadu_si128((const __m128i *)(data + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(data + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(data + 48));
    data += 64;
    length -= 64;
    while (length >= 64) {
        x0 = sb_crc64_fold(x0, k512, _mm_loadu_si128((const __m128i *)data));
        x1 = sb_crc64_fold(x1, k512, _mm_loadu_si128((const __m128i *)(data + 16)));
        x2 = sb_crc64_fold(x2, k512, _mm_loadu_si128((const __m128i *)(data + 32)));
        x3 = sb_crc64_fold(x3, k512, _mm_loadu_si128((const __m128i *)(data + 48)));
        data += 64;
        length -= 64;
    }
    __m128i x = sb_crc64_fold(sb_crc64_fold(sb_crc64_fold(x0, k128, x1), k128, x2), k128, x3);
    while (length >= 16) {
        x = sb_crc64_fold(x, k128, _mm_loadu_si128((const __m128i *)data));
        data += 16;
        length -= 16;
    }
    // The register is congruent to the message; its CRC from a zero register is the message's.
    uint8_t rest[16];
    _mm_storeu_si128((__m128i *)rest, x);
    return sb_crc64_software(0, rest, 16);
}
#endif

uint64_t sb_crc64nvme(uint64_t crc, const uint8_t *data, size_t length) {
    pthread_once(&sb_crc64_once, sb_crc64_init);
    crc = ~crc;
#if defined(__x86_64__)
    if (length >= 64 && __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1")) {
        size_t bulk = length & ~(size_t)15;
        crc = sb_crc64_pclmul(crc, data, bulk);
        data += bulk;
        length -= bulk;
    }
#endif
    return ~sb_crc64_software(crc, data, length);
}

uint64_t sb_crc64nvme_portable(uint64_t crc, const uint8_t *data, size_t length) {
    pthread_once(&sb_crc64_once, sb_crc64_init);
    return ~sb_crc64_software(~crc, data, length);
}
