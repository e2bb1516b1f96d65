/* fuzz_model_load.c - libFuzzer target for the .bnn loader (tests/fuzz/run.sh).
 *
 * Any byte string must be rejected with a one-line message or accepted
 * without a crash, leak, out-of-bounds access or undefined behaviour. An
 * accepted model must also pass bnn_model_validate() and write back exactly
 * the bytes it was read from (the CRC aside: run.sh builds the loader with
 * SPARSECIM_FUZZ_NO_CRC so that mutated files reach the checks behind it). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/bnn_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bnn_model *m = NULL;
    bnn_error err;
    if (bnn_model_load_mem(data, size, "fuzz", &m, &err) != 0) {
        if (m != NULL || memchr(err.msg, '\n', strlen(err.msg)) != NULL || strncmp(err.msg, "fuzz: ", 6) != 0)
            __builtin_trap(); /* a failure leaves no model and says one line about the file */
        return 0;
    }
    if (bnn_model_validate(m, &err) != 0)
        __builtin_trap(); /* what the loader accepts is valid */
    (void)bnn_model_macs(m);
    uint8_t *buf;
    size_t len;
    if (bnn_model_serialize(m, &buf, &len, &err) != 0)
        __builtin_trap();
    if (len != size || memcmp(buf, data, size - 4) != 0)
        __builtin_trap(); /* the loader read exactly what the writer writes */
    free(buf);
    bnn_model_free(m);
    return 0;
}
