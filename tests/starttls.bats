#!/usr/bin/env bats
# STARTTLS against the lab Postfix: the dialogue, capabilities before and
# after TLS, AUTH only after TLS, and TLS parameters equal to gnutls-cli's.

setup() {
	load helpers/common
}

# gnutls_cli_description PORT - "(TLS1.3-X.509)-(ECDHE-X25519)-..."
# With the key-exchange groups in smtp-probe's order (X25519 first), so the
# server chooses among the same offers.
gnutls_cli_description() {
	(sleep 1; printf 'QUIT\r\n') | timeout 10 gnutls-cli \
	    --priority "NORMAL:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1" \
	    --starttls-proto=smtp --port "$1" --x509cafile "$LAB_CA" \
	    127.0.0.1 2>/dev/null | sed -n 's/^- Description: //p'
}

@test "MX port: exact banner, EHLO, STARTTLS 220, EHLO again inside TLS" {
	lab_probe "$LAB_PORT_MX"
	assert_equal "$status" 0
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .error)" null
	assert_equal "$(p .requested_mode)" auto
	assert_equal "$(p .mode)" starttls
	assert_equal "$(p .port)" "$LAB_PORT_MX"
	assert_equal "$(p .address)" 127.0.0.1
	assert_equal "$(p .banner.code)" 220
	assert_equal "$(p '.banner.lines | length')" 1
	assert_equal "$(p '.banner.lines[0]')" "$LAB_BANNER"
	assert_equal "$(p .ehlo.code)" 250
	assert_equal "$(p .ehlo.command)" EHLO
	assert_equal "$(p '.ehlo.lines[0]')" "$LAB_HOST"
	assert_equal "$(p '[.ehlo.capabilities[].keyword] | index("STARTTLS") != null')" true
	assert_equal "$(p '.ehlo.capabilities[] | select(.keyword == "SIZE") | .params[0]')" \
	    "$(postconf -c "$LAB_POSTFIX_CONFIG" -h message_size_limit)"
	assert_equal "$(p .starttls.offered)" true
	assert_equal "$(p .starttls.code)" 220
	assert_equal "$(p .starttls.text)" "2.0.0 Ready to start TLS"
	assert_equal "$(p .starttls.trailing_bytes)" 0
	assert_equal "$(p .ehlo_tls.code)" 250
	assert_equal "$(p '.ehlo_tls.lines[0]')" "$LAB_HOST"
	# STARTTLS is not offered again inside TLS (RFC 3207 4.2).
	assert_equal "$(p '[.ehlo_tls.capabilities[].keyword] | index("STARTTLS")')" null
	assert_equal "$(p '.auth.before_tls | length')" 0
	assert_equal "$(p '.auth.after_tls | length')" 0
	assert_equal "$(p .auth.only_after_tls)" false
	assert_equal "$(p .client_advice.tls)" starttls
	assert_equal "$(findings)" ""
}

@test "MX port: TLS version, cipher and group are what gnutls-cli negotiates" {
	lab_probe "$LAB_PORT_MX"
	desc=$(gnutls_cli_description "$LAB_PORT_MX")
	[ -n "$desc" ] || fail "gnutls-cli negotiated nothing"
	# (TLS1.3-X.509)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)
	version=$(sed 's/^(\([^-]*\)-.*/\1/' <<<"$desc")
	group=$(sed -n 's/.*(ECDHE-\([^)]*\)).*/\1/p' <<<"$desc")
	cipher=$(sed 's/.*-(\([^()]*\))$/\1/' <<<"$desc" | tr - _)
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p .tls.version)" "$version"
	assert_equal "$(p .tls.group)" "$group"
	assert_regex "$(p .tls.cipher)" "_${cipher}_"
	assert_equal "$(p .tls.alert)" null
	assert_equal "$(p .tls.error)" null
}

@test "submission port: AUTH is offered only after STARTTLS" {
	lab_probe "$LAB_PORT_SUBMISSION"
	assert_equal "$(p .mode)" starttls
	assert_equal "$(p '[.ehlo.capabilities[].keyword] | map(select(startswith("AUTH"))) | length')" 0
	assert_equal "$(p '.auth.before_tls | join(" ")')" ""
	assert_equal "$(p '.auth.after_tls | join(" ")')" "PLAIN LOGIN"
	assert_equal "$(p .auth.only_after_tls)" true
	assert_equal "$(findings)" ""
}

@test "plain port: AUTH in clear text and no STARTTLS are findings" {
	lab_probe "$LAB_PORT_PLAIN"
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .mode)" plain
	assert_equal "$(p .starttls.offered)" false
	assert_equal "$(p .starttls.code)" null
	assert_equal "$(p .tls)" null
	assert_equal "$(p '.certificates | length')" 0
	assert_equal "$(p '.auth.before_tls | join(" ")')" "PLAIN LOGIN"
	assert_equal "$(p '.auth.after_tls | length')" 0
	assert_equal "$(p .auth.only_after_tls)" false
	assert_equal "$(p .client_advice.tls)" none
	assert_equal "$(findings)" "auth-before-tls starttls-missing"
	assert_equal "$(p '.findings[] | select(.id == "auth-before-tls") | .severity')" critical
}

@test "plain mode never starts TLS even when STARTTLS is offered" {
	lab_probe "$LAB_PORT_MX/plain"
	assert_equal "$(p .requested_mode)" plain
	assert_equal "$(p .mode)" plain
	# Offered in clear text, never used.
	assert_equal "$(p .starttls.offered)" true
	assert_equal "$(p .starttls.code)" null
	assert_equal "$(p .tls)" null
	assert_equal "$(p .ehlo_tls)" null
	assert_equal "$(p '[.ehlo.capabilities[].keyword] | index("STARTTLS") != null')" true
}

@test "timings are recorded for every phase that ran" {
	lab_probe "$LAB_PORT_SUBMISSION"
	for phase in connect banner ehlo starttls handshake ehlo_tls total; do
		v=$(p ".timing_ms.$phase")
		[[ $v =~ ^[0-9]+$ ]] || fail "timing_ms.$phase is '$v'"
	done
	total=$(p .timing_ms.total)
	sum=$(p '[.timing_ms | .connect, .banner, .ehlo, .starttls, .handshake, .ehlo_tls] | add')
	[ "$sum" -le "$total" ] || fail "phases add up to $sum > total $total"
}

@test "--transcript records every line sent and received, with times" {
	lab_probe "$LAB_PORT_SUBMISSION" --transcript
	assert_equal "$(p '.transcript.truncated')" false
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "received")][0].text')" "220 $LAB_BANNER"
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent") | .text] | join("|")')" \
	    "EHLO client.lab.test|STARTTLS|EHLO client.lab.test|QUIT"
	assert_equal "$(p '[.transcript.lines[].ms] | . == sort')" true
	assert_equal "$(p '[.transcript.lines[] | select(.text == "250-AUTH PLAIN LOGIN")] | length')" 1
}

@test "without --transcript the report has no transcript" {
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(p 'has("transcript")')" false
}

@test "--ehlo names the client in EHLO" {
	lab_probe "$LAB_PORT_MX" --ehlo probe.example.org --transcript
	assert_equal "$(p '.transcript.lines[] | select(.dir == "sent") | .text' | head -n 1)" "EHLO probe.example.org"
	hostile_probe ECHO/starttls --ehlo probe.example.org
	assert_equal "$(p '.ehlo.lines[1]')" "X-EHLO-ARG probe.example.org"
	assert_equal "$(p '.ehlo_tls.lines[1]')" "X-EHLO-ARG probe.example.org"
}

@test "ports are probed at once: the run takes about the slowest one" {
	# POSTSCREEN greets after 6 s and SILENT never does (9 s to the
	# deadline); two fast lab ports run beside them.
	probe --cafile "$LAB_CA" --sni "$LAB_HOST" --timeout 9 \
	    -p "$LAB_PORT_MX,$LAB_PORT_SMTPS/implicit,$HOSTILE_PORT_POSTSCREEN/starttls,$HOSTILE_PORT_SILENT/starttls" \
	    127.0.0.1
	assert_equal "$(j '.targets[0].probes | length')" 4
	assert_equal "$(j '[.targets[0].probes[].outcome] | join(" ")')" "ok ok ok error"
	slowest=$(j '[.targets[0].probes[].timing_ms.total] | max')
	sum=$(j '[.targets[0].probes[].timing_ms.total] | add')
	[ "$sum" -ge 14000 ] || fail "the slow ports took only $sum ms together"
	duration=$(j .duration_ms)
	# One after another would take the sum, 14 s or more; at once, about
	# the slowest.
	[ "$duration" -lt $((slowest + 3000)) ] ||
	    fail "run took $duration ms for a slowest port of $slowest ms"
}

# flood_server FILE - a STARTTLS server that sends 8192 bytes of "x" in
# clear right after its 220 to STARTTLS, in the same write, then waits;
# its port goes to FILE
flood_server() {
	/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = s.accept(); f = c.makefile("rb")
c.sendall(b"220 flood.test ESMTP\r\n")
f.readline(); c.sendall(b"250-flood.test\r\n250 STARTTLS\r\n")
f.readline(); c.sendall(b"220 go ahead\r\n" + b"x" * 8192)
time.sleep(5)' "$1" &
	FLOOD_PID=$!
	for _ in $(seq 50); do [ -s "$1" ] && break; sleep 0.1; done
}

@test "plaintext flooding after the 220 to STARTTLS: all counted, 512 bytes shown" {
	flood_server "$BATS_TEST_TMPDIR/flood.port"
	probe --transcript --timeout 5 \
	    -p "$(cat "$BATS_TEST_TMPDIR/flood.port")/starttls" 127.0.0.1
	kill "$FLOOD_PID" 2>/dev/null || true
	# Two reads at least (RX_CHUNK is 4096), every byte counted ...
	assert_equal "$(p .starttls.trailing_bytes)" 8192
	# ... and STARTTLS_TRAILING_MAX of them, in all, in the transcript.
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "received") | .text | select(test("^x+$")) | length] | add')" 512
}
