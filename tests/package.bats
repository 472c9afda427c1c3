#!/usr/bin/env bats
# The Debian package: make deb builds it once for this file (in a build
# directory of its own, so a developer's build/ is left alone), lintian
# finds no error in it, its files run from an unpacked root and probe the
# lab Postfix, and the dependencies it declares are the ones
# dpkg-shlibdeps finds for the binary.

setup_file() {
	export DEB_BUILD_DIR=$BATS_FILE_TMPDIR/build
	export TREE_STATUS_BEFORE
	TREE_STATUS_BEFORE=$(git -C "$BATS_TEST_DIRNAME/.." status --porcelain --ignored)
	make -s -C "$BATS_TEST_DIRNAME/.." deb BUILD="$DEB_BUILD_DIR" \
	    >"$BATS_FILE_TMPDIR/deb.log" 2>&1 ||
	    { tail -n 40 "$BATS_FILE_TMPDIR/deb.log" >&2; return 1; }
}

setup() {
	load helpers/common
	DEB=$(echo "$DEB_BUILD_DIR"/smtp-probe_*.deb)
	[ -f "$DEB" ] || fail "no package in $DEB_BUILD_DIR: $(ls "$DEB_BUILD_DIR")"
	# The package's own binary, unpacked as apt would install it.
	DEST=$BATS_FILE_TMPDIR/root
	[ -d "$DEST" ] || dpkg-deb -x "$DEB" "$DEST"
}

@test "make deb: one package named for the version and architecture" {
	version=$("$PROBE" --version | cut -d' ' -f2)
	assert_equal "$(basename "$DEB")" "smtp-probe_${version}_$(dpkg --print-architecture).deb"
	assert_equal "$(dpkg-deb -f "$DEB" Package)" smtp-probe
	assert_equal "$(dpkg-deb -f "$DEB" Version)" "$version"
	assert_equal "$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)" "$version"
}

@test "make deb: the tree is left as it was, and nothing is written beside it" {
	assert_equal "$(git -C "$ROOT" status --porcelain --ignored)" "$TREE_STATUS_BEFORE"
	run find "$(dirname "$ROOT")" -maxdepth 1 -name 'smtp-probe*_*' -newer "$ROOT/debian/control"
	assert_output ""
	# What the build directory holds: the packages and their records.
	run bash -c "cd '$DEB_BUILD_DIR' && ls | sort"
	assert_output --regexp '^smtp-probe-dbgsym_[^ ]+\.deb
smtp-probe_[^ ]+\.buildinfo
smtp-probe_[^ ]+\.changes
smtp-probe_[^ ]+\.deb$'
}

@test "lintian finds no error in the package" {
	run lintian --fail-on error "$DEB"
	assert_success
	refute_output --regexp '^E: '
}

@test "the package holds the binary, the man page, the docs, the schema and the completion" {
	run dpkg-deb -c "$DEB"
	assert_success
	for f in ./usr/bin/smtp-probe ./usr/share/man/man1/smtp-probe.1.gz \
	    ./usr/share/doc/smtp-probe/copyright ./usr/share/doc/smtp-probe/README.md.gz \
	    ./usr/share/doc/smtp-probe/report.schema.json \
	    ./usr/share/bash-completion/completions/smtp-probe; do
		assert_line --regexp " $f\$"
	done
	cmp "$ROOT/reports/schema/report.schema.json" "$DEST/usr/share/doc/smtp-probe/report.schema.json"
	cmp "$ROOT/probe/smtp-probe.bash-completion" "$DEST/usr/share/bash-completion/completions/smtp-probe"
	zcat "$DEST/usr/share/man/man1/smtp-probe.1.gz" | cmp - "$ROOT/probe/smtp-probe.1"
	# The man page names where the schema is.
	grep -qF 'usr/share/doc/smtp\-probe/report.schema.json' "$ROOT/probe/smtp-probe.1"
}

@test "the unpacked binary runs and probes the lab Postfix" {
	run "$DEST/usr/bin/smtp-probe" --version
	assert_success
	assert_output "$("$PROBE" --version)"
	PROBE=$DEST/usr/bin/smtp-probe
	lab_probe "$LAB_PORT_SUBMISSION"
	assert_equal "$status" 0
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .mode)" starttls
	assert_equal "$(p '.banner.lines[0]')" "$LAB_BANNER"
	assert_equal "$(p .verification.trusted)" true
	assert_equal "$(p '.certificates[0].sha256_fingerprint')" "$(fingerprint "$LAB_CERT_GOOD")"
}

@test "the declared dependencies are the ones dpkg-shlibdeps finds" {
	# dpkg-shlibdeps reads debian/control: give it the tree's, alone.
	mkdir -p "$BATS_TEST_TMPDIR/src/debian"
	cp "$ROOT/debian/control" "$BATS_TEST_TMPDIR/src/debian/"
	found=$(cd "$BATS_TEST_TMPDIR/src" &&
	    dpkg-shlibdeps -O -e"$DEST/usr/bin/smtp-probe" 2>/dev/null |
	    sed -n 's/^shlibs:Depends=//p')
	[ -n "$found" ] || fail "dpkg-shlibdeps found nothing"
	assert_equal "$(dpkg-deb -f "$DEB" Depends)" "$found"
	# And each library the binary needs is in a package it depends on.
	for lib in $(objdump -p "$DEST/usr/bin/smtp-probe" | awk '$1 == "NEEDED" { print $2 }'); do
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
		pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
		[ -n "$pkg" ] || pkg=$(dpkg -S "$path" | head -n 1 | cut -d: -f1)
		[[ ", $found," == *", $pkg "* ]] || fail "$lib ($pkg) is not in Depends: $found"
	done
}

@test "apt would install the package on this system" {
	run apt-get install --simulate "$DEB"
	assert_success
	assert_line --regexp '^Inst smtp-probe '
	assert_line --regexp '^Conf smtp-probe '
}
