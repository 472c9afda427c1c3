#!/usr/bin/env bash
# tlsd-pki.sh DIR - the throwaway PKI and OCSP responses tlsd serves in the
# tests, made with openssl (and faketime for the expired response):
#
#   DIR/root.pem            the trust anchor (--cafile)
#   DIR/inter.pem           an intermediate CA; it issues both leaves
#   DIR/aia.pem, aia.key    leaf for tlsd.test with an OCSP responder URL
#                           (Authority Information Access), chain included
#   DIR/noaia.pem, .key     leaf for tlsd.test without one, chain included
#   DIR/staple.pem, .key    leaf with an OCSP URL and the TLS Feature
#                           extension status_request (must-staple, RFC 7633)
#   DIR/responder.pem       the intermediate's delegated OCSP signer
#   DIR/good.der            "good" for aia.pem, next update in 7 days
#   DIR/revoked.der         "revoked" for revoked.pem (serial in the index)
#   DIR/revoked.pem, .key   a leaf like aia.pem, revoked in the index
#   DIR/expired.der         "good" for aia.pem, made 10 days ago with a
#                           next update 3 days ago
#   DIR/rogue.der           "good" for aia.pem, signed by a key nobody
#                           certified (does not verify)
#   DIR/rogue-revoked.der   "revoked" for revoked.pem, signed likewise
#
# Certificates are made 30 days in the past (faketime) so that the expired
# response falls inside their validity.
set -euo pipefail

dir=$1
mkdir -p "$dir"
cd "$dir"

ago() { faketime -f "-$1" "${@:2}"; }

ca_url=URI:http://ca.tlsd.test/i.der
ocsp_url=URI:http://ocsp.tlsd.test/

# leaf SECTION EXTRA... - a server certificate's extensions
leaf() {
	printf '[%s]\nbasicConstraints = CA:false\n' "$1"
	printf 'keyUsage = critical, digitalSignature, keyEncipherment\n'
	printf 'extendedKeyUsage = serverAuth\n'
	printf 'subjectAltName = DNS:tlsd.test, IP:127.0.0.1\n'
	printf '%s\n' "${@:2}"
}
{
	printf '[ca]\nbasicConstraints = critical, CA:true\n'
	printf 'keyUsage = critical, keyCertSign, cRLSign\n'
	leaf leaf
	# caIssuers first: a client must look past it for the OCSP URL.
	leaf aia "authorityInfoAccess = caIssuers;$ca_url, OCSP;$ocsp_url"
	leaf staple "authorityInfoAccess = OCSP;$ocsp_url" \
	    'tlsfeature = status_request'
	printf '[responder]\nbasicConstraints = CA:false\n'
	printf 'keyUsage = critical, digitalSignature\n'
	printf 'extendedKeyUsage = critical, OCSPSigning\n'
} >ext.cnf

# key NAME - a P-256 key
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$1.key" 2>/dev/null; }

# cert NAME CN ISSUER SECTION SERIAL - NAME.pem signed by ISSUER
cert() {
	key "$1"
	openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
	ago 30d openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" \
	    -set_serial "0x$5" -days 365 -extfile ext.cnf -extensions "$4" \
	    -sha256 -out "$1.pem" 2>/dev/null
}

key root
ago 30d openssl req -x509 -new -key root.key -subj "/CN=tlsd Test Root" \
    -days 3650 -config ext.cnf -extensions ca -sha256 -out root.pem
cert inter "tlsd Test Intermediate" root ca 1001
cert aia tlsd.test inter aia 2001
cert noaia tlsd.test inter leaf 2002
cert staple tlsd.test inter staple 2003
cert revoked tlsd.test inter aia 2004
cert responder "tlsd OCSP Responder" inter responder 2005
# A responder nobody certified: its signatures cannot verify.
key rogue
ago 30d openssl req -x509 -new -key rogue.key -subj "/CN=tlsd Rogue" \
    -days 365 -sha256 -out rogue.pem

# The chains tlsd sends: leaf, then intermediate.
for c in aia noaia staple revoked; do
	cat inter.pem >>"$c.pem"
done

# The responder's index (openssl ca format): 2004 revoked 2 days ago.
exp=$(date -u -d '+300 days' +%y%m%d%H%M%SZ)
rev=$(date -u -d '-2 days' +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t2001\tunknown\t/CN=tlsd.test\n' "$exp" >index.txt
printf 'V\t%s\t\t2003\tunknown\t/CN=tlsd.test\n' "$exp" >>index.txt
printf 'R\t%s\t%s,keyCompromise\t2004\tunknown\t/CN=tlsd.test\n' \
    "$exp" "$rev" >>index.txt
# Several entries share a subject.
echo 'unique_subject = no' >index.txt.attr

# respond CERT OUT SIGNER [TIME-SHIFT] - OUT: the response for CERT
respond() {
	local shift=${4:-}
	${shift:+faketime -f "-$shift"} openssl ocsp -index index.txt \
	    -CA inter.pem -issuer inter.pem -rsigner "$3.pem" \
	    -rkey "$3.key" -cert "$1.pem" -ndays 7 -respout "$2" \
	    >/dev/null 2>&1
}

respond aia good.der responder
respond revoked revoked.der responder
respond aia expired.der responder 10d
respond aia rogue.der rogue
respond revoked rogue-revoked.der rogue
