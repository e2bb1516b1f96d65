/* fuzz_vcd.c - libFuzzer target for the VCD reader behind `sparsecim saif`
 * (csrc/power/saif.c saif_from_vcd), SAIF writing included.
 *
 * Input: byte 0 = flags (bit 0: a window [byte 1, byte 1 + byte 2) is
 * given, else the whole dump; bit 1: a DESIGN name is given), then the VCD.
 *
 * Contract: a refusal writes no SAIF and says one printable line naming
 * the VCD (or, for an empty window given, "saif: "); an accepted dump
 * gives a SAIF file and sane figures (nets, at most SAIF_MAX_BITS of them,
 * a positive duration). */
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"
#include "power/saif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    unsigned flags = data[0];
    saif_opts o = {-1, -1, NULL};
    if (flags & 1) {
        o.start = data[1];
        o.end = (int64_t)data[1] + data[2];
    }
    if (flags & 2)
        o.design = "fuzz_design";
    fz_dir d;
    fz_dir_open(&d);
    char vcd[1024], out[1024];
    fz_write(&d, "dump.vcd", data + 3, size - 3, vcd, sizeof vcd);
    snprintf(out, sizeof out, "%s/out.saif", d.path);
    saif_stats st;
    memset(&st, 0, sizeof st);
    bnn_error err = {{0}};
    struct stat sb;
    if (saif_from_vcd(vcd, out, &o, &st, &err)) {
        fz_check_msg(err.msg, (flags & 1) && o.end <= o.start ? "saif: " : vcd);
        FZ_ASSERT(stat(out, &sb) != 0);
    } else {
        FZ_ASSERT(stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0);
        FZ_ASSERT(st.vars >= 1 && st.nets >= 1 && st.duration > 0 && st.changes >= 0);
        FZ_ASSERT(st.nets <= SAIF_MAX_BITS);   /* the SAIF stays in proportion: aliases count */
        FZ_ASSERT(memchr(st.timescale, 0, sizeof st.timescale) != NULL);
        if (flags & 1)
            FZ_ASSERT(st.duration == o.end - o.start);
    }
    fz_dir_close(&d);
    return 0;
}
