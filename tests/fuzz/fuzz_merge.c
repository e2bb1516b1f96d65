/* fuzz_merge.c - libFuzzer target for the report reader and the merge of
 * `sparsecim merge` (csrc/cli/cli_part.c cli_part_load, cli_part_merge; jansson and
 * csrc/util/jload.c under them), linked without the RTL.
 *
 * Input: up to 3 reports separated by NUL bytes (a report is JSON text, so
 * a NUL is never inside one), written to r0.json, r1.json, r2.json. Every
 * report is loaded; when all load, they are merged (in this order; each
 * must be a shard of the same run) and the merged part summarized.
 *
 * Contract: a refusal says one printable line (a load names its file); a
 * loaded part has arrays of its image count; a merge covers the run's
 * images exactly once. */
#include <stdio.h>
#include <string.h>

#include "fuzz_util.h"
#include "cli/cli_part.h"

enum { MAXP = 3 };

static void check_part(const cli_part *p)
{
    FZ_ASSERT(p->images >= 0 && p->nl >= 0);
    FZ_ASSERT(p->pred && p->chained && p->ref_pred && p->ls);
    long s = 0;
    for (int i = 0; i < p->images; i++)
        s += p->pred[i] + p->chained[i] + p->ref_pred[i] + (p->label ? p->label[i] : 0);
    for (int i = 0; i < p->nl; i++)
        FZ_ASSERT(memchr(p->ls[i].name, 0, sizeof p->ls[i].name) && memchr(p->ls[i].shape, 0, sizeof p->ls[i].shape));
    (void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_dir d;
    fz_dir_open(&d);
    cli_part parts[MAXP];
    memset(parts, 0, sizeof parts);
    int n = 0, ok = 1;
    char msg[1024];
    for (size_t at = 0; n < MAXP && at <= size;) {
        const uint8_t *z = at < size ? memchr(data + at, 0, size - at) : NULL;
        size_t len = z ? (size_t)(z - (data + at)) : size - at;
        char name[16], path[1024];
        snprintf(name, sizeof name, "r%d.json", n);
        fz_write(&d, name, data + at, len, path, sizeof path);
        msg[0] = 0;
        if (cli_part_load(path, &parts[n], msg, sizeof msg)) {
            fz_check_msg(msg, path);
            ok = 0;
        } else {
            check_part(&parts[n]);
        }
        n++;
        if (!z)
            break;
        at += len + 1;
    }
    if (ok) {
        cli_part out;
        msg[0] = 0;
        if (cli_part_merge(parts, n, &out, msg, sizeof msg)) {
            fz_check_msg(msg, NULL);
        } else {
            check_part(&out);
            FZ_ASSERT(out.sh.count == out.images && out.sh.first == out.sh.run_first);
            FZ_ASSERT(out.images == (int)out.sh.run_count);
            cli_summary s = cli_part_summary(&out);
            FZ_ASSERT(s.images == out.images && cli_part_correct(&out) <= out.images);
            out.doc = NULL; /* borrowed from parts[0] */
            cli_part_free(&out);
        }
    }
    for (int i = 0; i < n; i++)
        cli_part_free(&parts[i]);
    fz_dir_close(&d);
    return 0;
}
