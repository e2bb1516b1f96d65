/* fuzz_model_load.c - libFuzzer target: the .bnn loader must reject or
 * accept any byte string without crashing, leaking or reading out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "bnn_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bnn_model *m = NULL;
    bnn_error err;
    if (bnn_model_load_mem(data, size, "fuzz", &m, &err) == 0) {
        /* an accepted model must survive serialization and validation */
        uint8_t *buf;
        size_t len;
        if (bnn_model_serialize(m, &buf, &len, &err) == 0) {
            bnn_model *back = NULL;
            if (bnn_model_load_mem(buf, len, "fuzz-roundtrip", &back, &err) != 0)
                __builtin_trap(); /* what we wrote must load */
            bnn_model_free(back);
            __builtin_free(buf);
        }
        bnn_model_free(m);
    }
    return 0;
}
