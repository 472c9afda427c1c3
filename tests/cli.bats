#!/usr/bin/env bats
# The command line: formats, output, exit statuses, and bad usage (exit 2,
# a message naming the option, nothing probed).

setup() {
	load helpers/common
}

teardown() {
	[ -z "${NOBODY_DIR:-}" ] || rm -rf "$NOBODY_DIR"
}

# nobody_dir - NOBODY_DIR: a new directory under /tmp (whose parents the
# user nobody may enter, unlike bats' own) that nobody may read but not
# write; removed by teardown
nobody_dir() {
	NOBODY_DIR=$(mktemp -d /tmp/smtp-probe-cli.XXXXXX)
	chmod 755 "$NOBODY_DIR"
}

# usage_error ARGS... - exit 2, nothing on stdout, "smtp-probe: ..." on stderr
usage_error() {
	run --separate-stderr "$PROBE" "$@"
	assert_equal "$status" 2
	assert_equal "$output" ""
	assert_regex "$stderr" "^smtp-probe: "
}

@test "--help and --version" {
	run "$PROBE" --help
	assert_success
	assert_line --partial "usage: smtp-probe [OPTIONS] TARGET..."
	assert_line --partial "--fail-on SEV"
	run "$PROBE" -V
	assert_success
	assert_output --regexp '^smtp-probe [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "bad usage exits 2 naming the option" {
	usage_error
	assert_regex "$stderr" "no TARGET"
	usage_error --bogus 127.0.0.1
	assert_regex "$stderr" "unknown option --bogus"
	usage_error -p 0 127.0.0.1
	assert_regex "$stderr" "--ports"
	usage_error -p 25/tls 127.0.0.1
	assert_regex "$stderr" 'mode "tls"'
	usage_error -p 25,,587 127.0.0.1
	usage_error -p 70000 127.0.0.1
	usage_error --timeout abc 127.0.0.1
	assert_regex "$stderr" "--timeout"
	usage_error --timeout 0 127.0.0.1
	usage_error --connect-timeout -1 127.0.0.1
	usage_error --format xml 127.0.0.1
	assert_regex "$stderr" "--format"
	usage_error --fail-on fatal 127.0.0.1
	usage_error --warn-days x 127.0.0.1
	usage_error -j 0 127.0.0.1
	usage_error --cafile /nonexistent/ca.pem 127.0.0.1
	assert_regex "$stderr" "--cafile /nonexistent/ca.pem"
	usage_error --client-cert "$LAB_CERT_GOOD" 127.0.0.1
	assert_regex "$stderr" "go together"
	usage_error --sni "bad name" 127.0.0.1
	usage_error --ehlo "" 127.0.0.1
	usage_error "[::1" 
	usage_error "host:port"
	usage_error "bad_host!.example"
	usage_error --timeout
	assert_regex "$stderr" "needs a value"
}

@test "-f: an unreadable FILE, -f twice, or no target at all is exit 2" {
	usage_error -f "$BATS_TEST_TMPDIR/missing.txt" 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: -f $BATS_TEST_TMPDIR/missing.txt: No such file or directory"
	usage_error -f "$BATS_TEST_TMPDIR"
	assert_regex "$stderr" "^smtp-probe: -f $BATS_TEST_TMPDIR: Is a directory"
	echo 127.0.0.1 >"$BATS_TEST_TMPDIR/targets.txt"
	usage_error -f "$BATS_TEST_TMPDIR/targets.txt" -f "$BATS_TEST_TMPDIR/targets.txt"
	assert_regex "$stderr" "^smtp-probe: -f given twice"
	usage_error -f - -f "$BATS_TEST_TMPDIR/targets.txt"
	assert_regex "$stderr" "-f given twice"
	usage_error -f
	assert_regex "$stderr" "^smtp-probe: -f needs a value"
	usage_error -p 25
	assert_regex "$stderr" "^smtp-probe: no TARGET or -f FILE given"
	# A bad TARGET argument is still refused before anything is probed.
	usage_error -f "$BATS_TEST_TMPDIR/targets.txt" "bad!"
	assert_regex "$stderr" 'target "bad!"'
}

@test "-f: a file of comments and blank lines is accepted, and probes nothing" {
	printf '# nothing here\n\n   \n\t# indented\n' >"$BATS_TEST_TMPDIR/none.txt"
	probe -f "$BATS_TEST_TMPDIR/none.txt"
	assert_equal "$status" 0
	assert_equal "$(j '.targets | length')" 0
	run "$PROBE" --help
	assert_line --partial "-f FILE"
}

@test "--cafile without any certificate is a configuration error" {
	echo "not a certificate" >"$BATS_TEST_TMPDIR/empty.pem"
	usage_error --cafile "$BATS_TEST_TMPDIR/empty.pem" -p "$LAB_PORT_MX" 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: --cafile $BATS_TEST_TMPDIR/empty.pem: not PEM"
}

@test "the report's header: schema version, tool, time, duration" {
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(j .schema_version)" 1
	assert_equal "$(j .tool.name)" smtp-probe
	assert_equal "$(j .tool.version)" "$("$PROBE" --version | cut -d' ' -f2)"
	gnutls=$(gnutls-cli --version | sed -n 's/^gnutls-cli \([0-9.]*\).*/\1/p')
	assert_equal "$(j .tool.tls_library)" "GnuTLS $gnutls"
	started=$(date -u -d "$(j .started_at)" +%s)
	now=$(date -u +%s)
	((now - started >= 0 && now - started < 60)) ||
	    fail "started_at is $((now - started)) s ago"
	assert_regex "$(j .duration_ms)" '^[0-9]+$'
	assert_equal "$(j '.targets[0].host')" 127.0.0.1
}

@test "-o writes the report to a file and nothing to stdout" {
	run "$PROBE" --cafile "$LAB_CA" -p "$LAB_PORT_MX" -o "$BATS_TEST_TMPDIR/out.json" 127.0.0.1
	assert_success
	assert_output ""
	"$VALIDATE" "$BATS_TEST_TMPDIR/out.json"
	assert_equal "$(jq -r '.targets[0].probes[0].banner.lines[0]' "$BATS_TEST_TMPDIR/out.json")" "$LAB_BANNER"
}

@test "a report that cannot be written exits 3" {
	run bash -c "'$PROBE' -p '$LAB_PORT_MX' 127.0.0.1 >/dev/full"
	assert_equal "$status" 3
}

@test "-o that can never be written is bad usage naming -o, before any probe" {
	# The hostile server's SILENT port never greets: a probe of it would
	# take the whole --timeout, so a quick exit 2 means nothing was probed.
	for out in "$BATS_TEST_TMPDIR" /nonexistent/dir/out.json /etc/hostname/x ""; do
		start=$(date +%s%N)
		usage_error --timeout 20 -p "$HOSTILE_PORT_SILENT/starttls" -o "$out" 127.0.0.1
		elapsed_ms=$((($(date +%s%N) - start) / 1000000))
		((elapsed_ms < 5000)) || fail "-o '$out': exit 2 after $elapsed_ms ms"
		assert_regex "$stderr" "^smtp-probe: -o"
	done
	usage_error -p 25 -o "$BATS_TEST_TMPDIR" 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: -o $BATS_TEST_TMPDIR: is a directory"
	usage_error -p 25 -o /nonexistent/dir/out.json 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: -o /nonexistent/dir/out.json: its directory does not exist"
	usage_error -p 25 -o /etc/hostname/x 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: -o /etc/hostname/x: a part of the path is not a directory"
	[ ! -e /nonexistent/dir ] || fail "a directory was made"
}

@test "-o in a directory or on a file the user may not write is bad usage" {
	# root may write anywhere: the user without rights is nobody, in a
	# directory that nobody may enter but not write.
	nobody_dir
	dir=$NOBODY_DIR
	echo keep >"$dir/existing.json"
	chmod 644 "$dir/existing.json"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$PROBE" -p 25 -o "$dir/new.json" 127.0.0.1
	assert_equal "$status" 2
	assert_regex "$stderr" "^smtp-probe: -o $dir/new.json: cannot be created there: permission denied"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$PROBE" -p 25 -o "$dir/existing.json" 127.0.0.1
	assert_equal "$status" 2
	assert_regex "$stderr" "^smtp-probe: -o $dir/existing.json: cannot be written: permission denied"
	assert_equal "$(cat "$dir/existing.json")" keep
	[ ! -e "$dir/new.json" ] || fail "new.json was created"
}

@test "json is the default when stdout is not a terminal" {
	run --separate-stderr "$PROBE" --cafile "$LAB_CA" -p "$LAB_PORT_MX" 127.0.0.1
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/r.json"
	"$VALIDATE" "$BATS_TEST_TMPDIR/r.json"
}

@test "--format ndjson writes one target per line" {
	run --separate-stderr "$PROBE" --format ndjson --cafile "$LAB_CA" \
	    -p "$LAB_PORT_MX" 127.0.0.1 "localhost:$LAB_PORT_SUBMISSION"
	assert_success
	assert_equal "${#lines[@]}" 2
	echo "$output" >"$BATS_TEST_TMPDIR/r.ndjson"
	"$VALIDATE" --ndjson "$BATS_TEST_TMPDIR/r.ndjson"
	hosts=$(jq -r .host "$BATS_TEST_TMPDIR/r.ndjson" | sort | tr '\n' ' ')
	assert_equal "$hosts" "127.0.0.1 localhost:$LAB_PORT_SUBMISSION "
}

@test "--format text for people, without colour when not a terminal" {
	run "$PROBE" --format text --cafile "$LAB_CA" --sni "$LAB_HOST" -p "$LAB_PORT_SUBMISSION" 127.0.0.1
	assert_success
	assert_line --partial "banner    220 $LAB_BANNER"
	assert_line --partial "port $LAB_PORT_SUBMISSION (127.0.0.1)  mode starttls"
	assert_line --partial "auth      before TLS: none; after TLS: PLAIN LOGIN"
	assert_line --partial "verify    trusted, name ok, chain complete"
	refute_output --partial $'\033'
}

@test "a port in TARGET replaces the port list" {
	probe --cafile "$LAB_CA" -p 1,2,3 "127.0.0.1:$LAB_PORT_MX"
	assert_equal "$(j '.targets[0].probes | length')" 1
	assert_equal "$(p .port)" "$LAB_PORT_MX"
	assert_equal "$(j '.targets[0].host')" "127.0.0.1:$LAB_PORT_MX"
	probe --cafile "$LAB_CA" "127.0.0.1:$LAB_PORT_SMTPS/implicit"
	assert_equal "$(p .mode)" implicit
}

@test "IPv6 literal with brackets: a closed port is connect-failed, not a crash" {
	probe --connect-timeout 2 "[::1]:1"
	assert_equal "$status" 0
	assert_equal "$(p .port)" 1
	assert_equal "$(p .error.phase)" connect
	assert_equal "$(findings)" connect-failed
}

@test "a name that does not resolve: one probe per port, each a resolve error" {
	# Names come from /etc/hosts alone, in namespaces of the test's own:
	# no DNS query leaves the machine.
	unshare -m -n true 2>/dev/null || skip "namespaces are not available"
	PROBE_PREFIX="unshare -m -n $ROOT/tests/helpers/hosts-only"
	probe -p 25,587 does-not-exist.invalid
	assert_regex "$(p .error.message)" "^the name does-not-exist.invalid does not resolve"
	assert_equal "$status" 0
	assert_equal "$(j '.targets[0].probes | length')" 2
	assert_equal "$(p .address)" null
	assert_equal "$(p .error.phase)" resolve
	assert_equal "$(p .error.kind)" dns
	assert_equal "$(p .mode)" unknown
	assert_equal "$(findings 1)" connect-failed
}

@test "--fail-on: exit 1 only when a finding reaches the threshold" {
	lab_probe "$LAB_PORT_EXPIRED" --fail-on critical
	assert_equal "$status" 1
	lab_probe "$LAB_PORT_MX" --fail-on info
	assert_equal "$status" 0
	lab_probe "$LAB_PORT_PLAIN" --fail-on warning
	assert_equal "$status" 1
	lab_probe "$LAB_PORT_PLAIN"
	assert_equal "$status" 0
	# Findings below the threshold do not count.
	hostile_probe CERT_EXPIRING/starttls --fail-on critical
	assert_equal "$(findings)" cert-expiring
	assert_equal "$status" 0
	hostile_probe CERT_EXPIRING/starttls --fail-on warning
	assert_equal "$status" 1
}

@test "--client-cert and --client-key: the server sees the certificate" {
	probe --cafile "$HOSTILE_CA" --sni hostile.test \
	    --client-cert "$HOSTILE_CLIENT_CERT" --client-key "$HOSTILE_CLIENT_KEY" \
	    -p "$HOSTILE_PORT_CLIENT_CERT/starttls" 127.0.0.1
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p '.ehlo_tls.lines[1]')" "X-CLIENT-CERT probe-client.test"
	probe --cafile "$HOSTILE_CA" --sni hostile.test \
	    -p "$HOSTILE_PORT_CLIENT_CERT/starttls" 127.0.0.1
	assert_equal "$(p '.ehlo_tls.lines[1]')" "X-CLIENT-CERT none"
}

@test "a client certificate that does not match its key is a configuration error" {
	key=$(dirname "$HOSTILE_CA")/leaf.key
	# Independently: the two public keys differ.
	[ "$(openssl x509 -noout -pubkey -in "$HOSTILE_CLIENT_CERT")" != \
	    "$(openssl pkey -pubout -in "$key")" ] || fail "the key matches"
	usage_error --client-cert "$HOSTILE_CLIENT_CERT" \
	    --client-key "$key" -p "$LAB_PORT_MX" 127.0.0.1
	assert_equal "$stderr" "smtp-probe: --client-key $key does not match --client-cert $HOSTILE_CLIENT_CERT: they are not one key pair"
}

@test "--client-cert and --client-key: each bad file is named, with what is wrong" {
	d=$BATS_TEST_TMPDIR
	echo "just text" >"$d/text.pem"
	openssl x509 -in "$HOSTILE_CLIENT_CERT" -outform der -out "$d/cert.der"
	key=$HOSTILE_CLIENT_KEY cert=$HOSTILE_CLIENT_CERT
	openssl pkey -in "$key" -aes256 -passout pass:secret -out "$d/enc.key"
	cc() { usage_error --client-cert "$1" --client-key "$2" -p 25 127.0.0.1; }
	cc "$d/missing.pem" "$key"
	assert_equal "$stderr" "smtp-probe: --client-cert $d/missing.pem: no such file
Try 'smtp-probe --help' for more information."
	cc "$cert" "$d"
	assert_regex "$stderr" "^smtp-probe: --client-key $d: is a directory, not a file"
	cc "$d/cert.der" "$key"
	assert_regex "$stderr" "^smtp-probe: --client-cert $d/cert.der: not PEM: no \"-----BEGIN\" line"
	cc "$key" "$key"
	assert_regex "$stderr" "^smtp-probe: --client-cert $key: PEM, but no certificate in it"
	cc "$cert" "$d/text.pem"
	assert_regex "$stderr" "^smtp-probe: --client-key $d/text.pem: not PEM"
	cc "$cert" "$cert"
	assert_regex "$stderr" "^smtp-probe: --client-key $cert: PEM, but no private key in it"
	cc "$cert" "$d/enc.key"
	assert_regex "$stderr" "^smtp-probe: --client-key $d/enc.key: the private key in it is encrypted"
	# Not readable by a user without rights (root reads everything).
	nobody_dir
	d=$NOBODY_DIR
	cp "$cert" "$d/secret.pem" && chmod 600 "$d/secret.pem"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$PROBE" --cafile "$d/secret.pem" -p 25 127.0.0.1
	assert_equal "$status" 2
	assert_regex "$stderr" "^smtp-probe: --cafile $d/secret.pem: permission denied"
}

@test "--cafile: a missing file, a directory, not PEM, no certificate" {
	d=$BATS_TEST_TMPDIR
	openssl x509 -in "$LAB_CA" -outform der -out "$d/ca.der"
	usage_error --cafile "$d/none.pem" -p 25 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: --cafile $d/none.pem: no such file"
	usage_error --cafile "$d" -p 25 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: --cafile $d: is a directory, not a file"
	usage_error --cafile "$d/ca.der" -p 25 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: --cafile $d/ca.der: not PEM: no \"-----BEGIN\" line"
	usage_error --cafile "$HOSTILE_CLIENT_KEY" -p 25 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: --cafile $HOSTILE_CLIENT_KEY: PEM, but no certificate in it"
}

@test "error messages escape control characters from the command line" {
	usage_error --format $'x\e]0;owned\a\e[31mred\nsmtp-probe: forged' 127.0.0.1
	# One line of message and one of hint: the newline did not forge one.
	assert_equal "$(wc -l <<<"$stderr")" 2
	assert_equal "${stderr%%: use *}" 'smtp-probe: --format "x\x1b]0;owned\x07\x1b[31mred\x0asmtp-probe: forged"'
	usage_error --cafile $'/no/\e[2Jfile' 127.0.0.1
	assert_equal "${stderr%%$'\n'*}" 'smtp-probe: --cafile /no/\x1b[2Jfile: no such file'
	usage_error -o $'/no/\rdir/x' 127.0.0.1
	assert_regex "$stderr" '^smtp-probe: -o /no/\\x0ddir/x: its directory'
	usage_error $'bad\ehost!' 
	[[ $stderr != *$'\e'* ]] || fail "an ESC reached stderr"
	assert_regex "$stderr" 'bad\\x1bhost!'
	# -f lines are quoted in the report, escaped there; the file name here.
	usage_error -f $'/no/\e[1mfile'
	assert_regex "$stderr" '^smtp-probe: -f /no/\\x1b\[1mfile'
}

@test "out of memory at any allocation: exit 3, one line, no crash" {
	# XALLOC_FAIL_AT=N fails the Nth allocation; the run makes a few
	# hundred, so every tenth up to 600 covers each stage.
	for n in $(seq 1 10 600); do
		run --separate-stderr env XALLOC_FAIL_AT="$n" "$PROBE" \
		    --cafile "$LAB_CA" -p "$LAB_PORT_SUBMISSION" 127.0.0.1
		if [ "$status" -eq 0 ]; then
			break
		fi
		# The report streams, so what was written before the failure
		# stays written; the exit status and stderr say it is cut.
		assert_equal "$status" 3
		assert_regex "$stderr" "^smtp-probe: out of memory"
	done
	# The loop ended with a complete run, after failures at every stage.
	assert_equal "$status" 0
	[ "$n" -gt 100 ] || fail "only $n allocations"
	echo "$output" >"$BATS_TEST_TMPDIR/r.json"
	"$VALIDATE" "$BATS_TEST_TMPDIR/r.json"
	assert_equal "$(jq -r '.targets[0].probes[0].banner.lines[0]' "$BATS_TEST_TMPDIR/r.json")" "$LAB_BANNER"
}

@test "a configuration error leaves an existing -o file alone" {
	echo keep >"$BATS_TEST_TMPDIR/out"
	echo "not a certificate" >"$BATS_TEST_TMPDIR/empty.pem"
	run "$PROBE" --cafile "$BATS_TEST_TMPDIR/empty.pem" -o "$BATS_TEST_TMPDIR/out" 127.0.0.1
	assert_equal "$status" 2
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" keep
}

@test "--ehlo with an address sends an address literal" {
	lab_probe "$LAB_PORT_MX" --ehlo 192.0.2.1 --transcript
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent")][0].text')" "EHLO [192.0.2.1]"
	lab_probe "$LAB_PORT_MX" --ehlo ::1 --transcript
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent")][0].text')" "EHLO [IPv6:::1]"
	# What the server received, as it says it.
	hostile_probe ECHO/starttls --ehlo ::1
	assert_equal "$(p '.ehlo.lines[1]')" "X-EHLO-ARG [IPv6:::1]"
	hostile_probe ECHO/starttls --ehlo 192.0.2.7
	assert_equal "$(p '.ehlo.lines[1]')" "X-EHLO-ARG [192.0.2.7]"
	assert_equal "$(p '.ehlo_tls.lines[1]')" "X-EHLO-ARG [192.0.2.7]"
}

@test "an unknown short option in a group is named" {
	usage_error -vZ 127.0.0.1
	assert_regex "$stderr" "unknown option -Z"
}

@test "a value given to an option that takes none is named" {
	usage_error --pem=yes 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: --pem takes no value"
	usage_error --verbose=2 127.0.0.1
	assert_regex "$stderr" "^smtp-probe: --verbose takes no value"
}

@test "numbers are plain decimals" {
	usage_error --timeout 0x10 127.0.0.1
	assert_regex "$stderr" '--timeout "0x10"'
	usage_error --timeout " 5" 127.0.0.1
	usage_error --timeout 1e1 127.0.0.1
	usage_error -j +3 127.0.0.1
	assert_regex "$stderr" '--jobs "\+3"'
	usage_error --warn-days " 7" 127.0.0.1
}

@test "a port listed twice is a usage error" {
	usage_error -p 25,587,25 127.0.0.1
	assert_regex "$stderr" "port 25 is listed twice"
	usage_error -p 25/starttls,25/implicit 127.0.0.1
	assert_regex "$stderr" "port 25 is listed twice"
}

@test "a bad port in a TARGET names the target" {
	usage_error 127.0.0.1:
	assert_regex "$stderr" 'target "127.0.0.1:": give one port'
	usage_error "[::1]:"
	assert_regex "$stderr" 'target "\[::1\]:": give one port'
	usage_error 127.0.0.1:25,587
	assert_regex "$stderr" 'target "127.0.0.1:25,587": give one port'
	usage_error 127.0.0.1:0
	assert_regex "$stderr" 'target "127.0.0.1:0": .*not a port number'
}

@test "a shortened IPv4 address is refused, not resolved as a name" {
	usage_error -p "$LAB_PORT_MX" 127.1
	assert_regex "$stderr" 'target "127.1": write the IPv4 address in full'
	usage_error -p "$LAB_PORT_MX" 2130706433
	assert_regex "$stderr" "in full"
}

@test "--sni takes a host name, never an address" {
	usage_error --sni 127.0.0.1 -p "$LAB_PORT_MX" 127.0.0.1
	assert_regex "$stderr" '--sni "127.0.0.1": SNI carries a host name'
	usage_error --sni "[::1]" -p "$LAB_PORT_MX" 127.0.0.1
	usage_error --sni ::1 -p "$LAB_PORT_MX" 127.0.0.1
}

@test "a closed standard output is a tool failure, not a lost report" {
	run bash -c "'$PROBE' -p '$LAB_PORT_MX' 127.0.0.1 >&-"
	assert_equal "$status" 3
	assert_output --partial "standard output is closed"
	run bash -c "'$PROBE' -p '$LAB_PORT_MX' -o '$BATS_TEST_TMPDIR/r.json' 127.0.0.1 >&-"
	assert_success
	"$VALIDATE" "$BATS_TEST_TMPDIR/r.json"
	assert_equal "$(jq -r '.targets[0].probes[0].banner.lines[0]' "$BATS_TEST_TMPDIR/r.json")" "$LAB_BANNER"
	run bash -c "'$PROBE' --version >&-"
	assert_equal "$status" 3
	run bash -c "'$PROBE' --version >/dev/full"
	assert_equal "$status" 3
	run bash -c "'$PROBE' --help >/dev/full"
	assert_equal "$status" 3
}

@test "more probes than file descriptors: they wait their turn, none fails" {
	targets=$(printf "127.0.0.1 %.0s" $(seq 30))
	run bash -c "ulimit -n 24 && '$PROBE' --cafile '$LAB_CA' -j 64 -p '$LAB_PORT_MX' $targets >'$BATS_TEST_TMPDIR/r.json'"
	assert_success
	"$VALIDATE" "$BATS_TEST_TMPDIR/r.json"
	assert_equal "$(jq '[.targets[].probes[] | select(.outcome == "ok")] | length' "$BATS_TEST_TMPDIR/r.json")" 30
}
