/*
 * test_rtl_shipped.c - every shipped trained model (every .bnn in vectors/models/)
 * through the verilated macro: `sparsecim run` on the first Fashion-MNIST
 * test images (default 256x64x16 build, gating on, the driver checking
 * every layer's output and counters against the reference and the host
 * array model) exits 0 with 0 mismatches, the RTL-chained run equals the
 * reference, and the RTL's predictions equal the exporter's (the committed
 * .pred file, an independent integer model in Python). A .bnn file in
 * vectors/models/ without a row in the table below fails the last test,
 * and a row without its file fails its own: the table is the shipped set.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* test images per model (the depthwise model: about 1.3 s per image) */
#define SHIPPED_IMAGES 8

static const char *const shipped[] = {
    "resnet14-fmnist",       "se-resnet14-fmnist", "resnet14-ctl-fmnist", "resnet14-mult-fmnist",
    "resnet14-multq-fmnist", "resnet20-fmnist",    "resnet32-fmnist",     "dw-resnet14-fmnist",
    "bneck-se-resnet14-fmnist",
};
#define N_SHIPPED (sizeof shipped / sizeof *shipped)

/* The first n classes of a .pred file ('#' header lines, one class per line). */
static void read_pred(const char *path, int *pred, int n)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: cannot open", path);
    char line[256];
    int i = 0;
    while (i < n && fgets(line, sizeof line, f))
        if (line[0] != '#')
            pred[i++] = atoi(line);
    fclose(f);
    cr_assert_eq(i, n, "%s: %d predictions, expected at least %d", path, i, n);
}

static void through_rtl(const char *name)
{
    static char out[1 << 16];
    char bnn[1024], pred[1024], rep[256], cmd[4096];
    snprintf(bnn, sizeof bnn, "%s/vectors/models/%s.bnn", tu_src_dir(), name);
    snprintf(pred, sizeof pred, "%s/vectors/models/%s.pred", tu_src_dir(), name);
    FILE *f = fopen(bnn, "rb");
    cr_assert_not_null(f, "%s: cannot open (a row of the table without its model)", bnn);
    fclose(f);
    tu_tmp_path(rep, sizeof rep, name);
    snprintf(cmd, sizeof cmd, "%s/sparsecim run --model %s --data fashion-mnist:test --count %d --report %s 2>&1",
             tu_bin_dir(), bnn, SHIPPED_IMAGES, rep);
    int rc = tu_run(cmd, out, sizeof out);
    cr_assert_eq(rc, 0, "%s: exit %d: %s", name, rc, out);
    char want[128];
    snprintf(want, sizeof want, "0 mismatches, RTL-chained = reference on %d/%d", SHIPPED_IMAGES, SHIPPED_IMAGES);
    cr_assert(strstr(out, want), "%s: %s", name, out);
    int exp[SHIPPED_IMAGES];
    read_pred(pred, exp, SHIPPED_IMAGES);
    for (int i = 0; i < SHIPPED_IMAGES; i++) {
        char line[64];
        snprintf(line, sizeof line, "image %d: predicted %d,", i, exp[i]);
        cr_assert(strstr(out, line), "%s: the exporter predicts %d for image %d; the run says: %s", name, exp[i], i,
                  out);
    }
    remove(rep);
}

Test(shipped_rtl, resnet14, .timeout = 300) { through_rtl("resnet14-fmnist"); }
Test(shipped_rtl, se_resnet14, .timeout = 300) { through_rtl("se-resnet14-fmnist"); }
Test(shipped_rtl, resnet14_ctl, .timeout = 300) { through_rtl("resnet14-ctl-fmnist"); }
Test(shipped_rtl, resnet14_mult, .timeout = 300) { through_rtl("resnet14-mult-fmnist"); }
Test(shipped_rtl, resnet14_multq, .timeout = 300) { through_rtl("resnet14-multq-fmnist"); }
Test(shipped_rtl, resnet20, .timeout = 300) { through_rtl("resnet20-fmnist"); }
Test(shipped_rtl, resnet32, .timeout = 300) { through_rtl("resnet32-fmnist"); }
Test(shipped_rtl, dw_resnet14, .timeout = 300) { through_rtl("dw-resnet14-fmnist"); }
Test(shipped_rtl, bneck_se_resnet14, .timeout = 300) { through_rtl("bneck-se-resnet14-fmnist"); }

/* Every .bnn in vectors/models/ has a row above (and so a test). */
Test(shipped_rtl, every_shipped_model_is_run)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/vectors/models", tu_src_dir());
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s: cannot open", dir);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".bnn"))
            continue;
        int known = 0;
        for (size_t k = 0; k < N_SHIPPED; k++)
            known |= strlen(shipped[k]) == n - 4 && !strncmp(shipped[k], e->d_name, n - 4);
        cr_expect(known, "%s/%s: a shipped model without a through-the-RTL test (tests/test_rtl_shipped.c)", dir,
                  e->d_name);
        found++;
    }
    closedir(d);
    cr_assert_geq(found, 8, "%d models in %s", found, dir);
}
