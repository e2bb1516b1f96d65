/* fuzz_json.c - libFuzzer target for the JSON reader of the reports
 * (csrc/util/jload.c: jansson's parse with duplicates refused, and the
 * places of values that the merge's errors name), which `sparsecim merge`,
 * `run --jobs` and `sim --jobs` read part reports with (cli_part_load;
 * fuzz_merge.c fuzzes that loader whole).
 *
 * Contract: a refusal leaves no tree and says one printable line "L:C:
 * what"; in an accepted document every value (the first 64 met, depth
 * first) is found where its own text starts: jansson reads, at the offset
 * jl_offset names, a value equal to it; its line and column are inside
 * the text; a missing member is placed at the object that lacks it; the
 * conversions refuse or convert without crashing. */
#include <string.h>

#include "fuzz_util.h"
#include "util/jload.h"

typedef struct walk {
    const char *text;
    size_t len;
    int left;       /* values still to check */
} walk;

static void check(const jl_at *at, walk *w)
{
    if (w->left-- <= 0)
        return;
    size_t off = jl_offset(at, w->text, w->len);
    FZ_ASSERT(off < w->len);
    json_t *v = json_loadb(w->text + off, w->len - off, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, NULL);
    FZ_ASSERT(v != NULL && json_equal(v, at->v));
    json_decref(v);
    int line, col;
    jl_where(at, w->text, w->len, &line, &col);
    FZ_ASSERT(line >= 1 && col >= 1 && (size_t)line <= w->len + 1);
    uint64_t u;
    int i;
    double d;
    const char *s;
    (void)jl_u64(at, &u);
    (void)jl_int(at, &i);
    (void)jl_num(at, &d);
    (void)jl_str(at, &s);
    if (json_is_object(at->v)) {
        jl_at none = jl_member(at, "\x01 no such key");
        FZ_ASSERT(none.v != NULL || jl_offset(&none, w->text, w->len) == off);
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)at->v, key, val) {
            jl_at m = jl_member(at, key);
            FZ_ASSERT(m.v == val);
            check(&m, w);
        }
    }
    for (size_t k = 0; json_is_array(at->v) && k < json_array_size(at->v); k++) {
        jl_at e = jl_item(at, k);
        check(&e, w);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    json_t *doc = (json_t *)1;
    bnn_error err = {{0}};
    if (jl_parse(text, size, &doc, &err)) {
        FZ_ASSERT(doc == NULL);
        fz_check_msg(err.msg, NULL);
        FZ_ASSERT(err.msg[0] >= '0' && err.msg[0] <= '9' && strstr(err.msg, ": "));
        return 0;
    }
    walk w = {text, size, 64};
    jl_at root = jl_root(doc);
    check(&root, &w);
    json_decref(doc);
    return 0;
}
