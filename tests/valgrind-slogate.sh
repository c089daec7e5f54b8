#!/bin/sh
# Runs build/slogate under memcheck for `make valgrind`: the integration
# tests exec this instead of the binary. An error or a leak exits 99, which
# no test expects, and is kept in SLOGATE_VALGRIND_LOGS.
exec valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible \
    --log-file="${SLOGATE_VALGRIND_LOGS:-/tmp}/slogate.%p.log" \
    "${SLOGATE_REAL_BIN:?}" "$@"
