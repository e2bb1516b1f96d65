/*
 * cli_sim.c - `sparsecim sim --vectors DIR`: replays golden vector files
 * (csrc/vec.h, written by `sparsecim vectors`) through the simulated macro.
 * Placeholder until the golden vector reader lands.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_sim(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: sparsecim sim --vectors DIR [--report OUT.json] [options of sparsecim run]\n");
        return 0;
    }
    fprintf(stderr, "sparsecim sim: golden vector replay is not available in this build yet\n");
    return 2;
}
