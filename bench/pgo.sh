#!/usr/bin/env bash
# Refreshes cmd/kycmatch/default.pgo, the CPU profile `go build` uses for
# profile-guided optimisation of the kycmatch binary: serve answering
# /match under load (bench/api.sh, 10-attribute requests over a 1 000 000-
# line generation), merged with a 200 000-row ingest (BenchmarkIngest).
# Both profiles come from a build without PGO, so that a refresh does not
# depend on the profile it replaces. Refresh it after changing a hot path.
#
#   bench/pgo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
GOFLAGS=-pgo=off DURATION=${DURATION:-32s} PROFILE="$out/serve.pprof" RATE=0 bench/api.sh >/dev/null
go test -pgo=off -run '^$' -bench '^BenchmarkIngest$' -benchtime=200000x -cpuprofile "$out/ingest.pprof" \
  -o "$out/ingest.test" ./ingest >/dev/null
go tool pprof -proto "$out/serve.pprof" "$out/ingest.pprof" >cmd/kycmatch/default.pgo
echo "cmd/kycmatch/default.pgo: $(wc -c <cmd/kycmatch/default.pgo) bytes"
