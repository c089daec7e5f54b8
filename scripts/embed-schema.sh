#!/bin/sh
# Writes a C file that holds every schema/NNN_*.sql migration, in order, so
# the binary carries its own schema. Usage: embed-schema.sh schema/sqlite/*.sql
set -eu
echo "/* generated from schema/sqlite/ by scripts/embed-schema.sh; do not edit */"
echo "#include <stddef.h>"
echo "const char *const slg_schema_migrations[] = {"
n=0
for f in $(printf '%s\n' "$@" | sort); do
	n=$((n + 1))
	want=$(printf '%03d' "$n")
	case "$(basename "$f")" in
	"$want"_*.sql) ;;
	*) echo "embed-schema: $f: migrations must be numbered 001_, 002_, ... without gaps" >&2; exit 1 ;;
	esac
	printf '\t/* %s */\n' "$(basename "$f")"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$f"
	printf '\t,\n'
done
echo "};"
echo "const size_t slg_schema_count = $n;"
