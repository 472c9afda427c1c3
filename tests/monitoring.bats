#!/usr/bin/env bats
# The monitoring formats, each read by its real consumer: --format
# prometheus by promtool and by a prometheus-node-exporter started here
# with a textfile directory; --format nagios by the Monitoring Plugins'
# own Perl perfdata parser, with the plugin exit statuses. Values are
# checked against the lab (openssl's reading of the chain it serves).

setup() {
	load helpers/common
	NODE_PID=
}

teardown() {
	if [ -n "$NODE_PID" ]; then
		kill "$NODE_PID" 2>/dev/null || true
		wait "$NODE_PID" 2>/dev/null || true
	fi
}

# mon FORMAT ARGS... - smtp-probe --format FORMAT against the lab, stdout
# in $OUT, exit status in $status
mon() {
	local fmt=$1
	shift
	OUT=$BATS_TEST_TMPDIR/out.$fmt
	set +e
	timeout -k 5 60 $WRAP "$PROBE" --format "$fmt" --cafile "$LAB_CA" \
	    --sni "$LAB_HOST" "$@" >"$OUT" 2>"$BATS_TEST_TMPDIR/stderr"
	status=$?
	set -e
}

# sample FILE METRIC PORT [EXTRA] - the value of METRIC's series for the
# lab's PORT (and EXTRA labels, as written after mode)
sample() {
	grep -F "$2{host=\"127.0.0.1\",address=\"127.0.0.1\",port=\"$3\"" "$1" |
	    grep -F -- "${4:-}" | awk '{ print $NF }'
}

# chain_expiry PORT - the earliest notAfter, in Unix seconds, of the chain
# the lab serves on PORT after STARTTLS, as openssl reads it
chain_expiry() {
	local c
	# A busy lab may drop a connection: try again rather than read nothing.
	for _ in 1 2 3; do
		openssl s_client -connect "127.0.0.1:$1" -starttls smtp -showcerts \
		    </dev/null 2>/dev/null |
		    awk -v dir="$BATS_TEST_TMPDIR" '/BEGIN CERT/ { n++; on = 1 }
			on { print > (dir "/c" n ".pem") }
			/END CERT/ { on = 0; close(dir "/c" n ".pem") }'
		[ -f "$BATS_TEST_TMPDIR/c1.pem" ] && break
		sleep 1
	done
	[ -f "$BATS_TEST_TMPDIR/c1.pem" ] ||
	    { echo "openssl s_client got no chain from port $1" >&2; return 1; }
	for c in "$BATS_TEST_TMPDIR"/c*.pem; do
		date -d "$(openssl x509 -enddate -noout -in "$c" | cut -d= -f2)" +%s
	done | sort -n | head -n 1
	rm -f "$BATS_TEST_TMPDIR"/c*.pem
}

@test "prometheus: promtool accepts it, and its values are the lab's" {
	mon prometheus -p "$LAB_PORT_MX,$LAB_PORT_SMTPS/implicit,$LAB_PORT_PLAIN,$LAB_PORT_EXPIRED" 127.0.0.1
	assert_equal "$status" 0
	run promtool check metrics <"$OUT"
	assert_success
	assert_output ""
	# One HELP and TYPE per family, and each family's series together.
	run bash -c "grep -c '^# TYPE ' '$OUT'; grep -v '^#' '$OUT' | sed 's/[{ ].*//' | uniq | wc -l"
	assert_equal "${lines[0]}" "${lines[1]}"
	# No timestamps: a sample is NAME{LABELS} VALUE, nothing after.
	run awk '!/^#/ && NF != 2' "$OUT"
	assert_output ""
	want=$(chain_expiry "$LAB_PORT_MX")
	[ -n "$want" ] || fail "openssl read no chain"
	assert_equal "$want" "$(date -d "$(openssl x509 -enddate -noout -in "$LAB_CERT_GOOD" | cut -d= -f2)" +%s)"
	assert_equal "$(sample "$OUT" smtp_probe_cert_expiry_timestamp_seconds "$LAB_PORT_MX")" "$want"
	expired=$(chain_expiry "$LAB_PORT_EXPIRED")
	assert_equal "$(sample "$OUT" smtp_probe_cert_expiry_timestamp_seconds "$LAB_PORT_EXPIRED")" "$expired"
	[ "$expired" -lt "$(date +%s)" ]
	assert_equal "$(sample "$OUT" smtp_probe_success "$LAB_PORT_MX")" 1
	assert_equal "$(sample "$OUT" smtp_probe_success "$LAB_PORT_PLAIN")" 0
	assert_equal "$(sample "$OUT" smtp_probe_starttls_offered "$LAB_PORT_MX")" 1
	assert_equal "$(sample "$OUT" smtp_probe_starttls_offered "$LAB_PORT_SMTPS")" 0
	assert_equal "$(sample "$OUT" smtp_probe_tls_established "$LAB_PORT_SMTPS")" 1
	assert_equal "$(sample "$OUT" smtp_probe_tls_established "$LAB_PORT_PLAIN")" 0
	assert_equal "$(sample "$OUT" smtp_probe_cert_trusted "$LAB_PORT_MX")" 1
	assert_equal "$(sample "$OUT" smtp_probe_cert_trusted "$LAB_PORT_EXPIRED")" 0
	assert_equal "$(sample "$OUT" smtp_probe_auth_only_after_tls "$LAB_PORT_SMTPS")" 1
	assert_equal "$(sample "$OUT" smtp_probe_auth_only_after_tls "$LAB_PORT_PLAIN")" 0
	# The version and cipher openssl negotiates with the same server.
	openssl s_client -brief -connect "127.0.0.1:$LAB_PORT_MX" -starttls smtp \
	    </dev/null >"$BATS_TEST_TMPDIR/brief" 2>&1 || true
	proto=$(sed -n 's/^Protocol version: TLSv//p' "$BATS_TEST_TMPDIR/brief")
	cipher=$(sed -n 's/^Ciphersuite: //p' "$BATS_TEST_TMPDIR/brief")
	[ -n "$proto" ] && [ -n "$cipher" ] || fail "openssl: $(cat "$BATS_TEST_TMPDIR/brief")"
	assert_equal "$(sample "$OUT" smtp_probe_tls_version_info "$LAB_PORT_MX" "version=\"TLS$proto\",cipher=\"$cipher\"")" 1
	assert_equal "$(sample "$OUT" smtp_probe_finding "$LAB_PORT_PLAIN" 'id="starttls-missing",severity="critical"')" 1
	assert_equal "$(sample "$OUT" smtp_probe_finding "$LAB_PORT_EXPIRED" 'id="cert-expired",severity="critical"')" 1
	assert_equal "$(sample "$OUT" smtp_probe_findings "$LAB_PORT_PLAIN" 'severity="critical"')" 2
	assert_equal "$(sample "$OUT" smtp_probe_findings "$LAB_PORT_MX" 'severity="critical"')" 0
	# Durations are seconds: the JSON report's milliseconds of a probe
	# take well under a second here.
	d=$(sample "$OUT" smtp_probe_duration_seconds "$LAB_PORT_MX")
	assert_regex "$d" '^0\.[0-9]{3}$'
	assert_regex "$(sample "$OUT" smtp_probe_phase_duration_seconds "$LAB_PORT_MX" 'phase="handshake"')" '^[0-9]+\.[0-9]{3}$'
	assert_equal "$(sample "$OUT" smtp_probe_phase_duration_seconds "$LAB_PORT_SMTPS" 'phase="starttls"')" ""
}

@test "prometheus: a finding raised twice in a probe is one series" {
	# With --warn-days past every certificate of the chain, each raises
	# cert-expiring.
	probe --cafile "$HOSTILE_CA" --sni hostile.test --warn-days 3650 \
	    -p "$HOSTILE_PORT_CERT_EXPIRING/starttls" 127.0.0.1
	n=$(p '[.findings[] | select(.id == "cert-expiring")] | length')
	[ "$n" -ge 2 ] || fail "cert-expiring raised $n times"
	mon prometheus --cafile "$HOSTILE_CA" --sni hostile.test --warn-days 3650 \
	    -p "$HOSTILE_PORT_CERT_EXPIRING/starttls" 127.0.0.1
	run promtool check metrics <"$OUT"
	assert_success
	assert_output ""
	assert_equal "$(grep -c 'id="cert-expiring"' "$OUT")" 1
	assert_equal "$(sample "$OUT" smtp_probe_findings "$HOSTILE_PORT_CERT_EXPIRING" 'severity="warning"')" \
	    "$(p '[.findings[] | select(.severity == "warning")] | length')"
}

@test "prometheus: node_exporter's textfile collector exposes the series, atomically replaced" {
	dir=$BATS_TEST_TMPDIR/textfile
	mkdir "$dir"
	echo old >"$dir/smtp.prom"
	ino=$(stat -c %i "$dir/smtp.prom")
	(umask 022 && mon prometheus -o "$dir/smtp.prom" -p "$LAB_PORT_MX,$LAB_PORT_PLAIN" 127.0.0.1)
	assert_equal "$(ls -A "$dir")" smtp.prom
	[ "$(stat -c %i "$dir/smtp.prom")" != "$ino" ] || fail "FILE was written in place, not renamed"
	assert_equal "$(stat -c %a "$dir/smtp.prom")" 644
	port=$((LAB_PORT_MX + 9))
	prometheus-node-exporter --collector.disable-defaults --collector.textfile \
	    --collector.textfile.directory="$dir" --web.listen-address="127.0.0.1:$port" \
	    >"$BATS_TEST_TMPDIR/node.log" 2>&1 &
	NODE_PID=$!
	for _ in $(seq 50); do
		curl -sf "http://127.0.0.1:$port/metrics" >"$BATS_TEST_TMPDIR/metrics" && break
		sleep 0.1
	done
	grep -q '^node_textfile_scrape_error 0$' "$BATS_TEST_TMPDIR/metrics" ||
	    fail "scrape error: $(grep textfile "$BATS_TEST_TMPDIR/metrics")"
	# node_exporter orders the labels by name.
	grep -qF "smtp_probe_success{address=\"127.0.0.1\",host=\"127.0.0.1\",mode=\"starttls\",port=\"$LAB_PORT_MX\"} 1" "$BATS_TEST_TMPDIR/metrics"
	grep -qF "smtp_probe_success{address=\"127.0.0.1\",host=\"127.0.0.1\",mode=\"plain\",port=\"$LAB_PORT_PLAIN\"} 0" "$BATS_TEST_TMPDIR/metrics"
	expiry=$(chain_expiry "$LAB_PORT_MX")
	series=$(grep -F "smtp_probe_cert_expiry_timestamp_seconds{address=\"127.0.0.1\",host=\"127.0.0.1\",mode=\"starttls\",port=\"$LAB_PORT_MX\"} " "$BATS_TEST_TMPDIR/metrics") ||
	    fail "no expiry series: $(grep expiry "$BATS_TEST_TMPDIR/metrics")"
	assert_equal "${series##* }" "$(awk '{ printf "%.9e", $1 }' <<<"$expiry")"
	# The same collector refuses a file with a timestamp: this test
	# would see it.
	echo 'smtp_probe_success{host="x"} 1 1700000000000' >"$dir/bad.prom"
	curl -sf "http://127.0.0.1:$port/metrics" >"$BATS_TEST_TMPDIR/metrics"
	grep -q '^node_textfile_scrape_error 1$' "$BATS_TEST_TMPDIR/metrics"
}

@test "prometheus -o: a failed run leaves FILE as it was, and nothing beside it" {
	dir=$BATS_TEST_TMPDIR/textfile
	mkdir "$dir"
	echo keep >"$dir/smtp.prom"
	echo "not a certificate" >"$BATS_TEST_TMPDIR/bad.pem"
	run "$PROBE" --format prometheus --cafile "$BATS_TEST_TMPDIR/bad.pem" -o "$dir/smtp.prom" 127.0.0.1
	assert_equal "$status" 2
	# A FILE that cannot be written is a usage error, found before
	# anything is probed.
	run "$PROBE" --format prometheus -p "$LAB_PORT_MX" -o /nonexistent/dir/smtp.prom 127.0.0.1
	assert_equal "$status" 2
	assert_output --partial "-o /nonexistent/dir/smtp.prom: its directory does not exist"
	assert_equal "$(cat "$dir/smtp.prom")" keep
	assert_equal "$(ls -A "$dir")" smtp.prom
}

# parse_perfdata - the perfdata of the nagios output in $OUT, parsed by
# Monitoring::Plugin::Performance: one "label|value|uom|warn|crit" line
# each (a threshold as START..END, "" when not set), after a first line
# with how many were parsed and how many '=' there are
parse_perfdata() {
	head -n 1 "$OUT" | sed -n 's/^[^|]*| *//p' >"$BATS_TEST_TMPDIR/perf"
	perl -MMonitoring::Plugin::Performance -e '
		local $/; my $s = <STDIN>; chomp $s;
		my @p = Monitoring::Plugin::Performance->parse_perfstring($s);
		my $n = () = $s =~ /=/g;
		print scalar(@p), " $n\n";
		for (@p) {
			my $t = $_->threshold;
			printf "%s|%s|%s|%s|%s\n", $_->label, $_->value, $_->uom,
			    range($t->warning), range($t->critical);
		}
		sub range {
			my $r = shift;
			return "" unless $r->is_set;
			return ($r->start_infinity ? "-inf" : $r->start) . ".." .
			    ($r->end_infinity ? "inf" : $r->end);
		}' <"$BATS_TEST_TMPDIR/perf"
}

@test "nagios OK: status line, a line per port, perfdata the Perl parser reads" {
	mon nagios -p "$LAB_PORT_MX,$LAB_PORT_SUBMISSION" 127.0.0.1
	assert_equal "$status" 0
	assert_regex "$(head -n 1 "$OUT")" '^SMTP-TLS OK - 2 ports of 1 target: 2 ok, 0 warning, 0 critical \| '
	assert_equal "$(wc -l <"$OUT")" 3
	assert_equal "$(sed -n 2p "$OUT")" "OK 127.0.0.1:$LAB_PORT_MX starttls TLS1.3"
	run parse_perfdata
	assert_success
	assert_line --index 0 "4 4"
	days=$((($(chain_expiry "$LAB_PORT_MX") - $(date +%s)) / 86400))
	assert_line "127.0.0.1:$LAB_PORT_MX cert_days|$days||21..inf|0..inf"
	assert_line --regexp "^127\.0\.0\.1:$LAB_PORT_MX time\|0\.[0-9]+\|s\|\|$"
}

@test "nagios WARNING: an expiring certificate, and --fail-on critical does not count it" {
	mon nagios --cafile "$HOSTILE_CA" --sni hostile.test -p "$HOSTILE_PORT_CERT_EXPIRING/starttls" 127.0.0.1
	assert_equal "$status" 1
	assert_regex "$(head -n 1 "$OUT")" "^SMTP-TLS WARNING - 127\.0\.0\.1:$HOSTILE_PORT_CERT_EXPIRING cert-expiring: .* \| "
	run parse_perfdata
	assert_line --index 0 "2 2"
	assert_line "127.0.0.1:$HOSTILE_PORT_CERT_EXPIRING cert_days|4||21..inf|0..inf"
	mon nagios --cafile "$HOSTILE_CA" --sni hostile.test --warn-days 3 -p "$HOSTILE_PORT_CERT_EXPIRING/starttls" 127.0.0.1
	assert_equal "$status" 0
	run parse_perfdata
	assert_line "127.0.0.1:$HOSTILE_PORT_CERT_EXPIRING cert_days|4||3..inf|0..inf"
	mon nagios --cafile "$HOSTILE_CA" --sni hostile.test --fail-on critical -p "$HOSTILE_PORT_CERT_EXPIRING/starttls" 127.0.0.1
	assert_equal "$status" 0
	assert_regex "$(head -n 1 "$OUT")" '^SMTP-TLS OK - 1 port of 1 target: 0 ok, 1 warning, 0 critical \| '
	assert_equal "$(sed -n 2p "$OUT")" "WARNING 127.0.0.1:$HOSTILE_PORT_CERT_EXPIRING starttls TLS1.3: cert-expiring"
}

@test "nagios CRITICAL: the worst finding on the status line, server text cannot break it" {
	mon nagios -p "$LAB_PORT_MX,$LAB_PORT_EXPIRED" 127.0.0.1
	assert_equal "$status" 2
	assert_regex "$(head -n 1 "$OUT")" "^SMTP-TLS CRITICAL - 127\.0\.0\.1:$LAB_PORT_EXPIRED cert-expired: "
	assert_equal "$(sed -n 3p "$OUT")" "CRITICAL 127.0.0.1:$LAB_PORT_EXPIRED starttls TLS1.3: cert-expired"
	run parse_perfdata
	assert_line --index 0 "4 4"
	# A greeting the hostile server makes up is on the status line,
	# escaped, with no '|' of its own.
	mon nagios --cafile "$HOSTILE_CA" -p "$HOSTILE_PORT_GREETING_421/starttls" 127.0.0.1
	assert_equal "$status" 2
	assert_equal "$(head -n 1 "$OUT" | tr -cd '|' | wc -c)" 1
	run parse_perfdata
	assert_line --index 0 "1 1"
}

@test "nagios UNKNOWN: bad usage exits 3 wherever the mistake is, other formats 2" {
	for args in "--format nagios --timeout x 127.0.0.1" "--timeout x --format nagios 127.0.0.1" \
	    "--bogus --format=nagios 127.0.0.1" "--format nagios" \
	    "--format nagios --baseline $BATS_TEST_TMPDIR/none.json 127.0.0.1"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$PROBE" $args
		assert_equal "$status" 3
		assert_output "SMTP-TLS UNKNOWN - bad usage or configuration (the message is on standard error)"
		[ -n "$stderr" ] || fail "no message for: $args"
	done
	run "$PROBE" --timeout x --format json 127.0.0.1
	assert_equal "$status" 2
	# The value of -o is not a --format.
	run "$PROBE" -o --format nagios --timeout x 127.0.0.1
	assert_equal "$status" 2
	# A bad -f line: the target is not probed, so the state is unknown.
	printf '127.0.0.1:%s\nnot a target\n' "$LAB_PORT_MX" >"$BATS_TEST_TMPDIR/targets"
	mon nagios -f "$BATS_TEST_TMPDIR/targets"
	assert_equal "$status" 3
	assert_regex "$(head -n 1 "$OUT")" '^SMTP-TLS UNKNOWN - 1 port of 2 targets: 1 ok, 0 warning, 0 critical; 1 target could not be probed \| '
	grep -q '^UNKNOWN .*line 2: target "not a target"' "$OUT" ||
	    fail "no UNKNOWN line for line 2: $(cat "$OUT")"
}

@test "README: the alert rules pass promtool check rules" {
	sed -n '/^<!-- alert-rules -->$/,/^```$/p' "$ROOT/README.md" | sed '1,2d;$d' >"$BATS_TEST_TMPDIR/rules.yml"
	grep -q 'smtp_probe_cert_expiry_timestamp_seconds - time() < 14 \* 86400' "$BATS_TEST_TMPDIR/rules.yml"
	grep -q 'smtp_probe_starttls_offered' "$BATS_TEST_TMPDIR/rules.yml"
	run promtool check rules "$BATS_TEST_TMPDIR/rules.yml"
	assert_success
	assert_output --partial "SUCCESS: 2 rules found"
}
