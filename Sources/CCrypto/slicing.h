#ifndef SB_SLICING_H
#define SB_SLICING_H

/// Slicing-by-8 for a reflected CRC of any width (CRC-32C, CRC-64/NVME): written once, for each register type.

/// Fills `table[8][256]`: `table[0][n]` is byte n's CRC bit by bit under `polynomial` (reflected), `table[k][n]`
/// that of byte n followed by k zero bytes.
#define SB_SLICING_TABLES(table, polynomial)                                                                \
    do {                                                                                                    \
        for (unsigned n = 0; n < 256; n++) {                                                                \
            __typeof__(table[0][0]) crc = n;                                                                \
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ ((polynomial) & (0 - (crc & 1)));               \
            table[0][n] = crc;                                                                              \
        }                                                                                                   \
        for (unsigned n = 0; n < 256; n++)                                                                  \
            for (int k = 1; k < 8; k++) table[k][n] = table[0][table[k - 1][n] & 0xff] ^ (table[k - 1][n] >> 8); \
    } while (0)

/// Continues the raw register `crc` (not inverted) over `length` bytes from `data`, eight at a time, with a
/// table SB_SLICING_TABLES filled; `data` and `length` are used up.
#define SB_SLICING_BY_8(table, crc, data, length)                                                           \
    do {                                                                                                    \
        while ((length) >= 8) {                                                                             \
            uint64_t word;                                                                                  \
            __builtin_memcpy(&word, (data), 8);                                                             \
            if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) word = __builtin_bswap64(word);                     \
            word ^= (crc);                                                                                  \
            (crc) = table[7][word & 0xff] ^ table[6][(word >> 8) & 0xff] ^ table[5][(word >> 16) & 0xff]    \
                ^ table[4][(word >> 24) & 0xff] ^ table[3][(word >> 32) & 0xff]                             \
                ^ table[2][(word >> 40) & 0xff] ^ table[1][(word >> 48) & 0xff] ^ table[0][word >> 56];     \
            (data) += 8;                                                                                    \
            (length) -= 8;                                                                                  \
        }                                                                                                   \
        while ((length)--) (crc) = table[0][((crc) ^ *(data)++) & 0xff] ^ ((crc) >> 8);                     \
    } while (0)

#endif
