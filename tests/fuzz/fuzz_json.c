/* fuzz_json.c - libFuzzer target for the JSON reader (csrc/util/jread.c) that
 * `sparsecim merge` and `run --jobs` read reports with.
 *
 * Contract: a refusal leaves no tree and says one printable line "line L
 * column C: what"; an accepted document's tree is consistent: every value
 * spans its own text inside the input, every member is found by its key
 * (the first of that name), numbers convert or refuse without crashing,
 * and a value is the same as itself. */
#include <string.h>

#include "fuzz_util.h"
#include "util/jread.h"

static void walk(const jr_val *v, const char *text, size_t len, int depth)
{
    FZ_ASSERT(depth <= 65);
    FZ_ASSERT(v->src >= text && v->len >= 1 && (size_t)(v->src - text) + v->len <= len);
    FZ_ASSERT(jr_same(v, v));
    uint64_t u;
    int i;
    double x;
    switch (v->t) {
    case JR_NUM:
        (void)jr_u64(v, &u);
        (void)jr_int(v, &i);
        (void)jr_double(v, &x);
        break;
    case JR_STR:
        FZ_ASSERT(v->str != NULL && v->src[0] == '"');
        break;
    case JR_BOOL:
        FZ_ASSERT(v->b == (v->src[0] == 't'));
        break;
    case JR_ARR:
    case JR_OBJ:
        FZ_ASSERT(v->n >= 0 && (v->n == 0 || v->kids != NULL));
        for (int k = 0; k < v->n; k++) {
            walk(&v->kids[k], text, len, depth + 1);
            if (v->t == JR_OBJ) {
                const jr_val *g = jr_get(v, v->keys[k]);
                FZ_ASSERT(g != NULL && g <= &v->kids[k]);
            }
        }
        break;
    case JR_NULL:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    jr_val *v = (jr_val *)1;
    bnn_error err = {{0}};
    if (jr_parse(text, size, &v, &err)) {
        FZ_ASSERT(v == NULL);
        fz_check_msg(err.msg, "line ");
        return 0;
    }
    walk(v, text, size, 0);
    jr_free(v);
    return 0;
}
