/* cli_vectors.c - `sparsecim vectors`: placeholder until the vector writer lands. */
#include <stdio.h>

#include "cli.h"

int cli_vectors(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sparsecim vectors: not implemented yet\n");
    return 2;
}
