# common.bash - loaded by every .bats file: assertions, the servers' ports,
# and probe(), which runs smtp-probe under a hard timeout and validates every
# JSON report it writes against the project's schema.

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PROBE=${SMTP_PROBE:-$ROOT/build/smtp-probe}
VALIDATE=$ROOT/tests/helpers/validate-report
# shellcheck disable=SC1091
. "$SUITE_DIR/lab/lab.env"
# shellcheck disable=SC1091
. "$SUITE_DIR/hostile/hostile.env"
# shellcheck disable=SC1091
. "$SUITE_DIR/dns/dns.env"

# Under valgrind (SMTP_PROBE_WRAPPER) everything is slower, never different.
WRAP=${SMTP_PROBE_WRAPPER:-}
# A command probe() runs smtp-probe under (e.g. in namespaces of its own).
PROBE_PREFIX=

# limited OUT PREFIX CMD... - CMD under a hard limit of PROBE_LIMIT seconds
# (default 60), after PREFIX (words, may be empty): its stdout in OUT, its
# stderr in $STDERR, its exit status in $status, its time in ELAPSED_MS. It
# must end in time, exit 0 or 1 (2 and 3, bad usage and tool failure, have
# their own tests, which run smtp-probe themselves; anything else is a
# crash, or a sanitizer or valgrind finding: tests/run-all.sh gives those
# their own codes) and write something.
limited() {
	local out=$1 prefix=$2 start end
	shift 2
	STDERR=$BATS_TEST_TMPDIR/stderr
	start=$(date +%s%N)
	set +e
	# shellcheck disable=SC2086
	$prefix timeout -k 5 "${PROBE_LIMIT:-60}" "$@" >"$out" 2>"$STDERR"
	status=$?
	set -e
	end=$(date +%s%N)
	ELAPSED_MS=$(((end - start) / 1000000))
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		fail "smtp-probe did not finish within ${PROBE_LIMIT:-60} s"
	fi
	if [ "$status" -gt 1 ]; then
		cat "$STDERR" >&2
		fail "smtp-probe exited $status"
	fi
	[ -s "$out" ] || fail "smtp-probe wrote no report"
}

# probe ARGS... - run smtp-probe with a JSON report in $REPORT (limited());
# the report must validate.
# PROBE_PREFIX, if set, is a command to run it under.
probe() {
	REPORT=$BATS_TEST_TMPDIR/report.json
	# shellcheck disable=SC2086
	limited "$REPORT" "$PROBE_PREFIX" $WRAP "$PROBE" --format json "$@"
	"$VALIDATE" "$REPORT" || fail "the report does not validate"
}

# text_probe ARGS... - run smtp-probe --format text, the report in $TEXT
# (limited())
text_probe() {
	TEXT=$BATS_TEST_TMPDIR/report.txt
	# Pipes get whole lines unless a test sets TEXT_COLUMNS.
	# shellcheck disable=SC2086
	limited "$TEXT" "" env COLUMNS="${TEXT_COLUMNS:-}" $WRAP "$PROBE" \
	    --format text "$@"
}

# lab_probe PORTS [ARGS...] - probe the lab Postfix with its CA and name
lab_probe() {
	local ports=$1
	shift
	probe --cafile "$LAB_CA" --sni "$LAB_HOST" --ehlo client.lab.test \
	    -p "$ports" "$@" 127.0.0.1
}

# in_netns NAME=PORT... -- ARGS... - probe 127.0.0.1 with ARGS in a new
# network namespace where the hostile server serves behaviour NAME on PORT
# (tests/helpers/in-netns), so that ports 25, 465 and 587 can be used. The
# report lands in $REPORT as with probe() (limited()), and is validated when
# it is JSON (ARGS may ask for --format text).
in_netns() {
	unshare -n true 2>/dev/null || skip "network namespaces are not available"
	mkdir -p "$BATS_TEST_TMPDIR/ns"
	rm -rf "${BATS_TEST_TMPDIR:?}/ns/"*
	REPORT=$BATS_TEST_TMPDIR/report.json
	limited "$REPORT" "" unshare -n "$ROOT/tests/helpers/in-netns" \
	    "$BATS_TEST_TMPDIR/ns" "$PROBE" "$@"
	jq -e . "$REPORT" >/dev/null 2>&1 || return 0
	"$VALIDATE" "$REPORT" || fail "the report does not validate"
}

# j FILTER - one value from the report (raw strings), for the first probe
# unless the filter says otherwise
j() {
	jq -r "$1" "$REPORT"
}

# p FILTER - a value of probe N (default 0): p '.banner.code' [N]
p() {
	jq -r ".targets[0].probes[${2:-0}] | $1" "$REPORT"
}

# findings [N] - the finding ids of probe N, space-separated, sorted
findings() {
	jq -r "[.targets[0].probes[${1:-0}].findings[].id] | sort | join(\" \")" \
	    "$REPORT"
}

# fingerprint PEM - SHA-256 of a certificate as certtool prints it
fingerprint() {
	certtool --fingerprint --hash sha256 --infile "$1" 2>/dev/null |
	    tr -d ':\n' | tr 'A-F' 'a-f'
}

# hostile_probe NAME/MODE [ARGS...] - probe one behaviour of the hostile
# server (tests/servers/hostile.py) with its CA and name, and check that it
# ended within its --timeout (default 30) whatever the server did
hostile_probe() {
	local name=${1%/*} mode=${1#*/} var limit=30 prev=
	shift
	for arg in "$@"; do
		[ "$prev" != --timeout ] || limit=$arg
		prev=$arg
	done
	var=HOSTILE_PORT_$name
	probe --cafile "$HOSTILE_CA" --sni hostile.test -p "${!var}/$mode" \
	    "$@" 127.0.0.1
	within_timeout "$limit"
}

# within_timeout SEC - the last probe ended by its --timeout SEC, with a
# margin for process start-up and the sanitizer build
within_timeout() {
	local margin=2500
	[ -z "$WRAP" ] || margin=15000
	[ "$ELAPSED_MS" -le $(($1 * 1000 + margin)) ] ||
	    fail "took $ELAPSED_MS ms with --timeout $1"
}
