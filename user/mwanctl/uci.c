// SPDX-License-Identifier: GPL-2.0
/*
 * UCI files, read whole, then cut into statements by a small lexer that
 * knows UCI's quoting (see uci.h). Every mistake names file, line and word.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uci.h"
#include "util.h"

#define UCI_WORDS_MAX	3	/* "option NAME VALUE" */

struct lexer {
	const char *fname;
	const char *p, *end;
	unsigned int line;	/* of *p */
	unsigned int word_line;	/* where the word began */
	char *word;		/* the word just read, NUL terminated */
	size_t len, cap;
};

enum token { TOK_WORD, TOK_END, TOK_EOF, TOK_ERR };

/* Room for @n more characters and the NUL */
static int reserve(struct lexer *lx, size_t n)
{
	char *w;

	if (lx->len + n + 1 <= lx->cap)
		return 0;
	lx->cap = lx->cap ? lx->cap * 2 : 64;
	w = realloc(lx->word, lx->cap);
	if (!w)
		return -ENOMEM;
	lx->word = w;
	return 0;
}

static int put_char(struct lexer *lx, char c)
{
	if (reserve(lx, 1))
		return -ENOMEM;
	lx->word[lx->len++] = c;
	lx->word[lx->len] = '\0';
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* A backslash and a newline join two lines. */
static bool continuation(struct lexer *lx)
{
	if (lx->p + 1 < lx->end && lx->p[0] == '\\' && lx->p[1] == '\n') {
		lx->p += 2;
		lx->line++;
		return true;
	}
	return false;
}

static void skip_comment(struct lexer *lx)
{
	while (lx->p < lx->end && *lx->p != '\n')
		lx->p++;
}

/*
 * From the opening quote @q to the closing one, both consumed. In double
 * quotes a backslash takes the next character as it is.
 */
static int quoted(struct lexer *lx, char q)
{
	unsigned int start = lx->line;
	int err = 0;

	lx->p++;
	while (!err && lx->p < lx->end && *lx->p != q) {
		if (q == '"' && continuation(lx))
			continue;
		if (q == '"' && *lx->p == '\\' && lx->p + 1 < lx->end)
			lx->p++;
		if (*lx->p == '\n')
			lx->line++;
		err = put_char(lx, *lx->p++);
	}
	if (err)
		return err;
	if (lx->p == lx->end) {
		err_context(lx->fname, start);
		pr_err("%c without its closing %c", q, q);
		return -EINVAL;
	}
	lx->p++;
	return 0;
}

/* One word, its parts quoted or not; stops before what ends it. */
static int word(struct lexer *lx)
{
	int err;

	/* a word exists even when empty: '' */
	lx->len = 0;
	err = reserve(lx, 0);
	if (!err)
		lx->word[0] = '\0';
	while (!err && lx->p < lx->end) {
		char c = *lx->p;

		if (c == '\'' || c == '"') {
			err = quoted(lx, c);
		} else if (c == '\\') {
			if (continuation(lx))
				continue;
			if (++lx->p < lx->end)
				err = put_char(lx, *lx->p++);
		} else if (c == '#') {
			skip_comment(lx);
		} else if (blank(c) || c == '\n' || c == ';') {
			break;
		} else {
			err = put_char(lx, c);
			lx->p++;
		}
	}
	return err;
}

static enum token next(struct lexer *lx)
{
	for (;;) {
		while (lx->p < lx->end && blank(*lx->p))
			lx->p++;
		if (lx->p == lx->end)
			return TOK_EOF;
		if (continuation(lx))
			continue;
		if (*lx->p == '#') {
			skip_comment(lx);
			continue;
		}
		if (*lx->p == '\n' || *lx->p == ';') {
			if (*lx->p++ == '\n')
				lx->line++;
			return TOK_END;
		}
		lx->word_line = lx->line;
		return word(lx) ? TOK_ERR : TOK_WORD;
	}
}

/* Section and option names: what uci accepts */
static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool type_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

struct parser {
	struct uci_file *u;
	struct uci_section *cur;
	char *argv[UCI_WORDS_MAX + 1];
	int argc;
};

static bool is_cmd(const char *w, const char *cmd)
{
	return (w[0] == cmd[0] && !w[1]) || !strcmp(w, cmd);
}

static int bad_name(const char *what, const char *s)
{
	pr_err("invalid %s name \"%s\" (letters, digits and '_')", what, s);
	return -EINVAL;
}

static int st_config(struct parser *ps)
{
	struct uci_file *u = ps->u;
	const char *type = ps->argv[1], *name = ps->argv[2];
	struct uci_section *s;
	unsigned int i, index = 0;

	if (!type_ok(type)) {
		pr_err("invalid section type \"%s\"", type);
		return -EINVAL;
	}
	if (name && !name_ok(name))
		return bad_name("section", name);
	for (i = 0; i < u->n_secs; i++) {
		s = &u->secs[i];
		index += !strcmp(s->type, type);
		if (!name || !s->name || strcmp(s->name, name))
			continue;
		if (strcmp(s->type, type)) {
			pr_err("section \"%s\" of type \"%s\" given again as \"%s\"",
			       name, s->type, type);
			return -EINVAL;
		}
		/* a named section given again goes on */
		ps->cur = s;
		return 0;
	}
	s = array_add(&u->secs, &u->n_secs, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->type = strdup(type);
	s->name = name ? strdup(name) : NULL;
	s->index = index;
	ps->cur = s;
	return !s->type || (name && !s->name) ? -ENOMEM : 0;
}

static struct uci_option *option_get(struct uci_section *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->n_opts; i++)
		if (!strcmp(s->opts[i].name, name))
			return &s->opts[i];
	return NULL;
}

static void option_clear(struct uci_option *o)
{
	while (o->n)
		free(o->v[--o->n]);
}

/* "option NAME [VALUE]", "list NAME [VALUE]": a missing value is empty */
static int st_option(struct parser *ps, bool list, unsigned int line)
{
	const char *name = ps->argv[1], *val = ps->argv[2] ? ps->argv[2] : "";
	struct uci_option *o;
	char **v;

	if (!ps->cur) {
		pr_err("\"%s\" before the first \"config\"", ps->argv[0]);
		return -EINVAL;
	}
	if (!name_ok(name))
		return bad_name("option", name);
	o = option_get(ps->cur, name);
	if (!o) {
		o = array_add(&ps->cur->opts, &ps->cur->n_opts, sizeof(*o));
		if (!o)
			return -ENOMEM;
		o->name = strdup(name);
		if (!o->name)
			return -ENOMEM;
	}
	/* an option replaces what was given; a list adds to it */
	if (!list)
		option_clear(o);
	o->list = list;
	o->line = line;
	v = realloc(o->v, (o->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->v = v;
	o->v[o->n] = strdup(val);
	if (!o->v[o->n])
		return -ENOMEM;
	o->n++;
	return 0;
}

static int statement(struct parser *ps, unsigned int line)
{
	const char *cmd = ps->argv[0];
	int err;

	if (ps->argc < 2) {
		pr_err("\"%s\" needs a name", cmd);
		return -EINVAL;
	}
	if (is_cmd(cmd, "package")) {
		if (ps->argc == 2)
			return 0;
		pr_err("unexpected word \"%s\"", ps->argv[2]);
		return -EINVAL;
	}
	if (is_cmd(cmd, "config")) {
		err = st_config(ps);
		if (!err && !ps->cur->line)
			ps->cur->line = line;
		return err;
	}
	if (is_cmd(cmd, "option") || is_cmd(cmd, "list"))
		return st_option(ps, cmd[0] == 'l', line);
	pr_err("unknown statement \"%s\" (config, option, list, package)",
	       cmd);
	return -EINVAL;
}

static void words_free(struct parser *ps)
{
	while (ps->argc)
		free(ps->argv[--ps->argc]);
	memset(ps->argv, 0, sizeof(ps->argv));
}

static int parse_text(struct lexer *lx, const char *fname, struct uci_file *u)
{
	struct parser ps = { .u = u };
	unsigned int line = 1;
	enum token t;
	int err = 0;

	do {
		t = next(lx);
		if (t == TOK_ERR) {
			err = -EINVAL;
		} else if (t == TOK_WORD && ps.argc == UCI_WORDS_MAX) {
			err_context(fname, lx->word_line);
			pr_err("unexpected word \"%s\"", lx->word);
			err = -EINVAL;
		} else if (t == TOK_WORD) {
			if (!ps.argc)
				line = lx->word_line;
			ps.argv[ps.argc] = strdup(lx->word);
			err = ps.argv[ps.argc++] ? 0 : -ENOMEM;
		} else if (ps.argc) {
			err_context(fname, line);
			err = statement(&ps, line);
			words_free(&ps);
		}
	} while (!err && t != TOK_EOF);
	if (err == -ENOMEM)
		pr_err("out of memory");
	words_free(&ps);
	err_context(NULL, 0);
	return err;
}

/* The whole file, NUL terminated; NULL after saying why not */
static char *slurp(FILE *f, const char *fname, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap), *b;

	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 < cap)
			continue;
		cap *= 2;
		b = realloc(buf, cap);
		if (!b)
			free(buf);
		buf = b;
	}
	if (!buf) {
		pr_err("out of memory");
		return NULL;
	}
	if (ferror(f)) {
		pr_err("cannot read %s", fname);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int uci_parse(FILE *f, const char *fname, struct uci_file *u)
{
	struct lexer lx = { .fname = fname, .line = 1 };
	size_t len;
	char *text;
	int err;

	memset(u, 0, sizeof(*u));
	u->fname = fname;
	text = slurp(f, fname, &len);
	if (!text)
		return -EIO;
	if (memchr(text, '\0', len)) {
		pr_err("%s: not a text file", fname);
		free(text);
		return -EINVAL;
	}
	lx.p = text;
	lx.end = text + len;
	err = parse_text(&lx, fname, u);
	free(lx.word);
	free(text);
	if (err)
		uci_release(u);
	return err;
}

void uci_release(struct uci_file *u)
{
	unsigned int i, j;

	for (i = 0; i < u->n_secs; i++) {
		struct uci_section *s = &u->secs[i];

		for (j = 0; j < s->n_opts; j++) {
			option_clear(&s->opts[j]);
			free(s->opts[j].v);
			free(s->opts[j].name);
		}
		free(s->opts);
		free(s->type);
		free(s->name);
	}
	free(u->secs);
	u->secs = NULL;
	u->n_secs = 0;
}

const struct uci_option *uci_opt(const struct uci_section *s,
				 const char *name)
{
	return option_get((struct uci_section *)s, name);
}

const char *uci_get(const struct uci_section *s, const char *name)
{
	const struct uci_option *o = uci_opt(s, name);

	return o && o->n ? o->v[o->n - 1] : NULL;
}

const struct uci_section *uci_find(const struct uci_file *u, const char *type,
				   const char *name)
{
	unsigned int i;

	for (i = 0; u && i < u->n_secs; i++) {
		const struct uci_section *s = &u->secs[i];

		if (s->name && !strcmp(s->type, type) && !strcmp(s->name, name))
			return s;
	}
	return NULL;
}
