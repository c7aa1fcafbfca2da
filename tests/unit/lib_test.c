/*
 * lib/: the line reader (no fixed limit), checked size parsing and JSON
 * string escaping.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lines.h"
#include "ndjson.h"
#include "num.h"

/* Write n bytes into an unlinked temporary file, rewound. */
static int
tmpfile_with(const char *data, size_t n)
{
	char path[] = "/tmp/ct-unit.XXXXXX";
	int fd = mkstemp(path);
	size_t off = 0;
	ssize_t w;

	if (fd < 0)
		abort();
	unlink(path);
	while (off < n) {
		if ((w = write(fd, data + off, n - off)) <= 0)
			abort();
		off += (size_t)w;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Read all lines of fd into a list; returns the count (max 16). */
static size_t
read_all(int fd, char **lines, size_t *lens, unsigned long *linenos)
{
	struct ct_lines r;
	char *line;
	size_t len, n = 0;
	int rounds = 0;

	ct_lines_init(&r);
	for (;;) {
		while (ct_lines_next(&r, &line, &len) == 1) {
			if (n < 16) {
				lines[n] = malloc(len + 1);
				memcpy(lines[n], line, len + 1);
				lens[n] = len;
				linenos[n] = r.lineno;
			}
			n++;
		}
		if (r.eof || ++rounds > 10000)
			break;
		if (ct_lines_fill(&r, fd) < 0)
			break;
	}
	ct_lines_release(&r);
	return n;
}

static void
test_lines_file(void)
{
	const size_t big = 200000;	/* > 64 KiB, > the first buffer */
	size_t total = big + 1 + 1 + 5 + 70000 + 1 + 4, i, n, lens[16];
	char *data = malloc(total), *p = data, *lines[16];
	unsigned long linenos[16];
	int fd;

	memset(p, 'a', big);
	p[big - 1] = 'z';
	p += big;
	*p++ = '\n';
	*p++ = '\n';			/* an empty line */
	memcpy(p, "short", 5);
	p += 5;
	memset(p, 'b', 70000);		/* joins "short": one long line */
	p += 70000;
	*p++ = '\n';
	memcpy(p, "last", 4);		/* no final newline */
	p += 4;
	CHECK((size_t)(p - data) == total);

	fd = tmpfile_with(data, total);
	n = read_all(fd, lines, lens, linenos);
	close(fd);
	CHECK(n == 4);
	if (n == 4) {
		CHECK(lens[0] == big && lines[0][0] == 'a' &&
		    lines[0][big - 1] == 'z' && lines[0][big] == '\0');
		CHECK(lens[1] == 0 && lines[1][0] == '\0');
		CHECK(lens[2] == 70005 && memcmp(lines[2], "shortbbb", 8) == 0 &&
		    lines[2][70004] == 'b');
		CHECK_STR("last", lines[3], lens[3]);
		CHECK(linenos[0] == 1 && linenos[3] == 4);
	}
	for (i = 0; i < n && i < 16; i++)
		free(lines[i]);
	free(data);
}

static void
test_lines_edges(void)
{
	char *lines[16];
	size_t lens[16], n, i;
	unsigned long linenos[16];
	int fd;

	/* Empty input: no line at all. */
	fd = tmpfile_with("", 0);
	n = read_all(fd, lines, lens, linenos);
	close(fd);
	CHECK(n == 0);

	/* A single line without a newline. */
	fd = tmpfile_with("{\"a\":1}", 7);
	n = read_all(fd, lines, lens, linenos);
	close(fd);
	CHECK(n == 1);
	if (n == 1)
		CHECK_STR("{\"a\":1}", lines[0], lens[0]);
	for (i = 0; i < n && i < 16; i++)
		free(lines[i]);

	/* Exactly one buffer's worth (64 KiB) then a newline, then one more. */
	{
		size_t sz = 65536 + 1 + 2;
		char *d = malloc(sz);

		memset(d, 'x', 65536);
		d[65536] = '\n';
		d[65537] = 'y';
		d[65538] = '\n';
		fd = tmpfile_with(d, sz);
		n = read_all(fd, lines, lens, linenos);
		close(fd);
		CHECK(n == 2);
		if (n == 2) {
			CHECK(lens[0] == 65536);
			CHECK_STR("y", lines[1], lens[1]);
		}
		for (i = 0; i < n && i < 16; i++)
			free(lines[i]);
		free(d);
	}
}

/* Through a pipe, a line arrives in pieces and is only returned whole. */
static void
test_lines_pipe(void)
{
	struct ct_lines r;
	char *line;
	size_t len;
	int p[2];

	if (pipe(p) < 0)
		abort();
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	ct_lines_init(&r);
	CHECK(write(p[1], "ab", 2) == 2);
	CHECK(ct_lines_fill(&r, p[0]) == 2);
	CHECK(ct_lines_next(&r, &line, &len) == 0);
	errno = 0;
	CHECK(ct_lines_fill(&r, p[0]) == -1 && errno == EAGAIN);
	CHECK(write(p[1], "c\nde", 4) == 4);
	CHECK(ct_lines_fill(&r, p[0]) == 4);
	CHECK(ct_lines_next(&r, &line, &len) == 1);
	CHECK_STR("abc", line, len);
	CHECK(ct_lines_next(&r, &line, &len) == 0);
	close(p[1]);
	CHECK(ct_lines_fill(&r, p[0]) == 0 && r.eof);
	CHECK(ct_lines_next(&r, &line, &len) == 1);
	CHECK_STR("de", line, len);
	CHECK(ct_lines_next(&r, &line, &len) == 0);
	CHECK(r.lineno == 2);
	ct_lines_release(&r);
	close(p[0]);
}

void
test_lines(void)
{
	test_lines_file();
	test_lines_edges();
	test_lines_pipe();
}

static void
size_ok(const char *s, uint64_t min, uint64_t max, uint64_t want, int line)
{
	uint64_t v = 0xdeadbeef;
	int r = ct_parse_size(s, min, max, &v);

	unit_check(r == 0 && v == want, __FILE__, line, s);
	if (r != 0 || v != want)
		fprintf(stderr, "  ct_parse_size(\"%s\") = %d, %llu\n", s, r,
		    (unsigned long long)v);
}

static void
size_bad(const char *s, uint64_t min, uint64_t max, int err, int line)
{
	uint64_t v = 0xdeadbeef;
	int r;

	errno = 0;
	r = ct_parse_size(s, min, max, &v);
	unit_check(r == -1 && errno == err && v == 0xdeadbeef, __FILE__, line,
	    s);
	if (r != -1 || errno != err)
		fprintf(stderr, "  ct_parse_size(\"%s\") = %d, errno %d, %llu\n",
		    s, r, errno, (unsigned long long)v);
}

#define SIZE_OK(s, want) size_ok((s), 4096, 1ULL << 30, (want), __LINE__)
#define SIZE_BAD(s, err) size_bad((s), 4096, 1ULL << 30, (err), __LINE__)

void
test_num(void)
{
	uint64_t v;

	SIZE_OK("4096", 4096);
	SIZE_OK("4K", 4096);
	SIZE_OK("4k", 4096);
	SIZE_OK("4KiB", 4096);
	SIZE_OK("4kib", 4096);
	SIZE_OK("4KB", 4096);
	SIZE_OK("64M", 64ULL << 20);
	SIZE_OK("64m", 64ULL << 20);
	SIZE_OK("64MiB", 64ULL << 20);
	SIZE_OK("1G", 1ULL << 30);
	SIZE_OK("1g", 1ULL << 30);
	SIZE_OK("1024M", 1ULL << 30);
	SIZE_OK("0064M", 64ULL << 20);

	SIZE_BAD("4095", ERANGE);
	SIZE_BAD("3K", ERANGE);
	SIZE_BAD("0", ERANGE);
	SIZE_BAD("2G", ERANGE);
	SIZE_BAD("1073741825", ERANGE);
	SIZE_BAD("1025M", ERANGE);
	SIZE_BAD("17179869184G", ERANGE);	/* overflows 64 bits */
	SIZE_BAD("18446744073709551616", ERANGE);
	SIZE_BAD("", EINVAL);
	SIZE_BAD("M", EINVAL);
	SIZE_BAD("-4K", EINVAL);
	SIZE_BAD("+4K", EINVAL);
	SIZE_BAD(" 4K", EINVAL);
	SIZE_BAD("4K ", EINVAL);
	SIZE_BAD("4 K", EINVAL);
	SIZE_BAD("4T", EINVAL);
	SIZE_BAD("4KK", EINVAL);
	SIZE_BAD("4Kx", EINVAL);
	SIZE_BAD("4KiBx", EINVAL);
	SIZE_BAD("4M5", EINVAL);
	SIZE_BAD("0x1000", EINVAL);
	SIZE_BAD("4.5M", EINVAL);

	/* Without a suffix allowed (ct_parse_u64). */
	CHECK(ct_parse_u64("255", 0, 255, &v) == 0 && v == 255);
	CHECK(ct_parse_u64("0", 0, 255, &v) == 0 && v == 0);
	errno = 0;
	CHECK(ct_parse_u64("256", 0, 255, &v) == -1 && errno == ERANGE);
	errno = 0;
	CHECK(ct_parse_u64("4K", 0, 1 << 20, &v) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(ct_parse_u64("18446744073709551615", 0, UINT64_MAX, &v) == 0 &&
	    v == UINT64_MAX);
	errno = 0;
	CHECK(ct_parse_u64("18446744073709551616", 0, UINT64_MAX, &v) == -1 &&
	    errno == ERANGE);
}

static void
quote(const char *in, size_t n, const char *want, int line)
{
	struct ct_buf b;

	ct_buf_init(&b);
	ct_json_quote(&b, in, n);
	unit_check_str(want, b.data, b.len, __FILE__, line, "ct_json_quote");
	ct_buf_release(&b);
}

#define QUOTE(in, want) quote((in), sizeof(in) - 1, (want), __LINE__)
#define FFFD "\xef\xbf\xbd"

void
test_ndjson(void)
{
	struct ct_buf b;

	QUOTE("", "\"\"");
	QUOTE("plain ascii ~", "\"plain ascii ~\"");
	QUOTE("q\"b\\s/", "\"q\\\"b\\\\s/\"");
	QUOTE("\n\t\r", "\"\\n\\t\\r\"");
	QUOTE("\x01\x08\x0c\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"");
	QUOTE("a\0b", "\"a\\u0000b\"");
	QUOTE("\x7f", "\"\x7f\"");		/* DEL needs no escape */
	/* Valid UTF-8 passes through: é € U+10FFFF 😀 */
	QUOTE("\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80",
	    "\"\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80\"");
	/* Invalid bytes become U+FFFD, one per byte. */
	QUOTE("\xff", "\"" FFFD "\"");
	QUOTE("a\x80z", "\"a" FFFD "z\"");		/* lone continuation */
	QUOTE("\xc0\xaf", "\"" FFFD FFFD "\"");		/* overlong '/' */
	QUOTE("\xc1\xbf", "\"" FFFD FFFD "\"");
	QUOTE("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");	/* overlong */
	QUOTE("\xf0\x80\x80\xaf", "\"" FFFD FFFD FFFD FFFD "\"");
	QUOTE("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");	/* surrogate */
	QUOTE("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");	/* > U+10FFFF */
	QUOTE("\xf5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	QUOTE("\xe2\x82", "\"" FFFD FFFD "\"");		/* cut at the end */
	QUOTE("\xe2\x82x", "\"" FFFD FFFD "x\"");	/* cut mid-string */
	QUOTE("\xc3\xa9\xc3", "\"\xc3\xa9" FFFD "\"");
	QUOTE("\xc3\n", "\"" FFFD "\\n\"");

	/* Members and commas. */
	ct_buf_init(&b);
	ct_json_open(&b);
	ct_json_str(&b, "s", "x");
	ct_json_u64(&b, "n", 18446744073709551615ull);
	ct_json_bool(&b, "t", true);
	ct_json_bool(&b, "f", false);
	ct_json_strn(&b, "k", "ab\0c", 4);
	ct_json_close(&b);
	ct_json_open(&b);
	ct_json_u64(&b, "z", 0);
	ct_json_close(&b);
	ct_json_open(&b);
	ct_json_close(&b);
	CHECK_STR("{\"s\":\"x\",\"n\":18446744073709551615,\"t\":true,"
	    "\"f\":false,\"k\":\"ab\\u0000c\"}\n{\"z\":0}\n{}\n", b.data, b.len);
	ct_buf_release(&b);
}
