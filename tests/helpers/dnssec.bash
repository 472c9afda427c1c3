# dnssec.bash - loaded by the tests that need DNSSEC: the signed test zone
# of tests/servers/dnssec.sh (knot behind a validating unbound), with TLSA
# records for the lab Postfix's ports, and the digests they are made of,
# computed with openssl (never with smtp-probe or GnuTLS).

# spki_sha PEM BITS - SHA-BITS of the certificate's SubjectPublicKeyInfo
spki_sha() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
	    openssl dgst "-sha$2" -r | cut -d' ' -f1
}

# cert_sha PEM BITS - SHA-BITS of the whole certificate (DER)
cert_sha() {
	openssl x509 -in "$1" -outform DER | openssl dgst "-sha$2" -r |
	    cut -d' ' -f1
}

# lab_tlsa - zone lines (lab.test) for the lab's ports: what matches and
# what does not, as tests/dane.bats describes; EXTRA_ZONE_LINES appended
lab_tlsa() {
	local good inter inter512 expired zero
	good=$(spki_sha "$LAB_CERT_GOOD" 256)
	inter=$(cert_sha "$LAB_CERT_INTER" 256)
	inter512=$(spki_sha "$LAB_CERT_INTER" 512)
	expired=$(spki_sha "$LAB_CERT_EXPIRED" 256)
	zero=$(printf '0%.0s' $(seq 64))
	printf '%s\n' "@ MX 10 mail" "two A 127.0.0.1" "two AAAA ::1" \
	    "_$LAB_PORT_MX._tcp.mail TLSA 3 1 1 $good" \
	    "_$LAB_PORT_SUBMISSION._tcp.mail TLSA 2 0 1 $inter" \
	    "_$LAB_PORT_SMTPS._tcp.mail TLSA 2 1 2 $inter512" \
	    "_$LAB_PORT_EXPIRED._tcp.mail TLSA 3 1 1 $expired" \
	    "_$LAB_PORT_WRONGNAME._tcp.mail TLSA 2 0 1 $inter" \
	    "_$LAB_PORT_NOINTER._tcp.mail TLSA 2 0 1 $inter" \
	    "_$LAB_PORT_MX._tcp.other TLSA 3 1 1 $zero" \
	    "_$LAB_PORT_MX._tcp.other TLSA 1 1 1 $good" \
	    "_$LAB_PORT_SUBMISSION._tcp.other TLSA 2 0 1 $inter" \
	    "_$LAB_PORT_MX._tcp.two TLSA 3 1 1 $good" "slow A 127.0.0.1" \
	    "_$LAB_PORT_PLAIN._tcp.slow CNAME x.dead.test."
	[[ -z ${EXTRA_ZONE_LINES:-} ]] || printf '%s\n' "$EXTRA_ZONE_LINES"
}

# dnssec_start DIR - the servers, files in DIR, on a free port; sets
# DNSSEC_SERVER and DNSSEC_PORT. bogus.test and insecure.test carry a
# 3 1 1 of the lab's leaf for its MX port.
dnssec_start() {
	local dir=$1 good
	mkdir -p "$dir"
	lab_tlsa >"$dir/lab.zone"
	good=$(spki_sha "$LAB_CERT_GOOD" 256)
	for _ in 1 2 3 4 5; do
		DNSSEC_PORT=$((20000 + (RANDOM % 120) * 100 + 80)) \
		    DNSSEC_ZONE_FILE="$dir/lab.zone" \
		    DNSSEC_BOGUS_LINES="_$LAB_PORT_MX._tcp.mail TLSA 3 1 1 $good" \
		    DNSSEC_INSECURE_LINES="_$LAB_PORT_MX._tcp.mail TLSA 3 1 1 $good" \
		    "$ROOT/tests/servers/dnssec.sh" start "$dir" \
		    >"$dir/start.log" 2>&1 && break
		"$ROOT/tests/servers/dnssec.sh" stop "$dir" >/dev/null 2>&1 || true
	done
	[ -f "$dir/dnssec.env" ] || fail "dnssec.sh: $(cat "$dir/start.log")"
	# shellcheck disable=SC1091
	. "$dir/dnssec.env"
}

# dnssec_stop DIR - safe to repeat
dnssec_stop() {
	"$ROOT/tests/servers/dnssec.sh" stop "$1" >/dev/null 2>&1 || true
}

# dane_probe HOST PORT[/MODE] [ARGS...] - probe HOST through the validating
# resolver with --dane and the lab's CA
dane_probe() {
	local host=$1 port=$2
	shift 2
	probe --dane --resolver "$DNSSEC_SERVER" --cafile "$LAB_CA" \
	    --connect-timeout 3 -p "$port" "$@" "$host"
}
