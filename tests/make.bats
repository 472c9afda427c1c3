#!/usr/bin/env bats
# What make demo and make test show a person: the demo's text report on
# screen and where its JSON went; a line as each part of the suite starts,
# failures as they happen, and nothing that looks like one when all pass.

setup() {
	load helpers/common
}

# stamp - each line of stdin prefixed with the milliseconds since the epoch
stamp() {
	local line
	while IFS= read -r line; do
		printf '%s %s\n' "$(date +%s%3N)" "$line"
	done
}

@test "make demo: the text report on screen, and where the JSON went" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	cp "$PROBE" "$BATS_TEST_TMPDIR/bin/smtp-probe"
	run --separate-stderr timeout 120 "$ROOT/tests/demo.sh" "$BATS_TEST_TMPDIR/bin/smtp-probe"
	assert_success
	json=$BATS_TEST_TMPDIR/bin/demo-report.json
	"$VALIDATE" "$json"
	# The text report of the three lab ports.
	assert_equal "$(grep -c '^  \[ *[A-Z]* *\] port ' <<<"$output")" 3
	assert_line --regexp "^ +banner +220 $LAB_BANNER\$"
	# The JSON is in the file, not on screen: the screen says where.
	assert_line "== the same as JSON ($(wc -l <"$json") lines) is in $json"
	refute_output --partial '"schema_version"'
	[ "${#lines[@]}" -lt 80 ] || fail "${#lines[@]} lines on screen"
	assert_equal "$(jq '[.targets[].probes[]] | length' "$json")" 3
	assert_equal "$(jq -r '.targets[0].probes[0].banner.lines[0]' "$json")" "$LAB_BANNER"
}

@test "make test: each bats file says so as it starts; failures show as they happen" {
	d=$BATS_TEST_TMPDIR/suite
	mkdir "$d"
	printf '@test "slow" { sleep 2; }\n' >"$d/first.bats"
	printf '@test "fails" { echo "why it failed"; false; }\n@test "passes" { echo "not shown"; true; }\n' >"$d/second.bats"
	RUN_ALL_BATS="$d/first.bats $d/second.bats" \
	    "$ROOT/tests/run-all.sh" "$(dirname "$PROBE")" bats 2>&1 |
	    stamp >"$d/out" && rc=${PIPESTATUS[0]}
	assert_equal "$rc" 1
	output=$(cat "$d/out")
	body=$(cut -d' ' -f2- <<<"$output")
	assert_equal "$(grep -c . <<<"$body")" 8
	assert_equal "$(sed -n 1p <<<"$body")" "# bats with $(dirname "$PROBE")/smtp-probe"
	assert_equal "$(sed -n 2p <<<"$body")" "# bats tests/first.bats"
	assert_equal "$(sed -n 3p <<<"$body")" "# bats tests/second.bats"
	assert_equal "$(sed -n 4p <<<"$body")" "not ok 2 fails"
	assert_equal "$(sed -n 7p <<<"$body")" "# why it failed"
	assert_equal "$(sed -n 8p <<<"$body")" "2 passed, 1 failed"
	refute_output --partial "not shown"
	# first.bats was announced when it started, not when the run ended.
	t1=$(sed -n 2p <<<"$output" | cut -d' ' -f1)
	t2=$(sed -n 3p <<<"$output" | cut -d' ' -f1)
	((t2 - t1 >= 1500)) || fail "announced $((t2 - t1)) ms apart"
}

@test "make test: passing unit tests print only their names" {
	build=$(dirname "$PROBE")
	compgen -G "$build/test_*" >/dev/null || fail "no unit tests in $build"
	run "$ROOT/tests/run-all.sh" "$build" unit
	assert_success
	n=$(find "$build" -maxdepth 1 -name 'test_*' -type f -perm -u+x | wc -l)
	assert_equal "${#lines[@]}" $((n + 1))
	for ((i = 0; i < n; i++)); do
		assert_regex "${lines[i]}" '^# test_[a-z_]+$'
	done
	assert_regex "${lines[n]}" '^[0-9]+ passed, 0 failed$'
}
