/*
 * Loading rules from -e arguments and -f files, and printing parse
 * errors the way compilers do: origin:line:column, the message, the
 * offending line and a caret under the token.  The -e arguments count
 * as the lines of one file named "-e", in command-line order, so that
 * every rule has an address.  Errors do not stop loading: a user sees
 * all broken rules at once.
 */
#include "filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "log.h"

/* Wider lines are shown as a window around the error. */
#define SHOW_WIDTH 160
#define MAX_ERRORS 20

void
loader_init(struct loader *ld, struct ruleset *rs)
{
	memset(ld, 0, sizeof(*ld));
	ld->rs = rs;
}

static bool
utf8_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Columns count characters, not bytes, so that they match an editor's. */
static size_t
column(const char *text, size_t off)
{
	size_t i, col = 1;

	for (i = 0; i < off; i++)
		if (!utf8_cont(text[i]))
			col++;
	return col;
}

static void
show(struct ct_buf *b, const char *text, size_t n, size_t off, size_t len)
{
	size_t start = 0, end = n, i;
	unsigned char c;

	if (off > n)
		off = n;
	if (n > SHOW_WIDTH) {
		start = off > SHOW_WIDTH / 4 ? off - SHOW_WIDTH / 4 : 0;
		while (start > 0 && utf8_cont(text[start]))
			start--;
		end = start + SHOW_WIDTH < n ? start + SHOW_WIDTH : n;
		while (end < n && utf8_cont(text[end]))
			end++;
	}
	ct_buf_adds(b, start > 0 ? "\n  ..." : "\n  ");
	for (i = start; i < end; i++) {
		c = text[i];
		ct_buf_addc(b, c < ' ' && c != '\t' ? '?' : c == 0x7f ? '?' :
		    (char)c);
	}
	ct_buf_adds(b, end < n ? "...\n  " : "\n  ");
	if (start > 0)
		ct_buf_adds(b, "   ");
	/* Tabs stay tabs so that the caret lines up however they expand. */
	for (i = start; i < off; i++)
		if (text[i] == '\t')
			ct_buf_addc(b, '\t');
		else if (!utf8_cont(text[i]))
			ct_buf_addc(b, ' ');
	ct_buf_addc(b, '^');
	for (i = off + 1; i < off + len && i < end; i++)
		if (!utf8_cont(text[i]))
			ct_buf_addc(b, '~');
}

void
perr_format(struct ct_buf *b, const struct perr *err, const char *origin,
    unsigned long line, const char *text, size_t textlen)
{
	if (err->text != NULL) {
		origin = err->origin;
		line = err->line;
		text = err->text;
		textlen = err->textlen;
	}
	ct_buf_addf(b, "%s:%lu:%zu: %s", origin, line,
	    column(text, err->off < textlen ? err->off : textlen), err->msg);
	show(b, text, textlen, err->off, err->len);
}

static void
perr_print(const struct perr *err, const char *origin, unsigned long line,
    const char *text, size_t textlen)
{
	struct ct_buf b;

	ct_buf_init(&b);
	perr_format(&b, err, origin, line, text, textlen);
	log_errorx("%s", ct_buf_cstr(&b));
	ct_buf_release(&b);
}

static void
fail(struct loader *ld, int status)
{
	/* A missing file outranks a typo: it is what to fix first. */
	if (ld->status != EX_NOINPUT)
		ld->status = status;
	if (++ld->errors == MAX_ERRORS + 1)
		log_errorx("too many errors, not showing more");
}

static void
load_line(struct loader *ld, const char *origin, unsigned long lineno,
    const char *s, size_t n)
{
	struct rule r;
	struct perr err;

	switch (rule_parse(s, n, 0, &r, &ld->rs->need, &err)) {
	case 1:
		/* Say so when first-match makes a rule dead: a common slip. */
		if (ld->any_origin != NULL)
			log_warnx("%s:%lu: rule is never reached: %s:%lu "
			    "matches every event", origin, lineno,
			    ld->any_origin, ld->any_line);
		else if (r.expr->kind == E_ANY) {
			ld->any_origin = origin;
			ld->any_line = lineno;
		}
		ruleset_add(ld->rs, &r);
		break;
	case -1:
		if (ld->errors < MAX_ERRORS)
			perr_print(&err, origin, lineno, s, n);
		fail(ld, err.status);
		perr_release(&err);
		break;
	}
}

void
loader_expr(struct loader *ld, const char *text)
{
	const char *nl;

	for (;;) {
		nl = strchr(text, '\n');
		load_line(ld, "-e", ++ld->eline, text,
		    nl ? (size_t)(nl - text) : strlen(text));
		if (nl == NULL)
			break;
		text = nl + 1;
	}
}

void
loader_file(struct loader *ld, const char *path)
{
	char *line = NULL;
	size_t cap = 0, n;
	unsigned long lineno = 0;
	ssize_t got;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		log_errorx("cannot open rule file '%s': %s", path,
		    strerror(errno));
		fail(ld, EX_NOINPUT);
		return;
	}
	while ((got = getline(&line, &cap, f)) > 0) {
		n = (size_t)got;
		if (line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		load_line(ld, path, ++lineno, line, n);
	}
	if (ferror(f)) {
		log_errorx("cannot read rule file '%s': %s", path,
		    strerror(errno));
		fail(ld, EX_NOINPUT);
	}
	fclose(f);
	free(line);
}
