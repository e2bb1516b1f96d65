/* error.c - the error helper (util/error.h). */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

void bnn_set_err(bnn_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

void bnn_quote(char *dst, size_t n, const char *src, size_t max_in)
{
    size_t k = 0, i = 0;
    if (!n)
        return;
    for (; i < max_in && src[i]; i++) {
        unsigned char ch = (unsigned char)src[i];
        int w = ch >= 0x20 && ch < 0x7f && ch != '\\' ? 1 : 4;
        if (k + (size_t)w + 4 > n)
            break;
        if (w == 1)
            dst[k++] = (char)ch;
        else
            k += (size_t)snprintf(dst + k, n - k, "\\x%02x", ch);
    }
    if ((i < max_in && src[i]) && k + 4 <= n)
        k += (size_t)snprintf(dst + k, n - k, "...");
    dst[k] = 0;
}
