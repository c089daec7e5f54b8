#!/bin/sh
# A layer of gate/ includes only its own folder and the layers below it:
#   util < core < io, store, report < engine < service < cli
# (io, store and report are peers and do not include each other).
rank() {
	case $1 in
	util) echo 0 ;; core) echo 1 ;; io|store|report) echo 2 ;;
	engine) echo 3 ;; service) echo 4 ;; cli) echo 5 ;; *) echo 9 ;;
	esac
}
fail=0
for f in gate/*/*.[ch]; do
	from=${f#gate/}; from=${from%%/*}
	rf=$(rank "$from")
	if [ "$rf" = 9 ]; then
		echo "$f: gate/$from is not a known layer"; fail=1; continue
	fi
	for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*"/\1/p' "$f" | sort -u); do
		[ "$inc" = "$from" ] && continue
		ri=$(rank "$inc")
		if [ "$ri" -ge "$rf" ]; then
			echo "$f: layer $from includes $inc, a layer not below it"
			fail=1
		fi
	done
	if grep -q '^#include "[^/]*"' "$f"; then
		echo "$f: includes a header without its layer's folder"; fail=1
	fi
done
exit $fail
