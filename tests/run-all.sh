#!/usr/bin/env bash
# run-all.sh BUILD_DIR [PART...] - check the code's style (part "style":
# tests/check-style.sh, one check), run the unit tests (TAP programs
# BUILD_DIR/test_*, part "unit"), the end-to-end suite (tests/*.bats against
# BUILD_DIR/smtp-probe, part "bats") and the end-to-end tests that talk to
# servers under valgrind (part "valgrind", with VALGRIND_BUILD/smtp-probe,
# default BUILD_DIR: valgrind cannot run a sanitizer build), and a short run
# of each fuzz harness (part "fuzz", FUZZ_SECONDS each, default 5: proves
# they build and hold on their corpus), and end with one line
# "N passed, N failed". No PART means all five. Each part, unit program
# and bats file says "# NAME" as it starts, and failures show as they
# happen, so a long run is never silent. Exits 1 if anything failed, or if
# a runner died before finishing its plan.
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

# failures - TAP on stdin: the failed checks and the "#" lines that follow
# each, as they come (what a passing test says in comments is not news),
# and the "# bats tests/FILE" lines that say a file starts. A shell loop,
# since mawk holds its input back until its buffer fills.
failures() {
	local line show=0
	while IFS= read -r line; do
		case $line in
		"# bats tests/"*) printf '%s\n' "$line" ;;
		"not ok "*)
			show=1
			printf '%s\n' "$line"
			;;
		"ok "*) show=0 ;;
		"#"*) [ "$show" -eq 0 ] || printf '%s\n' "$line" ;;
		esac
	done
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
		failures <"$log" | head -n 40
		count "$name" "$rc"
	done
fi

# A test that hangs fails alone instead of stalling the whole run.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

# bats_part NAME FILE... - run bats files (environment set by the caller),
# saying "# bats tests/FILE" as each starts (the formatter is bats' TAP
# plus those lines) and each failure as it happens
bats_part() {
	local name=$1
	shift
	bats --formatter "$root/tests/helpers/bats-format-files" "$@" 2>&1 |
	    tee "$log" | failures
	local rc=${PIPESTATUS[0]}
	# A run that died outside any test (setup_suite) says why here.
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$log"; then
		tail -n 40 "$log"
	fi
	count "$name" "$rc"
}

# RUN_ALL_BATS: the bats files of part "bats" (default: every tests/*.bats)
if [[ $parts == *" bats "* ]]; then
	echo "# bats with $build/smtp-probe"
	# shellcheck disable=SC2086
	SMTP_PROBE=$build/smtp-probe bats_part bats \
	    ${RUN_ALL_BATS:-"$root"/tests/*.bats}
fi

# Memcheck over the end-to-end tests that talk to servers: every probe of
# the lab, the hostile server and tlsd runs under valgrind, and any error or
# leak is exit status 99, which fails the test that ran it.
if [[ $parts == *" valgrind "* ]]; then
	echo "# bats under valgrind with $vbuild/smtp-probe"
	SMTP_PROBE=$vbuild/smtp-probe SMTP_PROBE_WRAPPER="valgrind -q \
	    --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect" PROBE_LIMIT=120 \
	    bats_part valgrind "$root"/tests/starttls.bats \
	    "$root"/tests/certs.bats "$root"/tests/implicit.bats \
	    "$root"/tests/hostile.bats "$root"/tests/login.bats \
	    "$root"/tests/versions.bats \
	    "$root"/tests/mta-sts.bats \
	    "$root"/tests/ocsp.bats "$root"/tests/injection.bats
fi

if [[ $parts == *" fuzz "* ]]; then
	echo "# fuzz harnesses, ${FUZZ_SECONDS:-5} s each"
	"$root/tests/fuzz/run.sh" "${FUZZ_SECONDS:-5}" "$build/fuzz" >"$log" 2>&1
	rc=$?
	grep -E '^fuzz_|crash|error' "$log" | head -n 20
	ok=$(grep -cE '^fuzz_[a-z_]+: [0-9]+ executions, no crash$' "$log")
	passed=$((passed + ok))
	# every harness of tests/fuzz/ must have run
	want=$(find "$root/tests/fuzz" -name 'fuzz_*.c' | wc -l)
	[ "$rc" -eq 0 ] && [ "$ok" -eq "$want" ] || failed=$((failed + 1))
fi

[ "$skipped" -eq 0 ] || echo "# $skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
