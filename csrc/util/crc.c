/* crc.c - the one CRC-32 (see crc.h): zlib's crc32, fed in chunks. */
#include "util/crc.h"

#include <zlib.h>

uint32_t crc_init(void) { return (uint32_t)crc32(0L, Z_NULL, 0); }

uint32_t crc_update(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    uLong c = crc;
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, b, chunk);
        b += chunk;
        n -= chunk;
    }
    return (uint32_t)c;
}

uint32_t crc_bytes(const void *p, size_t n) { return crc_update(crc_init(), p, n); }
