#!/usr/bin/env bats
# --baseline FILE end to end: an unchanged baseline raises nothing,
# matching is by host, port and address whatever the order or the subset,
# and a FILE that is not a report of this schema version is bad usage.
# (Each changed-* finding has its test in findings.bats.)

setup() {
	load helpers/common
}

# changed [N] - the changed-* ids of probe N
changed() {
	p '[.findings[].id | select(startswith("changed-"))] | join(" ")' "${1:-0}"
}

@test "an unchanged baseline raises nothing, on every kind of port" {
	ports="$LAB_PORT_MX,$LAB_PORT_SUBMISSION,$LAB_PORT_SMTPS/implicit,$LAB_PORT_PLAIN,$LAB_PORT_EXPIRED,$LAB_PORT_NOINTER,$((LAB_PORT_MX + 8))"
	lab_probe "$ports"
	cp "$REPORT" "$BATS_TEST_TMPDIR/past.json"
	lab_probe "$ports" --baseline "$BATS_TEST_TMPDIR/past.json"
	assert_equal "$(j '[.targets[0].probes[].findings[].id | select(startswith("changed-"))] | length')" 0
	# The other findings are the baseline's.
	assert_equal "$(j '[.targets[0].probes[] | [.port, [.findings[].id]]]' | jq -c .)" \
	    "$(jq -c '[.targets[0].probes[] | [.port, [.findings[].id]]]' "$BATS_TEST_TMPDIR/past.json")"
}

@test "probes are matched by value: reordered, a subset, another host" {
	lab_probe "$LAB_PORT_MX,$LAB_PORT_SUBMISSION"
	old=$(printf 'past' | sha256sum | cut -d' ' -f1)
	# The submission port's leaf stands for a rotated one; the probes
	# and targets are put in another order, with another host's target
	# first, whose probes must not be taken for ours.
	jq --argjson port "$LAB_PORT_SUBMISSION" --arg old "$old" '
	    .targets[0].probes |= (map(if .port == $port then .certificates[0].sha256_fingerprint = $old else . end) | reverse)
	    | .targets = [.targets[0] | .host = "other.example" | .probes |= map(.starttls.offered = false | .certificates[0].sha256_fingerprint = $old)] + .targets' \
	    "$REPORT" >"$BATS_TEST_TMPDIR/past.json"
	assert_equal "$(jq '.targets[1].probes[0].port' "$BATS_TEST_TMPDIR/past.json")" "$LAB_PORT_SUBMISSION"
	lab_probe "$LAB_PORT_MX,$LAB_PORT_SUBMISSION" --baseline "$BATS_TEST_TMPDIR/past.json"
	assert_equal "$(changed 0)" ""
	assert_equal "$(changed 1)" changed-certificate
	# A sharded run: only the submission port, given as host:port.
	probe --cafile "$LAB_CA" --sni "$LAB_HOST" --baseline "$BATS_TEST_TMPDIR/past.json" "127.0.0.1:$LAB_PORT_SUBMISSION"
	assert_equal "$(changed 0)" changed-certificate
	# Another port than the baseline has: nothing to compare.
	lab_probe "$LAB_PORT_PLAIN" --baseline "$BATS_TEST_TMPDIR/past.json"
	assert_equal "$(changed 0)" ""
}

@test "a baseline that is not a report of this schema version is bad usage, naming the file" {
	lab_probe "$LAB_PORT_MX"
	jq '.schema_version = 2' "$REPORT" >"$BATS_TEST_TMPDIR/v2.json"
	head -c 500 "$REPORT" >"$BATS_TEST_TMPDIR/cut.json"
	jq -c '.targets[0]' "$REPORT" >"$BATS_TEST_TMPDIR/target.ndjson"
	echo '{"targets": []}' >"$BATS_TEST_TMPDIR/noversion.json"
	for f in v2.json cut.json target.ndjson noversion.json none.json; do
		run "$PROBE" --cafile "$LAB_CA" -p "$LAB_PORT_MX" --baseline "$BATS_TEST_TMPDIR/$f" 127.0.0.1
		assert_equal "$status" 2
		assert_output --partial "--baseline $BATS_TEST_TMPDIR/$f: "
	done
	run "$PROBE" -p "$LAB_PORT_MX" --baseline "$BATS_TEST_TMPDIR/v2.json" 127.0.0.1
	assert_output --partial "its schema_version is not 1"
	# The baseline is checked before anything is probed or written.
	echo keep >"$BATS_TEST_TMPDIR/out"
	run "$PROBE" -p "$LAB_PORT_MX" --baseline "$BATS_TEST_TMPDIR/cut.json" -o "$BATS_TEST_TMPDIR/out" 127.0.0.1
	assert_equal "$status" 2
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" keep
}
