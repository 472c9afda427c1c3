#!/usr/bin/env bash
# run-all.sh BUILD_DIR [PART...] - check the code's style (part "style":
# tests/check-style.sh, one check), run the unit tests (TAP programs
# BUILD_DIR/test_*, part "unit"), the end-to-end suite (tests/*.bats against
# BUILD_DIR/smtp-probe, part "bats") and the end-to-end tests that talk to
# servers under valgrind (part "valgrind", with VALGRIND_BUILD/smtp-probe,
# default BUILD_DIR: valgrind cannot run a sanitizer build), and a short run
# of each fuzz harness (part "fuzz", FUZZ_SECONDS each, default 5: proves
# they build and hold on their corpus), and end with one line
# "N passed, N failed". No PART means all five. Exits 1 if
# anything failed, or if a runner died before finishing its plan.
set -uo pipefail

build=${1:?usage: run-all.sh BUILD_DIR [style] [unit] [bats] [valgrind] [fuzz]}
shift
parts=" ${*:-style unit bats valgrind fuzz} "
for part in $parts; do
	case $part in
	style | unit | bats | valgrind | fuzz) ;;
	*)
		echo "run-all.sh: unknown part \"$part\"" >&2
		exit 2
		;;
	esac
done
vbuild=${VALGRIND_BUILD:-$build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
case $vbuild in /*) ;; *) vbuild=$(pwd)/$vbuild ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0 skipped=0
# A memory error must not look like exit status 1 (a --fail-on threshold).
export ASAN_OPTIONS=exitcode=86:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=exitcode=86:print_stacktrace=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count NAME - tally the TAP in $log; a missing, empty or unmet plan is a
# failure
count() {
	local name=$1 rc=$2 ok notok skip plan
	ok=$(grep -cE '^ok ' "$log")
	skip=$(grep -cE '^ok .*# skip' "$log")
	notok=$(grep -cE '^not ok ' "$log")
	plan=$(grep -oE '^1\.\.[0-9]+' "$log" | head -n 1 | cut -d. -f3)
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + notok))
	if [ -z "$plan" ] || [ "$plan" -eq 0 ] ||
	    [ $((ok + notok)) -ne "$plan" ] ||
	    { [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; }; then
		echo "run-all: $name did not finish its plan (exit $rc)"
		failed=$((failed + 1))
	fi
}

# Style counts as one check: clang-format and the banned functions.
if [[ $parts == *" style "* ]]; then
	echo "# style: tests/check-style.sh"
	if "$root/tests/check-style.sh" >"$log" 2>&1; then
		passed=$((passed + 1))
	else
		grep -v '^check-style: ok$' "$log" | head -n 40
		failed=$((failed + 1))
	fi
fi

if [[ $parts == *" unit "* ]]; then
	if ! compgen -G "$build/test_*" >/dev/null; then
		echo "run-all: no unit test programs in $build"
		failed=$((failed + 1))
	fi
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

# A test that hangs fails alone instead of stalling the whole run.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

# bats_part NAME FILE... - run bats files (environment set by the caller)
bats_part() {
	local name=$1
	shift
	bats --tap "$@" >"$log" 2>&1
	local rc=$?
	grep -vE '^ok ' "$log" | head -n 200
	count "$name" "$rc"
}

if [[ $parts == *" bats "* ]]; then
	echo "# bats tests/*.bats with $build/smtp-probe"
	SMTP_PROBE=$build/smtp-probe bats_part bats "$root"/tests/*.bats
fi

# Memcheck over the end-to-end tests that talk to servers: every probe of
# the lab and the hostile server runs under valgrind, and any error or leak
# is exit status 99, which fails the test that ran it.
if [[ $parts == *" valgrind "* ]]; then
	echo "# bats under valgrind with $vbuild/smtp-probe"
	SMTP_PROBE=$vbuild/smtp-probe SMTP_PROBE_WRAPPER="valgrind -q \
	    --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect" PROBE_LIMIT=120 \
	    bats_part valgrind "$root"/tests/starttls.bats \
	    "$root"/tests/certs.bats "$root"/tests/implicit.bats \
	    "$root"/tests/hostile.bats "$root"/tests/login.bats
fi

if [[ $parts == *" fuzz "* ]]; then
	echo "# fuzz harnesses, ${FUZZ_SECONDS:-5} s each"
	"$root/tests/fuzz/run.sh" "${FUZZ_SECONDS:-5}" "$build/fuzz" >"$log" 2>&1
	rc=$?
	grep -E '^fuzz_|crash|error' "$log" | head -n 20
	ok=$(grep -cE '^fuzz_[a-z]+: [0-9]+ executions, no crash$' "$log")
	passed=$((passed + ok))
	[ "$rc" -eq 0 ] && [ "$ok" -eq 3 ] || failed=$((failed + 1))
fi

[ "$skipped" -eq 0 ] || echo "# $skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
