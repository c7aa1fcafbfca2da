#!/usr/bin/env bats
# ct-filter: the rule language from data (tests/filter/*.test), the man
# pages' examples, and the tool's behaviour at its edges (I/O errors, bad
# input, signals).
load test_helper

# Run every case of one .test file; see tests/filter/README for the format.
# All failures of the file are reported together, each with its line.
run_cases() {
	local file="$1" line lineno=0 start=0 failures=0 ncases=0
	local -a args input outexp errexp rules
	local status_exp verdict have_f

	reset_case() {
		args=() input=() outexp=() errexp=() rules=()
		status_exp=0 verdict="" have_f="" start=0
	}
	check_case() {
		local out err status want got
		[ "$start" -ne 0 ] || return 0
		ncases=$((ncases + 1))
		if [ -n "$have_f" ]; then
			printf '%s\n' "${rules[@]}" >"$T/rules.conf"
		fi
		(cd "$T" && if [ "${#input[@]}" -gt 0 ]; then
			printf '%s\n' "${input[@]}"
		fi | ct-filter "${args[@]}" >"$T/out" 2>"$T/err")
		status=$?
		case "$verdict" in
		keep) outexp=("${input[@]}") ;;
		drop) outexp=() ;;
		esac
		want=""
		[ "${#outexp[@]}" -eq 0 ] || want="$(printf '%s\n' "${outexp[@]}")"
		got="$(cat "$T/out")"
		if [ "$status" -ne "$status_exp" ]; then
			printf '%s:%d: exit status %d, expected %d\n' \
			    "$file" "$start" "$status" "$status_exp"
			sed 's/^/  stderr: /' "$T/err"
			failures=$((failures + 1))
		elif [ "$got" != "$want" ]; then
			printf '%s:%d: stdout differs\n  expected: %s\n  actual:   %s\n' \
			    "$file" "$start" "$want" "$got"
			sed 's/^/  stderr: /' "$T/err"
			failures=$((failures + 1))
		else
			want=""
			[ "${#errexp[@]}" -eq 0 ] || want="$(printf '%s\n' "${errexp[@]}")"
			got="$(cat "$T/err")"
			if [ "$got" != "$want" ]; then
				printf '%s:%d: stderr differs\n--- expected\n%s\n--- actual\n%s\n' \
				    "$file" "$start" "$want" "$got"
				failures=$((failures + 1))
			fi
		fi
		reset_case
	}

	reset_case
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		case "$line" in
		'#'*) continue ;;
		'') check_case; continue ;;
		esac
		[ "$start" -ne 0 ] || start=$lineno
		case "$line" in
		'e '*) args+=(-e "${line#e }") ;;
		'f '*|f)
			rules+=("${line#f}")
			rules[-1]="${rules[-1]# }"
			if [ -z "$have_f" ]; then
				have_f=1
				args+=(-f rules.conf)
			fi ;;
		'a '*) args+=("${line#a }") ;;
		'< '*) input+=("${line#< }") ;;
		'> '*) outexp+=("${line#> }") ;;
		'! '*|'!') errexp+=("${line#!}"); errexp[-1]="${errexp[-1]# }" ;;
		'? '*) status_exp="${line#? }" ;;
		keep|drop) verdict="$line" ;;
		*) printf '%s:%d: bad test line: %s\n' "$file" "$lineno" "$line"
		   failures=$((failures + 1)) ;;
		esac
	done <"$file"
	check_case
	echo "$ncases" >>"$T/ncases"
	[ "$failures" -eq 0 ]
}

@test "data-driven rule cases (tests/filter/*.test)" {
	local f failed=0
	for f in "$TOP"/tests/filter/*.test; do
		run_cases "$f" || failed=1
	done
	[ "$failed" -eq 0 ]
}

@test "there are at least 150 data-driven cases" {
	local f total=0 n
	for f in "$TOP"/tests/filter/*.test; do
		n=$(awk 'BEGIN { RS = ""; FS = "\n" }
		    { for (i = 1; i <= NF; i++) if ($i !~ /^#/) { c++; break } }
		    END { print c + 0 }' "$f")
		total=$((total + n))
	done
	[ "$total" -ge 150 ] || flunk "only $total cases"
}

# The usage message and the SYNOPSIS of ct-filter.1 say the same.
@test "usage matches the man page SYNOPSIS" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	run -64 --separate-stderr ct-filter --no-such-option
	local usage="${stderr##*usage: }"
	[[ "$usage" == "ct-filter "* ]] || flunk "no usage: $stderr"
	assert_equal "$(man_synopsis "$TOP/man/ct-filter.1")" "$usage" "synopsis"
}

@test "man pages are clean under mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	run -0 mandoc -T lint -W warning "$TOP/man/ct-filter.1" "$TOP/man/ct-filter.5"
	assert_equal "" "$output" "lint output"
}

# Print the rule blocks of ct-filter.5's EXAMPLES, separated by "--".
man_examples() {
	awk '/^\.Sh EXAMPLES/ { ex = 1; next }
	    /^\.Sh / { ex = 0 }
	    ex && /^\.Bd -literal/ { lit = 1; next }
	    ex && /^\.Ed/ { if (lit) print "--"; lit = 0; next }
	    ex && lit { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print }' \
	    "$TOP/man/ct-filter.5"
}

@test "every example of ct-filter.5 compiles and filters as documented" {
	local n=0 block=() line want got
	printf '%s\n' '# Documentation addresses and a hosting provider' \
	    8.8.8.0/24 2a01:4f8::/32 >"$T/blocklist.txt"
	while IFS= read -r line; do
		if [ "$line" != "--" ]; then
			block+=("$line")
			continue
		fi
		n=$((n + 1))
		# Address files live in $T, with the content FILES shows.
		printf '%s\n' "${block[@]}" |
		    sed "s|@/etc/conntrackd/|@$T/|" >"$T/ex$n.rules"
		block=()
		run -0 --separate-stderr ct-filter --check --log-level warning \
		    -f "$T/ex$n.rules"
		assert_equal "" "$stderr" "example $n stderr"
		# The expected verdicts on the fixture events live next to it.
		run -0 --separate-stderr ct-filter -f "$T/ex$n.rules" \
		    <"$FIXTURES/filter-events.ndjson"
		want=$(cat "$TOP/tests/filter/examples/$n.out")
		[ "$output" = "$want" ] ||
		    flunk "example $n keeps:" "$output" "expected:" "$want"
	done < <(man_examples)
	[ "$n" -ge 8 ] || flunk "only $n examples found"
	[ ! -e "$TOP/tests/filter/examples/$((n + 1)).out" ] ||
	    flunk "stale expectation for example $((n + 1))"
}

@test "every example command of ct-filter.1 runs" {
	local cmd n=0
	cp "$FIXTURES/filter-events.ndjson" "$T/events.ndjson"
	printf '%s\n' '# web traffic only' 'log dst port 80,443' 'drop any' \
	    >"$T/rules.conf"
	while IFS= read -r cmd; do
		n=$((n + 1))
		run -0 --separate-stderr bash -c "cd '$T' && $cmd"
	done < <(awk '/^\.Sh EXAMPLES/ { ex = 1; next } /^\.Sh / { ex = 0 }
	    ex && /^\.Dl \$ / { sub(/^\.Dl \$ /, ""); gsub(/\\e/, "\\");
	    gsub(/\\\(aq/, "\047"); gsub(/\\&/, ""); print }' "$TOP/man/ct-filter.1")
	[ "$n" -ge 3 ] || flunk "only $n example commands found"
}

@test "writing to /dev/full exits 74" {
	run -74 --separate-stderr bash -c "ct-filter -e 'log any' \
	    <'$FIXTURES/filter-events.ndjson' >/dev/full"
	assert_equal "ct-filter: cannot write to standard output: No space left on device" \
	    "$stderr"
}

@test "a reader that goes away (EPIPE) ends ct-filter quietly with 0" {
	local i
	for i in $(seq 2000); do cat "$FIXTURES/filter-events.ndjson"; done >"$T/big"
	run -0 bash -c "ct-filter -e 'log any' <'$T/big' 2>'$T/err' | head -1 >/dev/null;
	    exit \${PIPESTATUS[0]}"
	assert_equal "" "$(cat "$T/err")" "stderr"
}

@test "an unreadable stdin exits 74" {
	run -74 --separate-stderr ct-filter -e 'log any' <"$T"
	assert_equal "ct-filter: cannot read standard input: Is a directory" "$stderr"
}

@test "closed stdin or stdout exit 74 instead of reading a signalfd" {
	run -74 --separate-stderr timeout 10 bash -c "ct-filter -e 'log any' <&-"
	assert_equal "ct-filter: standard input is closed" "$stderr"
	run -74 --separate-stderr timeout 10 bash -c "ct-filter -e 'log any' </dev/null >&-"
	assert_equal "ct-filter: standard output is closed" "$stderr"
	run -0 --separate-stderr timeout 10 bash -c "ct-filter --check -e 'log any' <&-"
}

@test "--check reads no input and reports the rules" {
	run -0 --separate-stderr ct-filter --check -e 'log type NEW' -e 'drop any' \
	    <"$FIXTURES/filter-events.ndjson"
	assert_equal "" "$output" "stdout"
	assert_equal "ct-filter: 2 rules ok" "$stderr"
}

@test "a missing rule file exits 66, after reporting all errors" {
	run -66 --separate-stderr ct-filter -e 'log typo' -f "$T/none"
	assert_equal "ct-filter: -e:1:5: expected a predicate, got 'typo'
  log typo
      ^~~~
ct-filter: cannot open rule file '$T/none': No such file or directory" "$stderr"
}

@test "a missing @file exits 66 and points at it" {
	run -66 --separate-stderr ct-filter -e "drop dst address @$T/nope"
	assert_equal "ct-filter: -e:1:18: cannot open address file '$T/nope': No such file or directory
  drop dst address @$T/nope
                   ^${stderr##*^}" "$stderr"
}

@test "a bad line of an @file is reported with its file, line and column" {
	printf '# blocklist\n10.0.0.0/8\n\n  192.0.2.300  # typo\n' >"$T/block.txt"
	run -65 --separate-stderr ct-filter -e "drop dst address @$T/block.txt"
	assert_equal "ct-filter: $T/block.txt:4:3: invalid address '192.0.2.300'
    192.0.2.300  # typo
    ^~~~~~~~~~~" "$stderr"
}

@test "@file lists with 100,000 prefixes match like inline ones" {
	awk 'BEGIN { for (i = 0; i < 100000; i++)
	    printf "%d.%d.%d.0/24\n", 11 + int(i / 65536), int(i / 256) % 256, i % 256 }' \
	    >"$T/big.txt"
	echo '2001:db8::/32' >>"$T/big.txt"
	printf '%s\n' '{"type":"NEW","dst":"11.0.5.77"}' \
	    '{"type":"NEW","dst":"12.134.159.1"}' '{"type":"NEW","dst":"12.134.160.1"}' \
	    '{"type":"NEW","dst":"2001:db8:1::1"}' '{"type":"NEW","dst":"2001:db9::1"}' \
	    >"$T/in"
	run -0 --separate-stderr ct-filter -e "drop dst address @$T/big.txt" <"$T/in"
	assert_equal '{"type":"NEW","dst":"12.134.160.1"}
{"type":"NEW","dst":"2001:db9::1"}' "$output"
}

@test "bad input lines are rate-limited, counted and skipped" {
	local i
	for i in $(seq 100); do echo "not json $i"; done >"$T/in"
	cat "$FIXTURES/filter-events.ndjson" >>"$T/in"
	# Every good line comes out; the end of input then says 65.
	run -65 --separate-stderr ct-filter -e 'log any' <"$T/in"
	assert_equal "$(cat "$FIXTURES/filter-events.ndjson")" "$output"
	local shown
	shown=$(grep -c '^ct-filter: stdin:[0-9]*:1: not a JSON object' <<<"$stderr")
	[ "$shown" -ge 10 ] && [ "$shown" -le 12 ] || flunk "$shown reports" "$stderr"
	[[ "$stderr" == *"ct-filter: 100 bad input lines skipped" ]] || flunk "$stderr"
	[[ "$stderr" == "ct-filter: stdin:1:1: not a JSON object"* ]] || flunk "$stderr"
}

@test "lines of any length, a last line without newline, CRLF" {
	local pad
	pad=$(head -c 1000000 /dev/zero | tr '\0' x)
	printf '{"type":"NEW","pad":"%s","dport":80}\n{"type":"NEW","dport":81}\r\n{"type":"NEW","dport":80}' \
	    "$pad" >"$T/in"
	run -0 --separate-stderr ct-filter -e 'drop dst port 81' <"$T/in"
	assert_equal "$(printf '{"type":"NEW","pad":"%s","dport":80}\n{"type":"NEW","dport":80}' "$pad")" \
	    "$output"
}

@test "SIGTERM: lines already read are filtered and written, exit 0" {
	mkfifo "$T/fifo"
	ct-filter -e 'drop dst port 22' <"$T/fifo" >"$T/out" 2>"$T/err" &
	local pid=$!
	# fd 3 belongs to bats.
	exec 7>"$T/fifo"
	printf '%s\n' '{"type":"NEW","dport":80}' '{"type":"NEW","dport":22}' >&7
	# Wait until the kept line arrived, then stop the filter.
	local i
	for i in $(seq 50); do [ -s "$T/out" ] && break; sleep 0.1; done
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	exec 7>&-
	assert_equal 0 "$status" "exit status"
	assert_equal '{"type":"NEW","dport":80}' "$(cat "$T/out")"
}

@test "long rules: 1024 'or' are fine, the 1025th is an error" {
	local r="log type NEW" i
	for i in $(seq 1024); do r="$r or dst port $i"; done
	run -0 --separate-stderr ct-filter --check -e "$r"
	r="$r and any"
	run -65 --separate-stderr ct-filter --check -e "$r"
	[[ "$stderr" == "ct-filter: -e:1:"*": more than 1024 'and' and 'or' in one rule (use lists or an @file)"* ]] ||
	    flunk "$stderr"
}

@test "bad options and operands exit 64" {
	run -64 --separate-stderr ct-filter extra
	run -64 --separate-stderr ct-filter -e
	run -64 --separate-stderr ct-filter --log-level loud -e 'log any'
	assert_equal "ct-filter: invalid log level 'loud' (expected error, warning, info or debug)" \
	    "$stderr"
}

@test "--log-format json puts a rule error in one JSON object" {
	run -65 --separate-stderr ct-filter --log-format json -e 'drop port 99999'
	[[ "$stderr" == '{"time":"'*'","level":"error","prog":"ct-filter","msg":"-e:1:11: port number '\''99999'\'' out of range (0-65535)\n  drop port 99999\n            ^~~~~"}' ]] ||
	    flunk "$stderr"
}

@test "no banned functions in ct-filter and lib" {
	run -1 grep -nE '\<(sprintf|strcpy|strcat|gets|atoi|signal)\(' \
	    "$TOP"/ct-filter/*.c "$TOP"/ct-filter/*.h "$TOP"/lib/jscan.c \
	    "$TOP"/lib/addr.c "$TOP"/lib/prefix.c
}

@test "valgrind: no leaks or errors on rules, events and bad input" {
	command -v valgrind >/dev/null || skip "needs valgrind"
	[ "${CT_SANITIZE:-}" != 1 ] || skip "sanitizer build: valgrind cannot run it"
	! ldd "$TOP/ct-filter/ct-filter" | grep -q libasan ||
	    skip "built with SANITIZE=1; ASan checks instead"
	printf '10.0.0.0/8\n2001:db8::/32\n' >"$T/list"
	{ cat "$FIXTURES/filter-events.ndjson"; echo 'bad'; echo '{"type":"NEW","src":"x"}'; } >"$T/in"
	run -65 --separate-stderr valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    ct-filter -e "drop src address @$T/list on port 22" \
	    -e 'log (type NEW or not state ESTABLISHED) and dst network PUBLIC' \
	    -e 'drop src country DE,"United States" or dst city Berlin' \
	    -e 'drop mark 0x10/0xf0 or zone 1-3 or family ipv6 or protocol 17' \
	    <"$T/in"
	run -65 --separate-stderr valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    ct-filter -e 'log (type NEW and port 1-2,x' -e "drop src address @$T/in"
}

@test "--help prints the usage on stdout and exits 0; --version" {
	run -0 --separate-stderr ct-filter --help
	[[ "${lines[0]}" == "usage: ct-filter [-hV] "* ]] || flunk "help: ${lines[0]}"
	assert_equal "" "$stderr" "stderr"
	run -0 ct-filter -V
	[[ "$output" =~ ^ct-filter\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || flunk "version: $output"
	run -64 --separate-stderr ct-filter --bogus
	assert_equal "ct-filter: unrecognized option '--bogus'" "${stderr_lines[0]}" "getopt message"
}
