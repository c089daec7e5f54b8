#!/bin/sh
# make demo: a real Prometheus loaded with demo data, two builds of
# payment-gateway judged by slogate check, then the history.
set -eu

top=$(pwd)
bin="$top/build/slogate"
out="$top/build/demo"
rm -rf "$out"
mkdir -p "$out"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
end=$(( $(date +%s) / 60 * 60 - 120 ))

echo "== loading 3 hours of demo data into a local Prometheus (127.0.0.1:$port)"
"$top/build/tests/gen_series" "$end" > "$out/data.om"
promtool tsdb create-blocks-from openmetrics "$out/data.om" "$out/tsdb" > "$out/promtool.log"
printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' > "$out/prometheus.yml"
prometheus --config.file="$out/prometheus.yml" --storage.tsdb.path="$out/tsdb" \
	--web.listen-address="127.0.0.1:$port" --log.level=warn > "$out/prometheus.log" 2>&1 &
prom_pid=$!
trap 'kill $prom_pid 2>/dev/null; wait $prom_pid 2>/dev/null || true' EXIT INT TERM
i=0
until curl -fs "http://127.0.0.1:$port/-/ready" > /dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "prometheus did not start; see $out/prometheus.log" >&2; exit 1; }
	sleep 0.2
done

# Two commits of a real repository: the healthy build and the regressed one.
git init -q -b main "$out/repo"
git -C "$out/repo" -c user.name="Demo Developer" -c user.email=dev@example.com \
	commit -q --allow-empty -m "Release 1.4.0"
healthy=$(git -C "$out/repo" rev-parse HEAD)
git -C "$out/repo" -c user.name="Demo Developer" -c user.email=dev@example.com \
	commit -q --allow-empty -m "Tokenise cards synchronously"
regressed=$(git -C "$out/repo" rev-parse HEAD)

export SLOGATE_PROMETHEUS_URL="http://127.0.0.1:$port"
export SLOGATE_DB="$out/slogate.db"

run() {
	at=$(date -u -d "@$2" +%Y-%m-%dT%H:%M:%SZ)
	echo
	echo "\$ slogate check --policy policies/payment-gateway.json --commit ${1%"${1#???????}"} --at $at"
	rc=0
	"$bin" check --policy policies/payment-gateway.json --repo "$out/repo" \
		--commit "$1" --at "$at" || rc=$?
	echo "(exit code $rc)"
}

echo
echo "== the healthy build, judged an hour ago"
run "$healthy" "$((end - 3600))"
echo
echo "== its measured values become the baseline that '<= +10%' compares with"
echo "\$ slogate baseline promote --commit ${healthy%"${healthy#???????}"} --service payment-gateway --environment staging"
"$bin" baseline promote --commit "$healthy" --service payment-gateway \
	--environment staging --by demo
echo
echo "== the regressed build, judged now"
run "$regressed" "$end"
echo
echo "== the history"
echo "\$ slogate history"
"$bin" history

short=${regressed%"${regressed#???????}"}
echo
echo "== the promote job asks; a release manager approves; it asks again"
echo "\$ slogate status --commit $short --service payment-gateway --environment staging"
"$bin" status --commit "$short" --service payment-gateway --environment staging || echo "(exit code $?)"
echo "\$ slogate approve --commit $short ... --by release-manager --reason '...' --expires 24h"
"$bin" approve --commit "$short" --service payment-gateway --environment staging \
	--by release-manager --reason "p95 regression accepted for the card vault migration" --expires 24h
echo "\$ slogate status --commit $short --service payment-gateway --environment staging"
"$bin" status --commit "$short" --service payment-gateway --environment staging
echo
echo "The database is $out/slogate.db: try SLOGATE_DB=$out/slogate.db build/slogate show $short"
echo "'slogate help' lists every command."
