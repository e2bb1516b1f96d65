/*
 * energy_int.h - internals of the energy model shared by its files only
 * (energy_profile.c, energy_derive.c): the profile's key table, the one
 * truth of the file format (key, field, unit, range) and of the names the
 * derivation's formulas give the primitives ("V" for vdd_v).
 */
#ifndef SPARSECIM_ENERGY_INT_H
#define SPARSECIM_ENERGY_INT_H

#include <stddef.h>

#include "power/energy.h"

typedef struct energy_key {
    const char *key;        /* the profile file's key = the energy_profile field */
    const char *sym;        /* its name in the derivation's formulas (energy_derive.c) */
    size_t off;             /* offsetof(energy_profile, field) */
    int is_int;             /* 1: an int field, the value must be a whole number */
    const char *unit;
    double lo, hi;          /* accepted range */
    int lo_open;            /* 1: value must be > lo, 0: >= lo */
} energy_key;

/* The keys in file order (energy_profile.c). */
extern const energy_key energy_keys[];
extern const int energy_nkeys;

/* The value of key k in p. */
double energy_key_value(const energy_profile *p, const energy_key *k);

#endif
