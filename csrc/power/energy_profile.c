/* energy_profile.c - technology profiles: the key table, the parser and the
 * loader (format: docs/ENERGY.md; interface: energy.h). */
#include "power/energy.h"
#include "power/energy_int.h"
#include "util/infile.h"
#include "util/num.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- the profile keys: one table, the file format's single truth ---- */

#define K(field, sym, unit, lo, hi, open) {#field, sym, offsetof(energy_profile, field), 0, unit, lo, hi, open}
#define KI(field, sym, unit, lo, hi) {#field, sym, offsetof(energy_profile, field), 1, unit, lo, hi, 0}
const energy_key energy_keys[] = {
    K(vdd_v, "V", "V", 0.0, 5.0, 1),
    K(clock_period_ns, "T", "ns", 0.0, 1e6, 1),
    K(wire_cap_ff_per_um, "wire", "fF/um", 0.0, 10.0, 0),
    K(cell_height_um, "cell_h", "um", 0.0, 100.0, 1),
    K(cell_width_um, "cell_w", "um", 0.0, 100.0, 1),
    K(rwl_gate_cap_ff, "rwl_gate", "fF", 0.0, 1e3, 0),
    K(rbl_drain_cap_ff, "rbl_drain", "fF", 0.0, 1e3, 0),
    K(lbl_fixed_cap_ff, "lbl_fixed", "fF", 0.0, 1e3, 0),
    K(lbl_swing_v, "lbl_swing", "V", 0.0, 5.0, 1),
    K(pch_gate_cap_ff, "pch_gate", "fF", 0.0, 1e3, 0),
    K(sa_cap_ff, "sa_cap", "fF", 0.0, 1e3, 0),
    K(sa_lsb_ref_mv, "sa_lsb_ref", "mV", 0.0, 5000.0, 1),
    K(sa_lsb_exponent, "alpha", "(0 none | 1 Walden | 2 noise-limited)", 0.0, 2.0, 0),
    KI(local_eval_style, "style", "0 sar | 1 digital", 0.0, 1.0),
    K(gbl_tap_cap_ff, "gbl_tap", "fF", 0.0, 1e3, 0),
    K(gbl_swing_v, "gbl_swing", "V", 0.0, 5.0, 1),
    K(logic_cap_ff_per_ge, "logic_cap", "fF", 0.0, 1e3, 0),
    K(logic_activity, "activity", "transitions/GE/op", 0.0, 10.0, 0),
    K(acc_ge_per_bit, "acc_ge", "GE", 0.0, 1e3, 0),
    K(popcount_ge_per_row, "pop_ge", "GE", 0.0, 1e3, 0),
    K(check_ge_per_row, "check_ge", "GE", 0.0, 1e3, 0),
    K(flop_ge, "flop_ge", "GE", 0.0, 1e3, 0),
    K(footer_gate_cap_ff, "footer_gate", "fF", 0.0, 1e3, 0),
    K(header_gate_cap_ff, "header_gate", "fF", 0.0, 1e3, 0),
    K(vgnd_cell_cap_ff, "vgnd_cell", "fF", 0.0, 1e3, 0),
    K(footer_drain_cap_ff, "footer_drain", "fF", 0.0, 1e3, 0),
    K(wwl_gate_cap_ff, "wwl_gate", "fF", 0.0, 1e3, 0),
    K(wbl_drain_cap_ff, "wbl_drain", "fF", 0.0, 1e3, 0),
    K(cell_node_cap_ff, "C_node", "fF", 0.0, 1e3, 0),
    K(ioff_pa_per_um, "ioff", "pA/um", 0.0, 1e9, 0),
    K(cell_leak_width_um, "leak_width", "um", 0.0, 100.0, 0),
    K(leak_retention_fraction, "retention", "fraction", 0.0, 1.0, 0),
};
#undef K
#undef KI
#define NKEYS ((int)(sizeof energy_keys / sizeof energy_keys[0]))
const int energy_nkeys = NKEYS;

static void set_field(energy_profile *p, const energy_key *k, double v)
{
    char *base = (char *)p + k->off;
    if (k->is_int)
        *(int *)(void *)base = (int)v;
    else
        *(double *)(void *)base = v;
}

double energy_key_value(const energy_profile *p, const energy_key *k)
{
    const char *base = (const char *)p + k->off;
    return k->is_int ? (double)*(const int *)(const void *)base : *(const double *)(const void *)base;
}

static int key_index(const char *key)
{
    for (int i = 0; i < NKEYS; i++)
        if (strcmp(energy_keys[i].key, key) == 0)
            return i;
    return -1;
}

/* Trims leading and trailing white space in place; returns the start. */
static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static void base_name(const char *path, char *out, size_t len)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(out, len, "%s", b);
    size_t n = strlen(out);
    if (n > 4 && strcmp(out + n - 4, ".txt") == 0)
        out[n - 4] = '\0';
}

/* The text of a value: a decimal number in the key's range (whole for an
 * int key). 0 or -1. */
static int parse_value(const char *val, const energy_key *k, const char *name, int lineno, double *out,
                       bnn_error *err)
{
    double v;
    if (num_parse_real(val, &v)) {
        char q[80];
        bnn_quote(q, sizeof q, val, 40);
        bnn_set_err(err, "%s:%d: bad number '%s' for key '%s' (%s): expected a decimal number", name, lineno, q,
                    k->key, k->unit);
        return -1;
    }
    if ((k->lo_open ? !(v > k->lo) : !(v >= k->lo)) || v > k->hi) {
        bnn_set_err(err, "%s:%d: %s = %g out of range %c%g, %g] %s", name, lineno, k->key, v, k->lo_open ? '(' : '[',
                    k->lo, k->hi, k->unit);
        return -1;
    }
    if (k->is_int && v != floor(v)) {
        bnn_set_err(err, "%s:%d: %s = %g is not a whole number (%s)", name, lineno, k->key, v, k->unit);
        return -1;
    }
    *out = v;
    return 0;
}

/* One line (NUL-terminated, changed in place): blank, a comment or
 * `key = value`; seen[k] holds the line key k was given on. 0 or -1. */
static int parse_line(char *line, const char *name, int lineno, energy_profile *p, int *seen, bnn_error *err)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *l = trim(line);
    if (*l == '\0')
        return 0;
    char *eq = strchr(l, '=');
    if (!eq) {
        char q[80];
        bnn_quote(q, sizeof q, l, 40);
        bnn_set_err(err, "%s:%d: expected 'key = value', got '%s'", name, lineno, q);
        return -1;
    }
    *eq = '\0';
    char *key = trim(l), *val = trim(eq + 1);
    int ki = key_index(key);
    if (ki < 0) {
        char q[80];
        bnn_quote(q, sizeof q, key, 40);
        bnn_set_err(err, "%s:%d: unknown key '%s'", name, lineno, q);
        return -1;
    }
    if (seen[ki]) {
        bnn_set_err(err, "%s:%d: key '%s' given twice (first on line %d)", name, lineno, key, seen[ki]);
        return -1;
    }
    if (*val == '\0') {
        bnn_set_err(err, "%s:%d: missing value for key '%s'", name, lineno, key);
        return -1;
    }
    double v;
    if (parse_value(val, &energy_keys[ki], name, lineno, &v, err))
        return -1;
    set_field(p, &energy_keys[ki], v);
    seen[ki] = lineno;
    return 0;
}

/* Every key given; the swings within the supply, the reference LSB within the swing. */
static int check_profile(const energy_profile *p, const int *seen, const char *name, bnn_error *err)
{
    for (int i = 0; i < NKEYS; i++) {
        if (!seen[i]) {
            bnn_set_err(err, "%s: missing key '%s' (%s)", name, energy_keys[i].key, energy_keys[i].unit);
            return -1;
        }
    }
    if (p->lbl_swing_v > p->vdd_v || p->gbl_swing_v > p->vdd_v) {
        const char *k = p->lbl_swing_v > p->vdd_v ? "lbl_swing_v" : "gbl_swing_v";
        bnn_set_err(err, "%s:%d: %s above vdd_v = %g V", name, seen[key_index(k)], k, p->vdd_v);
        return -1;
    }
    /* the reference LSB is one cell's step of some line: at most the full swing (a one-row line) */
    if (p->sa_lsb_ref_mv > 1000.0 * p->lbl_swing_v) {
        bnn_set_err(err, "%s:%d: sa_lsb_ref_mv = %g mV above lbl_swing_v = %g V (an LSB is at most the full swing)",
                    name, seen[key_index("sa_lsb_ref_mv")], p->sa_lsb_ref_mv, p->lbl_swing_v);
        return -1;
    }
    return 0;
}

int energy_profile_parse(const char *text, const char *name, energy_profile *p, bnn_error *err)
{
    if (!text || !name || !p) {
        bnn_set_err(err, "energy_profile_parse: NULL argument");
        return -1;
    }
    energy_profile tmp;
    memset(&tmp, 0, sizeof tmp);
    base_name(name, tmp.name, sizeof tmp.name);
    int seen[NKEYS] = {0};
    int lineno = 0;
    const char *s = text;
    while (*s) {
        lineno++;
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char line[1024];
        if (n >= sizeof line) {
            bnn_set_err(err, "%s:%d: line longer than %zu characters", name, lineno, sizeof line - 1);
            return -1;
        }
        memcpy(line, s, n);
        line[n] = '\0';
        s = e ? e + 1 : s + n;
        if (parse_line(line, name, lineno, &tmp, seen, err))
            return -1;
    }
    if (check_profile(&tmp, seen, name, err))
        return -1;
    *p = tmp;
    return 0;
}

int energy_profile_load(const char *path, energy_profile *p, bnn_error *err)
{
    char *buf;
    size_t len;
    if (in_read_all(path, (size_t)1 << 24, "an energy profile", &buf, &len, err))
        return -1;
    if (memchr(buf, '\0', len)) {
        free(buf);
        bnn_set_err(err, "%s: not a text file (NUL byte)", path);
        return -1;
    }
    int rc = energy_profile_parse(buf, path, p, err);
    free(buf);
    return rc;
}
