#!/bin/sh
#
# make-fixtures.sh - regenerate the certificate fixtures of test_cert.c.
#
# Run once by hand from this directory; the output is committed so the unit
# test never needs certtool. The private keys are throwaway: they live in a
# temporary directory and are deleted, so no key is ever committed. Running
# this again makes new keys, hence new fingerprints and SPKI hashes: update
# the constants in test_cert.c from the "certtool --fingerprint" and
# "openssl ... | sha256sum" lines printed at the end.
#
# Validity is fixed (UTC) so that the test, with "now" pinned to
# 2026-06-01T12:00:00Z, never rots.
#
set -eu

export TZ=UTC
out=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# key NAME TYPE... - a throwaway private key in $tmp
key()
{
	name=$1
	shift
	certtool --generate-privkey "$@" --outfile "$tmp/$name.key" \
	    >/dev/null 2>&1
}

# tmpl NAME - write the template read from stdin
tmpl()
{
	cat >"$tmp/$1.tmpl"
}

# selfsign NAME - self-signed certificate NAME.pem from NAME.key/.tmpl
selfsign()
{
	certtool --generate-self-signed --load-privkey "$tmp/$1.key" \
	    --template "$tmp/$1.tmpl" --hash SHA256 --outfile "$out/$1.pem" \
	    >/dev/null 2>&1
}

# sign NAME ISSUER - NAME.pem signed by ISSUER
sign()
{
	certtool --generate-certificate --load-privkey "$tmp/$1.key" \
	    --load-ca-privkey "$tmp/$2.key" --load-ca-certificate "$out/$2.pem" \
	    --template "$tmp/$1.tmpl" --hash SHA256 --outfile "$out/$1.pem" \
	    >/dev/null 2>&1
}

key root-ca --key-type rsa --bits 2048
tmpl root-ca <<'EOF'
organization = "smtp-probe tests"
cn = "smtp-probe Test Root CA"
serial = 1
activation_date = "2025-01-01 00:00:00"
expiration_date = "2036-01-01 00:00:00"
ca
cert_signing_key
crl_signing_key
EOF
selfsign root-ca

key intermediate-ca --key-type rsa --bits 2048
tmpl intermediate-ca <<'EOF'
organization = "smtp-probe tests"
cn = "smtp-probe Test Intermediate CA"
serial = 2
activation_date = "2025-01-01 00:00:00"
expiration_date = "2035-01-01 00:00:00"
ca
path_len = 0
cert_signing_key
crl_signing_key
EOF
sign intermediate-ca root-ca

# The good leaf: mail.lab.test, 2026-01-01 .. 2027-01-01.
key leaf-mail --key-type rsa --bits 2048
tmpl leaf-mail <<'EOF'
organization = "smtp-probe tests"
cn = "mail.lab.test"
serial = 0x1001
activation_date = "2026-01-01 00:00:00"
expiration_date = "2027-01-01 00:00:00"
dns_name = "mail.lab.test"
dns_name = "smtp.lab.test"
tls_www_server
signing_key
encryption_key
EOF
sign leaf-mail intermediate-ca

key leaf-expired --key-type rsa --bits 2048
tmpl leaf-expired <<'EOF'
cn = "old.lab.test"
serial = 0x1002
activation_date = "2024-01-01 00:00:00"
expiration_date = "2025-01-01 00:00:00"
dns_name = "old.lab.test"
tls_www_server
signing_key
encryption_key
EOF
sign leaf-expired intermediate-ca

key leaf-selfsigned --key-type rsa --bits 2048
tmpl leaf-selfsigned <<'EOF'
cn = "self.lab.test"
serial = 0x1003
activation_date = "2026-01-01 00:00:00"
expiration_date = "2027-01-01 00:00:00"
dns_name = "self.lab.test"
tls_www_server
signing_key
encryption_key
EOF
selfsign leaf-selfsigned

# IP SANs; the serial is written with the leading zero byte DER needs when
# the top bit is set (certtool would otherwise make it negative).
key leaf-ip --key-type rsa --bits 2048
tmpl leaf-ip <<'EOF'
cn = "ip.lab.test"
serial = 0x008a11
activation_date = "2026-01-01 00:00:00"
expiration_date = "2027-01-01 00:00:00"
dns_name = "ip.lab.test"
ip_address = "192.0.2.25"
ip_address = "2001:db8::25"
tls_www_server
signing_key
encryption_key
EOF
sign leaf-ip intermediate-ca

key leaf-ec --key-type ecdsa --curve secp256r1
tmpl leaf-ec <<'EOF'
cn = "ec.lab.test"
serial = 0x1005
activation_date = "2026-01-01 00:00:00"
expiration_date = "2027-01-01 00:00:00"
dns_name = "ec.lab.test"
tls_www_server
signing_key
EOF
sign leaf-ec intermediate-ca

key leaf-ed25519 --key-type ed25519
tmpl leaf-ed25519 <<'EOF'
cn = "ed.lab.test"
serial = 0x1006
activation_date = "2026-01-01 00:00:00"
expiration_date = "2027-01-01 00:00:00"
dns_name = "ed.lab.test"
tls_www_server
signing_key
EOF
sign leaf-ed25519 intermediate-ca

# A leaf that signs another leaf: the signer is not a CA.
key leaf-by-leaf --key-type rsa --bits 2048
tmpl leaf-by-leaf <<'EOF'
cn = "sub.mail.lab.test"
serial = 0x1007
activation_date = "2026-01-01 00:00:00"
expiration_date = "2027-01-01 00:00:00"
dns_name = "sub.mail.lab.test"
tls_www_server
signing_key
encryption_key
EOF
sign leaf-by-leaf leaf-mail

# Twins: an EC CA and a leaf with the same DN. The leaf's subject equals its
# issuer, but it is not self-signed (another key signed it).
key twin-ca --key-type ecdsa --curve secp256r1
tmpl twin-ca <<'EOF'
cn = "twin.lab.test"
serial = 0x2001
activation_date = "2025-01-01 00:00:00"
expiration_date = "2035-01-01 00:00:00"
ca
cert_signing_key
EOF
selfsign twin-ca

key twin-leaf --key-type rsa --bits 2048
tmpl twin-leaf <<'EOF'
cn = "twin.lab.test"
serial = 0x2002
activation_date = "2026-01-01 00:00:00"
expiration_date = "2027-01-01 00:00:00"
dns_name = "twin.lab.test"
tls_www_server
signing_key
encryption_key
EOF
sign twin-leaf twin-ca

# A subject DN of about 4.6 KB of UTF-8 (the euro sign is 3 bytes), longer
# than CERT_DN_MAX, so the cut must land on a character boundary.
ous=""
i=0
while [ $i -lt 70 ]; do
	ous="$ous,OU=€€€€€€€€€€€€€€€€€€€€$(printf %02d $i)"
	i=$((i + 1))
done
key leaf-bigdn --key-type ecdsa --curve secp256r1
tmpl leaf-bigdn <<EOF
dn = "CN=big.lab.test$ous"
serial = 0x3001
activation_date = "2026-01-01 00:00:00"
expiration_date = "2027-01-01 00:00:00"
EOF
selfsign leaf-bigdn

# Not a certificate: a PEM file with no certificate in it, for cert_trust_load.
printf '%s\n' '-----BEGIN NOTHING-----' 'bm90aGluZw==' '-----END NOTHING-----' \
    >"$out/no-cert.pem"

for f in root-ca intermediate-ca leaf-mail leaf-expired leaf-selfsigned \
    leaf-ip leaf-ec leaf-ed25519 leaf-by-leaf twin-ca twin-leaf leaf-bigdn; do
	fp=$(certtool --fingerprint --hash sha256 --infile "$out/$f.pem" |
	    tr -d ':' | tr 'A-F' 'a-f')
	spki=$(openssl x509 -in "$out/$f.pem" -pubkey -noout |
	    openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
	echo "$f sha256 $fp"
	echo "$f spki   $spki"
done
