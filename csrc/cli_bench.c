/* cli_bench.c - `sparsecim bench`: placeholder, filled below. */
#include <stdio.h>

#include "cli.h"

int cli_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sparsecim bench: not implemented yet\n");
    return 2;
}
