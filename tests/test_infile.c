/*
 * test_infile.c - csrc/util/infile.c: a whole file read exactly (bytes, length,
 * the NUL after them), the size limit at its edge, and the errors named by
 * path (missing file, directory).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/infile.h"
#include "test_util.h"

static void write_bytes(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)((i * 7 + 3) & 0xff), f);
    cr_assert_eq(fclose(f), 0);
}

Test(infile, reads_exact_bytes_across_growth)
{
    char path[512];
    tu_tmp_path(path, sizeof path, "infile_exact");
    /* 0, one byte, the first buffer's edge (4095 bytes + NUL) and past it, several doublings */
    size_t sizes[] = {0, 1, 4094, 4095, 4096, 100000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        write_bytes(path, sizes[k]);
        char *buf;
        size_t len;
        bnn_error err;
        cr_assert_eq(in_read_all(path, 1 << 20, "a test", &buf, &len, &err), 0, "%zu: %s", sizes[k], err.msg);
        cr_assert_eq(len, sizes[k]);
        for (size_t i = 0; i < len; i++)
            cr_assert_eq((unsigned char)buf[i], (i * 7 + 3) & 0xff, "size %zu byte %zu", sizes[k], i);
        cr_assert_eq(buf[len], '\0');
        free(buf);
    }
    remove(path);
}

Test(infile, limit_is_inclusive)
{
    char path[512];
    tu_tmp_path(path, sizeof path, "infile_limit");
    char *buf;
    size_t len;
    bnn_error err;
    write_bytes(path, 5000);
    cr_assert_eq(in_read_all(path, 5000, "a test", &buf, &len, &err), 0, "%s", err.msg);
    free(buf);
    cr_assert_eq(in_read_all(path, 4999, "a test", &buf, &len, &err), -1);
    cr_assert_null(buf);
    char want[700];
    snprintf(want, sizeof want, "%s: larger than 4999 bytes (the limit for a test)", path);
    cr_assert_str_eq(err.msg, want);
    remove(path);
}

Test(infile, errors_name_the_path)
{
    char *buf;
    size_t len;
    bnn_error err;
    cr_assert_eq(in_read_all("/nonexistent/x.json", 100, "a test", &buf, &len, &err), -1);
    cr_assert_str_eq(err.msg, "/nonexistent/x.json: cannot open: No such file or directory");
    cr_assert_eq(in_read_all("/", 100, "a test", &buf, &len, &err), -1);
    cr_assert_null(buf);
    cr_assert_str_eq(err.msg, "/: read error: Is a directory");
}
