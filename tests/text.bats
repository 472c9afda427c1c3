#!/usr/bin/env bats
# The text report for people: what it says about TLS and names, where it
# gives client advice, and how it wraps (the terminal's width, else
# COLUMNS, else whole lines for pipes) without letting server bytes
# through unescaped.

setup() {
	load helpers/common
}

# widest FILE - the widest line of FILE, in characters
widest() {
	LC_ALL=C.UTF-8 awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$1"
}

@test "a server that asks for a client certificate: the text says so" {
	text_probe --cafile "$HOSTILE_CA" --sni hostile.test -p "$HOSTILE_PORT_CLIENT_CERT/starttls" 127.0.0.1
	grep -qE '^ +tls +TLS1\.[23] .*; client certificate requested$' "$TEXT" ||
	    fail "$(cat "$TEXT")"
	hostile_probe CLIENT_CERT/starttls
	assert_equal "$(p .tls.client_certificate_requested)" true
	text_probe --cafile "$HOSTILE_CA" --sni hostile.test -p "$HOSTILE_PORT_STARTTLS_OK/starttls" 127.0.0.1
	! grep -q "client certificate" "$TEXT" || fail "$(cat "$TEXT")"
}

@test "a name mismatch names the name checked and the names the certificate holds" {
	sans=$(openssl x509 -in "$LAB_CERT_WRONGNAME" -noout -ext subjectAltName |
	    sed -n 's/^ *\(DNS:\)/\1/p')
	assert_equal "$sans" "DNS:other.example.net"
	lab_probe "$LAB_PORT_WRONGNAME"
	msg=$(p '.findings[] | select(.id == "cert-hostname-mismatch") | .message')
	[[ $msg == *"not valid for \"$LAB_HOST\", the name checked"* ]] || fail "$msg"
	[[ $msg == *"it holds $sans."* ]] || fail "$msg"
}

@test "an expired certificate reads expired N days ago" {
	end=$(openssl x509 -enddate -noout -in "$LAB_CERT_EXPIRED" | cut -d= -f2)
	days=$((($(date +%s) - $(date -d "$end" +%s)) / 86400 + 1))
	text_probe --cafile "$LAB_CA" --sni "$LAB_HOST" -p "$LAB_PORT_EXPIRED" 127.0.0.1
	grep -qF "(expired $days days ago)" "$TEXT" || fail "$(cat "$TEXT")"
	grep -qF "expired $days days ago. Renew it" "$TEXT" || fail "$(cat "$TEXT")"
	! grep -q "days left).*expired\|(-[0-9]* days left)" "$TEXT" || fail "$(cat "$TEXT")"
}

@test "an IP target without --sni: the name was not checked, and the text says so" {
	probe --cafile "$LAB_CA" -p "$LAB_PORT_MX" 127.0.0.1
	assert_equal "$(j '.targets[0].sni')" null
	assert_equal "$(p .verification.hostname_match)" null
	text_probe --cafile "$LAB_CA" -p "$LAB_PORT_MX" 127.0.0.1
	grep -qE '^ +verify +trusted, name NOT CHECKED \(no name to check it against: give --sni NAME\)' "$TEXT" ||
	    fail "$(cat "$TEXT")"
	text_probe --cafile "$LAB_CA" --sni "$LAB_HOST" -p "$LAB_PORT_MX" 127.0.0.1
	grep -qE '^ +verify +trusted, name ok' "$TEXT" || fail "$(cat "$TEXT")"
}

@test "plain mode on a port that offers STARTTLS: no 'until the findings are fixed' without findings" {
	lab_probe "$LAB_PORT_SUBMISSION/plain"
	assert_equal "$(p .starttls.offered)" true
	assert_equal "$(findings)" ""
	advice=$(p .client_advice.text)
	[[ $advice == *"plain mode"*"offers STARTTLS"* ]] || fail "$advice"
	[[ $advice != *findings* ]] || fail "$advice"
	text_probe --cafile "$LAB_CA" --sni "$LAB_HOST" -p "$LAB_PORT_SUBMISSION/plain" 127.0.0.1
	! grep -q "until the findings are fixed" "$TEXT" || fail "$(cat "$TEXT")"
}

@test "client advice where clients go: AUTH offered, not an MX port without it" {
	text_probe --cafile "$LAB_CA" --sni "$LAB_HOST" -p "$LAB_PORT_MX" 127.0.0.1
	! grep -qE '^ +advice ' "$TEXT" || fail "$(cat "$TEXT")"
	# The JSON report keeps it for every port.
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(p .client_advice.tls)" starttls
	text_probe --cafile "$LAB_CA" --sni "$LAB_HOST" -p "$LAB_PORT_SUBMISSION" 127.0.0.1
	grep -qE '^ +advice +Use STARTTLS' "$TEXT" || fail "$(cat "$TEXT")"
}

# words FILE - the text of FILE with line breaks and runs of blanks as one
# space, and the times (which differ from run to run) left out
words() {
	tr -s ' \n' '  ' <"$1" | sed -E 's/ [0-9]+ ms//g'
}

@test "COLUMNS wraps text with a hanging indent; a pipe without it gets whole lines" {
	args=(--cafile "$HOSTILE_CA" --sni wrong.test -p "$HOSTILE_PORT_PLAIN_ON_IMPLICIT/starttls" 127.0.0.1)
	text_probe "${args[@]}"
	[ "$(widest "$TEXT")" -gt 200 ] || fail "a pipe got wrapped lines: $(cat "$TEXT")"
	whole=$(words "$TEXT")
	TEXT_COLUMNS=60 text_probe "${args[@]}"
	[ "$(widest "$TEXT")" -le 60 ] || fail "$(cat "$TEXT")"
	[ "$(widest "$TEXT")" -gt 50 ] || fail "$(cat "$TEXT")"
	# Continuations hang under the value column (19), a finding's under
	# its message (28); every other line is a header, a port or a label.
	grep -qE '^ {19}[^ ]' "$TEXT" || fail "$(cat "$TEXT")"
	grep -qE '^ {28}[^ ]' "$TEXT" || fail "$(cat "$TEXT")"
	run grep -vE '^([^ ]|  \[| {9}[a-z]| {19}[^ ]| {28}[^ ]|$)' "$TEXT"
	assert_output ""
	# Nothing is lost or changed: only where the lines break.
	assert_equal "$(words "$TEXT")" "$whole"
}

@test "a terminal's own width wins, and wrapped server bytes stay escaped" {
	run script -qec "stty cols 64; COLUMNS=200 NO_COLOR=1 '$PROBE' --timeout 5 -p '$HOSTILE_PORT_CONTROL_CHARS/starttls' 127.0.0.1" /dev/null
	assert_success
	out=$BATS_TEST_TMPDIR/tty.txt
	printf '%s\n' "$output" | tr -d '\r' >"$out"
	[ "$(widest "$out")" -le 64 ] || fail "$(cat "$out")"
	[ "$(wc -l <"$out")" -gt 12 ] || fail "not wrapped: $(cat "$out")"
	bytes=" $(od -An -tx1 "$out" | tr -s ' \n' ' ') "
	for byte in 00 01 07 08 1b 7f; do
		[[ $bytes != *" $byte "* ]] || fail "raw byte 0x$byte in the text report"
	done
	grep -qF '\x1b[2J' "$out" || fail "$(cat "$out")"
}
