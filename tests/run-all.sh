#!/usr/bin/env bash
# run-all.sh BUILD_DIR [unit|bats|all] - run the unit tests (TAP programs
# BUILD_DIR/test_*) and the end-to-end suite (tests/*.bats against
# BUILD_DIR/smtp-probe), and end with one line "N passed, N failed".
# Exits 1 if anything failed, or if a runner died before finishing its plan.
set -uo pipefail

build=${1:?usage: run-all.sh BUILD_DIR [unit|bats|all]}
what=${2:-all}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count NAME - tally the TAP in $log; a missing or unmet plan is a failure
count() {
	local name=$1 rc=$2 ok notok skip plan
	ok=$(grep -cE '^ok ' "$log")
	skip=$(grep -cE '^ok .*# skip' "$log")
	notok=$(grep -cE '^not ok ' "$log")
	plan=$(grep -oE '^1\.\.[0-9]+' "$log" | head -n 1 | cut -d. -f3)
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + notok))
	if [ -z "$plan" ] || [ $((ok + notok)) -ne "$plan" ] ||
	    { [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; }; then
		echo "run-all: $name did not finish its plan (exit $rc)"
		failed=$((failed + 1))
	fi
}

if [ "$what" != bats ]; then
	for t in "$build"/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		echo "# $name"
		"$t" "$root/tests/unit/certs" >"$log" 2>&1
		rc=$?
		grep -E '^(not ok|#)' "$log" | head -n 40
		count "$name" "$rc"
	done
fi

if [ "$what" != unit ]; then
	echo "# bats tests/*.bats with $build/smtp-probe"
	SMTP_PROBE=$build/smtp-probe bats --tap "$root"/tests/*.bats \
	    >"$log" 2>&1
	rc=$?
	grep -vE '^ok ' "$log" | head -n 200
	count bats "$rc"
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
