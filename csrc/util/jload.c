/* jload.c - jansson's parse and the places of values in the text (see jload.h). */
#include "util/jload.h"

#include <limits.h>
#include <string.h>

int jl_parse(const char *text, size_t len, json_t **out, bnn_error *err)
{
    json_error_t je;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (*out)
        return 0;
    char what[400];
    bnn_quote(what, sizeof what, je.text, sizeof je.text);   /* its "near '...'" quotes the input */
    bnn_set_err(err, "%d:%d: %s", je.line, je.column, what);
    return -1;
}

jl_at jl_root(const json_t *doc) { return (jl_at){doc, NULL, NULL, 0}; }

jl_at jl_member(const jl_at *o, const char *key)
{
    const json_t *v = json_is_object(o->v) ? json_object_get(o->v, key) : NULL;
    return (jl_at){v, o, key, 0};
}

jl_at jl_item(const jl_at *a, size_t i)
{
    const json_t *v = json_is_array(a->v) ? json_array_get(a->v, i) : NULL;
    return (jl_at){v, a, NULL, i};
}

/* ---- walking text that jansson accepted ---- */

/* Whitespace, and NUL bytes: jansson's reader skips a NUL outside a string. */
static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && (!t[i] || strchr(" \t\r\n", t[i])))
        i++;
    return i;
}

static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len && t[i] != '"'; i++)
        if (t[i] == '\\')
            i++;
    return i < len ? i + 1 : len;
}

/* The offset after the value at i. */
static size_t skip_value(const char *t, size_t len, size_t i)
{
    if (i >= len)
        return len;
    if (t[i] == '"')
        return skip_string(t, len, i);
    if (t[i] != '{' && t[i] != '[') {
        while (i < len && !strchr(",]} \t\r\n", t[i]))
            i++;
        return i;
    }
    int depth = 0;
    while (i < len) {
        if (t[i] == '"') {
            i = skip_string(t, len, i);
            continue;
        }
        depth += (t[i] == '{' || t[i] == '[') - (t[i] == '}' || t[i] == ']');
        i++;
        if (depth == 0)
            break;
    }
    return i;
}

/* 1 when the string token at t[i..end) decodes to key. */
static int key_is(const char *t, size_t i, size_t end, const char *key)
{
    json_t *k = json_loadb(t + i, end - i, JSON_DECODE_ANY, NULL);
    int same = json_is_string(k) && !strcmp(json_string_value(k), key);
    json_decref(k);
    return same;
}

/* The offset of member key (at->key) or entry at->index inside the object
 * or array at offset i, or i when it is not there. */
static size_t step(const char *t, size_t len, size_t i, const jl_at *at)
{
    if (i >= len || (t[i] != '{' && t[i] != '['))
        return i;
    size_t at_i = i, k = 0;
    for (i = skip_ws(t, len, i + 1); i < len && t[i] != '}' && t[i] != ']'; k++) {
        if (t[i] == '"' && t[at_i] == '{') {
            size_t end = skip_string(t, len, i), v = skip_ws(t, len, skip_ws(t, len, end) + 1);
            if (key_is(t, i, end, at->key ? at->key : ""))
                return v;
            i = v;
        } else if (t[at_i] == '[' && !at->key && k == at->index) {
            return i;
        }
        size_t was = i;
        i = skip_ws(t, len, skip_value(t, len, i));
        if (i < len && t[i] == ',')
            i = skip_ws(t, len, i + 1);
        if (i == was)
            break;   /* no progress: text this walk does not know (never for jansson's) */
    }
    return at_i;
}

size_t jl_offset(const jl_at *at, const char *text, size_t len)
{
    if (!at->up)
        return skip_ws(text, len, 0);
    size_t up = jl_offset(at->up, text, len);
    return at->v && at->up->v ? step(text, len, up, at) : up;
}

void jl_line_col(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            ++*col;   /* a character: not a UTF-8 continuation byte */
        }
    }
}

void jl_where(const jl_at *at, const char *text, size_t len, int *line, int *col)
{
    jl_line_col(text, jl_offset(at, text, len), line, col);
}

int jl_u64(const jl_at *at, uint64_t *out)
{
    if (!json_is_integer(at->v) || json_integer_value(at->v) < 0)
        return -1;
    *out = (uint64_t)json_integer_value(at->v);
    return 0;
}

int jl_int(const jl_at *at, int *out)
{
    if (!json_is_integer(at->v) || json_integer_value(at->v) < INT_MIN || json_integer_value(at->v) > INT_MAX)
        return -1;
    *out = (int)json_integer_value(at->v);
    return 0;
}

int jl_num(const jl_at *at, double *out)
{
    if (!json_is_number(at->v))
        return -1;
    *out = json_number_value(at->v);
    return 0;
}

int jl_str(const jl_at *at, const char **out)
{
    if (!json_is_string(at->v))
        return -1;
    *out = json_string_value(at->v);
    return 0;
}
