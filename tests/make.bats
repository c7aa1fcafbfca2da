#!/usr/bin/env bats
# The build's promises: install and uninstall honour DESTDIR, PREFIX and
# MANPREFIX, and the tree has no unchecked C calls.
load test_helper

@test "make install and uninstall honour DESTDIR, PREFIX and MANPREFIX" {
	run -0 make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/opt/ct MANPREFIX=/opt/man
	[ -x "$T/root/opt/ct/bin/ct-listen" ] || flunk "ct-listen not installed"
	[ -x "$T/root/opt/ct/bin/ct-filter" ] || flunk "ct-filter not installed"
	[ -f "$T/root/opt/man/man1/ct-listen.1" ] || flunk "ct-listen.1 not installed"
	[ -f "$T/root/opt/man/man5/ct-filter.5" ] || flunk "ct-filter.5 not installed"
	run -0 make -s -C "$TOP" uninstall DESTDIR="$T/root" PREFIX=/opt/ct MANPREFIX=/opt/man
	run find "$T/root" -type f
	assert_equal "" "$output" "files left after uninstall"
}

@test "no unchecked or unsafe C calls in lib/ and the tools" {
	cd "$TOP"
	run grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol)\s*\(|[^_a-z]signal\s*\(' \
	    lib/*.[ch] ct-*/*.[ch]
	assert_equal "" "$output" "banned calls"
}

@test "every man page is clean under mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	run mandoc -Tlint -W warning "$TOP"/man/*.[0-9]
	assert_equal "" "$output" "mandoc -Tlint"
}
