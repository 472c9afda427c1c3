#!/usr/bin/env bats
# The run as a whole: the summary and each probe's status, a run stopped
# by SIGINT or SIGTERM, a reader that goes away, and text shown port by
# port as each finishes.

setup() {
	load helpers/common
}

@test "summary counts probes by status and says whether --fail-on was reached" {
	lab_probe "$LAB_PORT_MX,$LAB_PORT_EXPIRED,$LAB_PORT_PLAIN" --fail-on critical
	assert_equal "$status" 1
	assert_equal "$(j '[.targets[0].probes[] | .status] | join(",")')" ok,critical,critical
	assert_equal "$(j '.summary | [.targets, .probes, .ok, .warning, .critical] | join(",")')" 1,3,1,0,2
	assert_equal "$(j .summary.fail_on)" critical
	assert_equal "$(j .summary.failed)" true
	assert_equal "$(j .interrupted)" false
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(j .summary.fail_on)" null
	assert_equal "$(j .summary.failed)" false
	assert_equal "$(p .status)" ok
}

# interrupt SIGNAL FORMAT - start a probe of the lab and of the silent
# hostile port, send SIGNAL once the lab's target is written, and leave
# the output in $OUT and the exit status in $status
interrupt() {
	OUT=$BATS_TEST_TMPDIR/out
	# The silent port holds its target for the whole --timeout.
	$WRAP "$PROBE" --format "$2" --cafile "$LAB_CA" --timeout 60 \
	    "127.0.0.1:$HOSTILE_PORT_SILENT/starttls" \
	    "127.0.0.1:$LAB_PORT_MX" >"$OUT" 2>"$BATS_TEST_TMPDIR/stderr" &
	pid=$!
	for _ in $(seq 200); do
		grep -q "$LAB_PORT_MX" "$OUT" 2>/dev/null && break
		sleep 0.1
	done
	kill "-$1" "$pid"
	set +e
	wait "$pid"
	status=$?
	set -e
}

@test "SIGINT: what finished is a complete report marked interrupted, exit 130" {
	interrupt INT json
	assert_equal "$status" 130
	"$VALIDATE" "$OUT"
	assert_equal "$(jq -r .interrupted "$OUT")" true
	assert_equal "$(jq -r '[.targets[].index] | join(",")' "$OUT")" 1
	assert_equal "$(jq -r '.targets[0].probes[0].banner.lines[0]' "$OUT")" "$LAB_BANNER"
	assert_equal "$(jq -r .summary.targets "$OUT")" 1
}

@test "SIGTERM: the text report ends with its summary line, exit 143" {
	interrupt TERM text
	assert_equal "$status" 143
	run tail -n 1 "$OUT"
	assert_output --regexp "^1 target probed in [0-9]+ ms \\(interrupted: unfinished probes were not reported\\)$"
}

@test "SIGINT with ndjson: finished lines stay whole" {
	interrupt INT ndjson
	assert_equal "$status" 130
	"$VALIDATE" --ndjson "$OUT"
	assert_equal "$(jq -r .index "$OUT")" 1
}

@test "a reader that goes away ends the run quietly, with no error" {
	targets=()
	for _ in $(seq 200); do targets+=("127.0.0.1:$LAB_PORT_MX"); done
	run --separate-stderr bash -c 'set -o pipefail
	    "$0" --format ndjson --cafile "$1" -j 4 "${@:2}" | head -n 1 >/dev/null' \
	    "$PROBE" "$LAB_CA" "${targets[@]}"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
}

@test "text shows each port as soon as it finishes, before the target's last port" {
	# The lab's port answers at once; the silent port's target is the
	# same host, so its block can only come later.
	fifo=$BATS_TEST_TMPDIR/text
	mkfifo "$fifo"
	"$PROBE" --format text --cafile "$LAB_CA" --timeout 6 \
	    -p "$HOSTILE_PORT_SILENT/starttls,$LAB_PORT_MX" 127.0.0.1 >"$fifo" &
	pid=$!
	start=$(date +%s%N)
	exec 5<"$fifo"
	read -r header <&5
	read -r port <&5
	got=$((($(date +%s%N) - start) / 1000000))
	cat <&5 >/dev/null
	exec 5<&-
	wait "$pid" || true
	assert_equal "$header" 127.0.0.1
	assert_regex "$port" "port $LAB_PORT_MX "
	[ "$got" -lt 5000 ] || fail "the first port came after $got ms"
}
