#!/usr/bin/env bats
# Targets from -f FILE and stdin: comments and blank lines skipped, bad lines
# reported as targets with an "input" error and kept in place (index), the
# report streamed as targets finish, and a fleet of 10,000 targets.

setup() {
	load helpers/common
}

@test "-f: comments and blank lines are skipped, every target keeps its index" {
	cat >"$BATS_TEST_TMPDIR/targets" <<-EOT
		# the lab, twice, and a bad line between
		127.0.0.1:$LAB_PORT_MX

		  127.0.0.1:$LAB_PORT_SMTPS/implicit  
		mail example
		127.0.0.1:$LAB_PORT_SUBMISSION
	EOT
	probe --cafile "$LAB_CA" --sni "$LAB_HOST" -f "$BATS_TEST_TMPDIR/targets"
	assert_equal "$status" 0
	assert_equal "$(j '.targets | length')" 4
	assert_equal "$(j '[.targets[].index] | sort | join(",")')" "0,1,2,3"
	assert_equal "$(j '.targets[] | select(.index == 1) | .host')" \
	    "127.0.0.1:$LAB_PORT_SMTPS/implicit"
	assert_equal "$(j '.targets[] | select(.index == 1) | .probes[0].banner.lines[0]')" "$LAB_BANNER"
	assert_equal "$(j '.targets[] | select(.index == 2) | .host')" "mail example"
	assert_equal "$(j '.targets[] | select(.index == 2) | .error.phase + "/" + .error.kind')" input/syntax
	assert_regex "$(j '.targets[] | select(.index == 2) | .error.message')" "line 5: "
	assert_equal "$(j '.targets[] | select(.index == 2) | .probes | length')" 0
	assert_equal "$(j '.targets[] | select(.index == 3) | .probes[0].port')" "$LAB_PORT_SUBMISSION"
}

@test "-f -: targets from standard input follow those of the command line" {
	REPORT=$BATS_TEST_TMPDIR/r.ndjson
	printf '127.0.0.1:%s\n' "$LAB_PORT_SUBMISSION" |
	    "$PROBE" --format ndjson --cafile "$LAB_CA" --sni "$LAB_HOST" \
		-f - "127.0.0.1:$LAB_PORT_MX" >"$REPORT"
	"$VALIDATE" --ndjson "$REPORT"
	assert_equal "$(jq -s 'length' "$REPORT")" 2
	assert_equal "$(jq -r "select(.index == 0) | .probes[0].port" "$REPORT")" "$LAB_PORT_MX"
	assert_equal "$(jq -r "select(.index == 1) | .probes[0].port" "$REPORT")" "$LAB_PORT_SUBMISSION"
}

@test "text and ndjson stream: a fast target is written before a slow one ends" {
	# SILENT holds its probe for the whole --timeout; the lab answers at
	# once, so its target must be on stdout while SILENT still waits.
	fifo=$BATS_TEST_TMPDIR/out
	mkfifo "$fifo"
	"$PROBE" --format ndjson --cafile "$LAB_CA" --sni "$LAB_HOST" \
	    --timeout 6 "127.0.0.1:$HOSTILE_PORT_SILENT/starttls" \
	    "127.0.0.1:$LAB_PORT_MX" >"$fifo" &
	pid=$!
	start=$(date +%s%N)
	read -r first <"$fifo"
	got=$((($(date +%s%N) - start) / 1000000))
	wait "$pid" || true
	assert_equal "$(jq -r .index <<<"$first")" 1
	[ "$got" -lt 5000 ] || fail "the first line came after $got ms"
}

@test "10,000 targets from -f: every one reported once, in bounded memory" {
	# Refused ports answer at once, so the whole pipeline (source, jobs,
	# judgement, streaming) runs 10,000 times in seconds, with bad lines
	# and a real probe of the lab mixed in; under the sanitizer build in
	# make test, any memory error fails it.
	awk -v lab="$LAB_PORT_MX" 'BEGIN {
		for (i = 0; i < 10000; i++) {
			if (i % 1000 == 7)
				print "bad target " i
			else if (i % 2500 == 3)
				print "127.0.0.1:" lab "/plain"
			else
				print "127.0.0.1:1"
		}
	}' >"$BATS_TEST_TMPDIR/fleet"
	REPORT=$BATS_TEST_TMPDIR/fleet.ndjson
	run --separate-stderr timeout -k 5 300 $WRAP "$PROBE" --format ndjson \
	    -j 200 -p 25 -f "$BATS_TEST_TMPDIR/fleet" -o "$REPORT"
	assert_equal "$status" 0
	"$VALIDATE" --ndjson "$REPORT"
	assert_equal "$(jq -s 'length' "$REPORT")" 10000
	assert_equal "$(jq -s '[.[].index] | unique | length' "$REPORT")" 10000
	assert_equal "$(jq -s '[.[] | select(.error.phase == "input")] | length' "$REPORT")" 10
	assert_equal "$(jq -s '[.[] | select(.probes[0].error.kind == "refused")] | length' "$REPORT")" 9986
	assert_equal "$(jq -s --arg b "$LAB_BANNER" '[.[] | select(.probes[0].banner.lines[0] == $b)] | length' "$REPORT")" 4
}
