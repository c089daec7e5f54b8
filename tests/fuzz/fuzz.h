/* fuzz: what every harness in tests/fuzz defines, for libFuzzer and for
 * the standalone driver that replays a corpus without clang. Harnesses
 * must not keep state that grows from one input to the next. */
#ifndef SLG_FUZZ_H
#define SLG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Called once before the first input; every harness defines it (the
 * standalone driver then needs no weak symbol). Returns 0. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Runs one input; returns 0. A finding aborts, as a sanitizer would. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
