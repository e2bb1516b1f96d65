/* fuzz_energy.c - libFuzzer target for the energy profile reader
 * (csrc/power/energy.c energy_profile_load, which reads the file and parses it
 * with energy_profile_parse).
 *
 * Contract: a refusal leaves the profile untouched and says one printable
 * line naming the file; an accepted profile has every key in its range,
 * derives finite, non-negative per-event energies for the default macro
 * and a small one, and prints. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "power/energy.h"
#include "fuzz_util.h"

static void check_table(const energy_table *t)
{
    for (int e = 0; e < ACT_NEVENTS; e++)
        FZ_ASSERT(isfinite(t->e_event_fj[e]) && t->e_event_fj[e] >= 0.0);
    FZ_ASSERT(isfinite(t->leak_line_active_fj) && t->leak_line_active_fj >= 0.0);
    FZ_ASSERT(isfinite(t->leak_line_off_fj) && t->leak_line_off_fj >= 0.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_dir d;
    fz_dir_open(&d);
    char path[1024];
    fz_write(&d, "profile.txt", data, size, path, sizeof path);
    energy_profile p, before;
    memset(&p, 0x5a, sizeof p);
    before = p;
    bnn_error err = {{0}};
    if (energy_profile_load(path, &p, &err)) {
        FZ_ASSERT(!memcmp(&p, &before, sizeof p));
        fz_check_msg(err.msg, path);
    } else {
        FZ_ASSERT(!strcmp(p.name, "profile"));
        FZ_ASSERT(p.vdd_v > 0 && p.lbl_swing_v <= p.vdd_v && p.gbl_swing_v <= p.vdd_v);
        FZ_ASSERT(p.local_eval_style == 0 || p.local_eval_style == 1);
        energy_geom g[2] = {energy_geom_default(), {64, 16, 8, 8, 32}};
        for (int k = 0; k < 2; k++) {
            energy_model m;
            FZ_ASSERT(energy_model_derive(&p, &g[k], &m, &err) == 0);
            check_table(&m.hier);
            check_table(&m.flat);
        }
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
            abort();
        FZ_ASSERT(energy_profile_print(f, &p, &g[1], &err) == 0);
        fclose(f);
        free(buf);
    }
    fz_dir_close(&d);
    return 0;
}
