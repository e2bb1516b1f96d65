/*
 * crc.h - the one CRC-32 of the project: zlib's (polynomial 0xedb88320,
 * initial and final inversion; the CRC of "123456789" is 0xcbf43926), over
 * any length (zlib's own length argument is 32-bit). Users: the .bnn file's
 * CRC field (csrc/model/bnn_model_io.c), the CRC word of golden-vector files
 * (csrc/vec/vec_words.c, vec_crc_words), the size and CRC of a model or
 * energy profile file that a report names (csrc/cli/cli_util.c, cli_file_crc).
 *
 * Plain functions of their arguments: no state, nothing allocated.
 */
#ifndef SPARSECIM_CRC_H
#define SPARSECIM_CRC_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32 of no bytes (0): the start value of crc_update. */
uint32_t crc_init(void);
/* The CRC-32 of the bytes crc covered followed by the n bytes at p. */
uint32_t crc_update(uint32_t crc, const void *p, size_t n);
/* The CRC-32 of the n bytes at p. */
uint32_t crc_bytes(const void *p, size_t n);

#endif
