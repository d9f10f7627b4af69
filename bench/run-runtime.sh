#!/bin/sh
# Runtime benchmark (issue 3): what a front-page view costs with the code on a
# slow network file system, for the seed's way, efs mode and local mode, and
# how fast a task gets a 20,000-file / ~500 MB site ready and a new release
# live. The slow file system is bench/cmd/slowfs (FUSE, 1 ms per request).
#
# Needs root, /dev/fuse and the Debian packages in .ci/apt-packages. Takes a
# few minutes on 2 cores. Results: the table on stdout, JSON in
# bench/results/runtime-<UTC time>.json. Flags are passed to
# bench/runtimebench (go run ./bench/runtimebench -h lists them).
#
#   sudo bench/run-runtime.sh            # defaults: -delay 1ms -cache 3s
#   sudo bench/run-runtime.sh -delay 2ms -tree-copy=false
set -eu
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/wpfleet-sync" ./cmd/wpfleet-sync
go build -o "$bin/slowfs" ./bench/cmd/slowfs
go build -o "$bin/runtimebench" ./bench/runtimebench
mkdir -p bench/results
out="bench/results/runtime-$(date -u +%Y%m%dT%H%M%SZ).json"
"$bin/runtimebench" -sync-bin "$bin/wpfleet-sync" -slowfs-bin "$bin/slowfs" -out "$out" "$@"
echo "results: $out" >&2
