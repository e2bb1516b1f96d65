/*
 * sc_stub.c - the `sc_main` that libsystemc's own main() would call. The
 * SystemC back end (tb/sc_top.cpp) is sc_main-free: our programs have their
 * own main() and start SystemC from a function, so this is only here to
 * satisfy the shared library's reference; it is never called.
 */
#include <stdio.h>

int sc_main(int argc, char **argv);

int sc_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sparsecim: sc_main is not an entry point of this program\n");
    return 2;
}
