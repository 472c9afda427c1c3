#!/usr/bin/env bats
# The schema is a valid JSON Schema (draft 2020-12), the committed example
# reports validate against it, and the validator really rejects what breaks
# the contract (so that validating every report in the suite means
# something).

setup() {
	load helpers/common
}

@test "the schema itself is valid draft 2020-12" {
	run /usr/bin/python3 -c 'import json, sys
from jsonschema import Draft202012Validator
Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' \
	    "$ROOT/reports/schema/report.schema.json"
	assert_success
}

@test "the example reports validate" {
	for f in "$ROOT"/reports/examples/*.json; do
		"$VALIDATE" "$f" || fail "$f"
	done
	"$VALIDATE" --ndjson "$ROOT/reports/examples/hostile.ndjson"
}

@test "the validator rejects a missing key, an unknown finding id and a bad fingerprint" {
	lab_probe "$LAB_PORT_MX"
	jq 'del(.targets[0].probes[0].outcome)' "$REPORT" >"$BATS_TEST_TMPDIR/a.json"
	run "$VALIDATE" "$BATS_TEST_TMPDIR/a.json"
	assert_equal "$status" 1
	jq '.targets[0].probes[0].findings = [{"id": "made-up", "severity": "info", "message": "x"}]' \
	    "$REPORT" >"$BATS_TEST_TMPDIR/b.json"
	run "$VALIDATE" "$BATS_TEST_TMPDIR/b.json"
	assert_equal "$status" 1
	jq '.targets[0].probes[0].certificates[0].sha256_fingerprint = "ABC"' \
	    "$REPORT" >"$BATS_TEST_TMPDIR/c.json"
	run "$VALIDATE" "$BATS_TEST_TMPDIR/c.json"
	assert_equal "$status" 1
	echo '{' >"$BATS_TEST_TMPDIR/d.json"
	run "$VALIDATE" "$BATS_TEST_TMPDIR/d.json"
	assert_equal "$status" 2
}
