// SPDX-License-Identifier: GPL-2.0
/*
 * NPTv6 arithmetic. RFC 6296 mode: its worked example, setup validation,
 * round trips and checksum neutrality at many prefix lengths, the word
 * selection and 0xffff rules, refusal outside the prefix, and byte-for-byte
 * agreement with vectors recorded from the kernel's ip6t_NPT
 * (npt-vectors.txt, made by gen-npt-vectors.sh). Prefix mode: the seed's
 * documented pairs, prefixes cutting a byte, every address mappable, and
 * round trips that change nothing but the prefix bits.
 *
 * Usage: test_npt [VECTOR-FILE]   (default: npt-vectors.txt beside it)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "npt.h"
#include "ktap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Prefix lengths of the random round trips and of the oracle vectors. */
static const unsigned int rt_lens[] = {
	1, 17, 32, 45, 48, 52, 56, 57, 60, 63, 64
};
static const unsigned int oracle_lens[] = {
	32, 45, 48, 52, 56, 57, 60, 63, 64
};

#define RT_ADDRS 20000

#define PLAN (6 + 7 + 5 + 8 + 2 * ARRAY_SIZE(rt_lens) + 1 + \
	      2 * ARRAY_SIZE(oracle_lens) + 10 + 2 * ARRAY_SIZE(rt_lens))

static uint64_t rng_state = 0x6296;

/* xorshift64*: reproducible runs without libc's rand(). */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void pton(const char *s, u8 *a)
{
	if (inet_pton(AF_INET6, s, a) != 1) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
}

static const char *ntop(const u8 *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static unsigned int n;
	char *b = buf[n++ % 4];

	return inet_ntop(AF_INET6, a, b, INET6_ADDRSTRLEN);
}

/* "ADDR/LEN" */
static int parse_prefix(const char *s, u8 *a, unsigned int *len)
{
	char tmp[INET6_ADDRSTRLEN + 8], *slash;

	snprintf(tmp, sizeof(tmp), "%s", s);
	slash = strchr(tmp, '/');
	if (!slash)
		return -1;
	*slash = 0;
	*len = atoi(slash + 1);
	return inet_pton(AF_INET6, tmp, a) == 1 ? 0 : -1;
}

static int setup_mode(struct mwan_npt *npt, const char *in, const char *ex,
		      unsigned int len, bool rfc6296)
{
	u8 i[16], e[16];

	pton(in, i);
	pton(ex, e);
	return mwan_npt_init(npt, i, e, len, rfc6296);
}

static int setup(struct mwan_npt *npt, const char *in, const char *ex,
		 unsigned int len)
{
	return setup_mode(npt, in, ex, len, true);
}

static u16 word(const u8 *a, unsigned int w)
{
	return a[2 * w] << 8 | a[2 * w + 1];
}

static void set_word(u8 *a, unsigned int w, u16 v)
{
	a[2 * w] = v >> 8;
	a[2 * w + 1] = v;
}

/* The address's ones'-complement sum as a number mod 0xffff (0xffff == 0). */
static unsigned int addr_sum(const u8 *a)
{
	unsigned int w, s = 0;

	for (w = 0; w < 8; w++)
		s += word(a, w);
	return s % 0xffff;
}

static int translate_str(const struct mwan_npt *npt, const char *from,
			 const char *want, bool outbound)
{
	u8 a[16], b[16];
	int rc;

	pton(from, a);
	pton(want, b);
	rc = mwan_npt_translate(npt, a, outbound);
	if (rc || memcmp(a, b, 16)) {
		printf("# %s %s: rc %d, got %s, want %s\n",
		       outbound ? "out" : "in", from, rc, ntop(a), want);
		return 0;
	}
	return 1;
}

static int refused(const struct mwan_npt *npt, const char *from, bool outbound,
		   int err)
{
	u8 a[16], b[16];
	int rc;

	pton(from, a);
	memcpy(b, a, 16);
	rc = mwan_npt_translate(npt, a, outbound);
	if (rc != err || memcmp(a, b, 16)) {
		printf("# %s %s: rc %d (want %d), left %s\n",
		       outbound ? "out" : "in", from, rc, err, ntop(a));
		return 0;
	}
	return 1;
}

static void test_rfc6296_example(void)
{
	struct mwan_npt npt;
	int rc;

	/* RFC 6296 3.6 (with erratum 3033 for the reply's address) */
	rc = setup(&npt, "fd01:203:405::", "2001:db8:1::", 48);
	ktap_check(!rc, "RFC 6296 prefixes fd01:203:405::/48, 2001:db8:1::/48 accepted");
	ktap_check(npt.adj_out == 0xd54f && npt.adj_in == 0x2ab0,
		   "adjustments are the RFC's 0xD54F out, 0x2AB0 in (got %#x, %#x)",
		   npt.adj_out, npt.adj_in);
	ktap_check(translate_str(&npt, "fd01:203:405:1::1234",
				 "2001:db8:1:d550::1234", true),
		   "fd01:203:405:1::1234 goes out as 2001:db8:1:d550::1234");
	ktap_check(translate_str(&npt, "2001:db8:1:d550::1234",
				 "fd01:203:405:1::1234", false),
		   "2001:db8:1:d550::1234 comes back in as fd01:203:405:1::1234");
	/* the adjusted word is 0xffff here: written as 0x0000 */
	ktap_check(translate_str(&npt, "fd01:203:405:2ab0::2", "2001:db8:1::2",
				 true) &&
		   translate_str(&npt, "2001:db8:1::2", "fd01:203:405:2ab0::2",
				 false),
		   "subnet 0x2ab0 becomes 0x0000, not 0xffff, and returns");
	/*
	 * 0xffff and 0 are the same number: subnet 0xffff goes out like
	 * subnet 0 and comes back as 0 (RFC 6296 4.2: a /48 site must not
	 * use it). ip6t_NPT translates it anyway, and so do we.
	 */
	ktap_check(translate_str(&npt, "fd01:203:405:ffff::1",
				 "2001:db8:1:d54f::1", true) &&
		   translate_str(&npt, "2001:db8:1:d54f::1", "fd01:203:405::1",
				 false),
		   "subnet 0xffff maps like subnet 0 (not 1:1, as in ip6t_NPT)");
}

static void test_init(void)
{
	struct mwan_npt npt;

	ktap_check(setup(&npt, "fd00::", "2001:db8::", 0) == -EINVAL &&
		   setup(&npt, "fd00::", "2001:db8::", 65) == -EINVAL,
		   "lengths 0 and 65 are refused");
	ktap_check(setup(&npt, "8000::", "::", 1) == 0,
		   "/1 is accepted");
	ktap_check(setup(&npt, "fd00:1:2:3::", "2001:db8:0:1::", 64) == 0,
		   "/64 is accepted");
	ktap_check(setup(&npt, "fd00:1:2:3::1", "2001:db8:0:1::", 64) == -EINVAL,
		   "/64 with a host bit set internally is refused");
	ktap_check(setup(&npt, "fd00:1:2::", "2001:db8:0:8000::", 48) == -EINVAL,
		   "/48 with a host bit set externally is refused");
	/* /57: bit 56 is the prefix's last, bit 57 the first host bit */
	ktap_check(setup(&npt, "fd00:1:2:380::", "2001:db8:0:80::", 57) == 0,
		   "/57 with its last prefix bit set is accepted");
	ktap_check(setup(&npt, "fd00:1:2:340::", "2001:db8:0:80::", 57) == -EINVAL,
		   "/57 with its first host bit set is refused");
}

static void test_match(void)
{
	u8 p[16], a[16];

	pton("fd00:1:2:380::", p);
	pton("fd00:1:2:3ff:ffff:ffff:ffff:ffff", a);
	ktap_check(mwan_npt_match(p, 57, a), "last address of a /57 matches");
	pton("fd00:1:2:300::", a);
	ktap_check(!mwan_npt_match(p, 57, a),
		   "last prefix bit of a /57 flipped does not");
	pton("fd00:1:2:37f:ffff:ffff:ffff:ffff", a);
	ktap_check(!mwan_npt_match(p, 57, a), "the address just below does not");
	ktap_check(mwan_npt_match(p, 0, a), "every address is in a /0");
	ktap_check(mwan_npt_match(p, 128, p) && !mwan_npt_match(p, 128, a),
		   "a /128 matches only itself");
}

/* A random prefix of @len with host bits clear. */
static void random_prefix(u8 *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned int keep = len > 8 * i ? len - 8 * i : 0;

		p[i] = rnd();
		if (keep < 8)
			p[i] &= (u8)(0xff << (8 - keep));
	}
}

/* A random address in @p/@len, IID words leaning to 0xffff and 0. */
static void random_in(u8 *a, const u8 *p, unsigned int len)
{
	unsigned int i, w;

	for (i = 0; i < 16; i++) {
		unsigned int keep = len > 8 * i ? len - 8 * i : 0;
		u8 m = keep >= 8 ? 0xff : (u8)(0xff << (8 - keep));

		a[i] = (p[i] & m) | ((u8)rnd() & ~m);
	}
	for (w = 3; w < 8; w++) {
		unsigned int r = rnd() % 10;

		if (8 * 2 * w < len)
			continue;	/* word 3 of a /49../63 is partly prefix */
		if (r < 3)
			set_word(a, w, 0xffff);
		else if (r < 4)
			set_word(a, w, 0);
	}
}

static int expected_word(const u8 *a, unsigned int len)
{
	unsigned int w;

	if (len <= 48)
		return 3;
	for (w = 4; w < 8; w++)
		if (word(a, w) != 0xffff)
			return w;
	return -1;
}

/*
 * One address through and back: the image lies in the other prefix, has
 * the same sum, differs only in the prefix and the expected word (never
 * 0xffff), and returns to the original. All-ones IIDs must be refused.
 */
static int round_trip(const struct mwan_npt *npt, const u8 *orig,
		      bool outbound, unsigned int *refusals)
{
	const u8 *to = outbound ? npt->external : npt->internal;
	int w = expected_word(orig, npt->len), rc;
	u8 a[16], b[16];
	unsigned int i;

	memcpy(a, orig, 16);
	rc = mwan_npt_translate(npt, a, outbound);
	if (w < 0) {
		*refusals += 1;
		return rc == -ERANGE && !memcmp(a, orig, 16);
	}
	if (rc || !mwan_npt_match(to, npt->len, a) ||
	    addr_sum(a) != addr_sum(orig) || word(a, w) == 0xffff)
		return 0;
	memcpy(b, a, 16);
	set_word(b, w, word(orig, w));
	for (i = 0; i < 16; i++) {
		unsigned int keep = npt->len > 8 * i ? npt->len - 8 * i : 0;
		u8 m = keep >= 8 ? 0xff : (u8)(0xff << (8 - keep));

		if ((b[i] ^ orig[i]) & ~m)
			return 0;
	}
	rc = mwan_npt_translate(npt, a, !outbound);
	/* subnet 0xffff (/48 and shorter) cannot come back: see above */
	if (npt->len <= 48 && word(orig, 3) == 0xffff)
		return !rc && word(a, 3) == 0;
	return !rc && !memcmp(a, orig, 16);
}

static void test_round_trips(void)
{
	unsigned int l, n, dir;

	for (l = 0; l < ARRAY_SIZE(rt_lens); l++) {
		for (dir = 0; dir < 2; dir++) {
			unsigned int len = rt_lens[l], bad = 0, refusals = 0;
			struct mwan_npt npt;
			u8 i[16], e[16], a[16];

			random_prefix(i, len);
			random_prefix(e, len);
			if (mwan_npt_init(&npt, i, e, len, true))
				bad++;
			for (n = 0; n < RT_ADDRS && !bad; n++) {
				random_in(a, dir ? e : i, len);
				if (!round_trip(&npt, a, !dir, &refusals)) {
					printf("# /%u %s: %s fails\n", len,
					       dir ? "in" : "out", ntop(a));
					bad++;
				}
			}
			ktap_check(!bad,
				   "/%u %s: %u random addresses there and back, checksum-neutral, one word changed (%u all-ones IIDs refused)",
				   len, dir ? "in" : "out", n, refusals);
		}
	}
}

static void test_word_selection(void)
{
	struct mwan_npt n64, n57, n48;

	setup(&n64, "fd27:e58:d9b3:a461::", "2a09:7f2d:86e1:bc5::", 64);
	setup(&n57, "fd24:5bd0:c817:2380::", "2a06:d93c:6a52:8f00::", 57);
	setup(&n48, "fd01:203:405::", "2001:db8:1::", 48);
	ktap_check(refused(&n64, "fd27:e58:d9b3:a461:ffff:ffff:ffff:ffff", true, -ERANGE) &&
		   refused(&n64, "2a09:7f2d:86e1:bc5:ffff:ffff:ffff:ffff", false, -ERANGE),
		   "/64: an all-ones IID is refused both ways, address untouched");
	ktap_check(refused(&n57, "fd24:5bd0:c817:23ff:ffff:ffff:ffff:ffff", true, -ERANGE),
		   "/57: an all-ones IID is refused too");
	ktap_check(translate_str(&n48, "fd01:203:405:1:ffff:ffff:ffff:ffff",
				 "2001:db8:1:d550:ffff:ffff:ffff:ffff", true),
		   "/48: an all-ones IID is fine, word 3 is adjusted");
	/* values from the oracle: words 4..6 0xffff, word 7 adjusted */
	ktap_check(translate_str(&n64, "fd27:e58:d9b3:a461:ffff:ffff:ffff:0",
				 "2a09:7f2d:86e1:bc5:ffff:ffff:ffff:4db8", true),
		   "/64: the first IID word that is not 0xffff is adjusted");
	ktap_check(translate_str(&n64, "2a09:7f2d:86e1:bc5:0:6a09:e30e:0",
				 "fd27:e58:d9b3:a461:b247:6a09:e30e:0", false),
		   "/64: word 4 when it is not 0xffff");
	ktap_check(refused(&n64, "fd27:e58:d9b3:a460::1", true, -ENOENT) &&
		   refused(&n64, "2a09:7f2d:86e1:bc5::1", true, -ENOENT),
		   "/64 out: an address outside the internal prefix is refused");
	ktap_check(refused(&n64, "fd27:e58:d9b3:a461::1", false, -ENOENT),
		   "/64 in: an address outside the external prefix is refused");
	/* bit 56 is the /57's last prefix bit */
	ktap_check(refused(&n57, "fd24:5bd0:c817:2300::1", true, -ENOENT),
		   "/57: last prefix bit flipped is outside");
}

/* Oracle vectors: one group per prefix pair and direction. */
struct group {
	unsigned int len, total, same;
};

static struct group groups[2][ARRAY_SIZE(oracle_lens)];

static struct group *group_of(unsigned int len, bool outbound)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(oracle_lens); i++)
		if (oracle_lens[i] == len)
			return &groups[outbound][i];
	return NULL;
}

/* Check one "out|in FROM TO|drop" line against the current pair. */
static void check_vector(const struct mwan_npt *npt, const char *dir,
			 const char *from, const char *to, unsigned int lineno)
{
	bool outbound = !strcmp(dir, "out");
	struct group *g = group_of(npt->len, outbound);
	u8 a[16], b[16];
	int rc, ok;

	pton(from, a);
	memcpy(b, a, 16);
	rc = mwan_npt_translate(npt, a, outbound);
	if (!strcmp(to, "drop")) {
		ok = rc == -ERANGE && !memcmp(a, b, 16);
	} else {
		pton(to, b);
		ok = !rc && !memcmp(a, b, 16);
	}
	if (!ok)
		printf("# line %u: %s %s: rc %d, got %s, ip6t_NPT %s\n",
		       lineno, dir, from, rc, ntop(a), to);
	if (g) {
		g->total++;
		g->same += ok;
	}
}

static int load_oracle(const char *path, unsigned int *vectors)
{
	char line[256], w1[16], w2[64], w3[64];
	struct mwan_npt npt = { .len = 0 };
	unsigned int lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("# cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		u8 i[16], e[16];
		unsigned int li, le;

		lineno++;
		if (line[0] == '#' || sscanf(line, "%15s %63s %63s", w1, w2, w3) != 3)
			continue;
		if (!strcmp(w1, "npt")) {
			if (parse_prefix(w2, i, &li) || parse_prefix(w3, e, &le) ||
			    li != le || mwan_npt_init(&npt, i, e, li, true)) {
				printf("# line %u: bad pair\n", lineno);
				npt.len = 0;
			}
		} else if (npt.len && (!strcmp(w1, "out") || !strcmp(w1, "in"))) {
			check_vector(&npt, w1, w2, w3, lineno);
			*vectors += 1;
		}
	}
	fclose(f);
	return 0;
}

static void test_oracle(const char *path)
{
	unsigned int l, dir, vectors = 0;
	int rc = load_oracle(path, &vectors);

	ktap_check(!rc && vectors >= 300, "%u ip6t_NPT vectors read from %s",
		   vectors, path);
	for (l = 0; l < ARRAY_SIZE(oracle_lens); l++) {
		for (dir = 0; dir < 2; dir++) {
			struct group *g = &groups[!dir][l];

			ktap_check(g->total && g->same == g->total,
				   "/%u %s: %u/%u byte-identical to ip6t_NPT",
				   oracle_lens[l], dir ? "in" : "out",
				   g->same, g->total);
		}
	}
}

/*
 * The mappings the Debian router of issue 3 documents: internal
 * 3d06:bad:b01::/60, AT&T 2600:1700:2f71:c80::/60, Webpass
 * 2604:5500:c271:be00::/60, hosts keeping their subnet and IID.
 */
static void test_prefix_seed(void)
{
	struct mwan_npt att, wp, att6296;
	int rc;

	rc = setup_mode(&att, "3d06:bad:b01::", "2600:1700:2f71:c80::", 60,
			false) |
	     setup_mode(&wp, "3d06:bad:b01::", "2604:5500:c271:be00::", 60,
			false);
	ktap_check(!rc && !att.rfc6296 && !wp.rfc6296,
		   "prefix mode: the seed's /60 pairs are accepted");
	ktap_check(translate_str(&att, "3d06:bad:b01:1::100",
				 "2600:1700:2f71:c81::100", true) &&
		   translate_str(&att, "2600:1700:2f71:c81::100",
				 "3d06:bad:b01:1::100", false),
		   "AT&T: 3d06:bad:b01:1::100 leaves as 2600:1700:2f71:c81::100 and comes back");
	ktap_check(translate_str(&wp, "3d06:bad:b01:2::50",
				 "2604:5500:c271:be02::50", true) &&
		   translate_str(&wp, "2604:5500:c271:be02::50",
				 "3d06:bad:b01:2::50", false),
		   "Webpass: 3d06:bad:b01:2::50 leaves as 2604:5500:c271:be02::50 and comes back");
	/* the same pair checksum-neutral rewrites a word of the IID */
	setup(&att6296, "3d06:bad:b01::", "2600:1700:2f71:c80::", 60);
	ktap_check(translate_str(&att6296, "3d06:bad:b01:1::100",
				 "2600:1700:2f71:c81:dac2::100", true),
		   "RFC 6296 mode maps 3d06:bad:b01:1::100 to 2600:1700:2f71:c81:dac2::100 instead");
	ktap_check(translate_str(&att, "3d06:bad:b01:f:ffff:ffff:ffff:ffff",
				 "2600:1700:2f71:c8f:ffff:ffff:ffff:ffff", true) &&
		   translate_str(&att, "2600:1700:2f71:c80::",
				 "3d06:bad:b01::", false),
		   "prefix mode: all-ones and all-zero IIDs map too (no unmappable address)");
	ktap_check(refused(&att, "3d06:bad:b01:10::100", true, -ENOENT) &&
		   refused(&att, "2600:1700:2f71:c81::100", true, -ENOENT) &&
		   refused(&att, "3d06:bad:b01:1::100", false, -ENOENT) &&
		   refused(&wp, "2600:1700:2f71:c81::100", false, -ENOENT),
		   "prefix mode: addresses outside the prefix translated from are refused, untouched");
}

static void test_prefix_odd(void)
{
	struct mwan_npt n57, n1, n63;

	/* /57: the top bit of byte 7 is prefix, its other 7 bits are kept */
	ktap_check(!setup_mode(&n57, "fd24:5bd0:c817:2380::",
			       "2a06:d93c:6a52:8f00::", 57, false) &&
		   translate_str(&n57, "fd24:5bd0:c817:23ff:1:2:3:4",
				 "2a06:d93c:6a52:8f7f:1:2:3:4", true) &&
		   translate_str(&n57, "2a06:d93c:6a52:8f7f:1:2:3:4",
				 "fd24:5bd0:c817:23ff:1:2:3:4", false),
		   "/57: the byte the prefix cuts keeps its host bits, both ways");
	ktap_check(refused(&n57, "fd24:5bd0:c817:237f::1", true, -ENOENT),
		   "/57: last prefix bit flipped is outside");
	ktap_check(!setup_mode(&n1, "8000::", "::", 1, false) &&
		   translate_str(&n1, "8123:4567::89", "123:4567::89", true) &&
		   translate_str(&n1, "7fff::1", "ffff::1", false),
		   "/1: only the top bit changes");
	ktap_check(!setup_mode(&n63, "fd26:6c13:a8f2:5e9a::",
			       "2a08:b4e7:2c9:d35c::", 63, false) &&
		   translate_str(&n63, "fd26:6c13:a8f2:5e9b:ffff:ffff:ffff:ffff",
				 "2a08:b4e7:2c9:d35d:ffff:ffff:ffff:ffff", true),
		   "/63: the last subnet bit and an all-ones IID are kept");
}

/*
 * Random prefixes and addresses: the image is the other prefix's bits
 * followed by the original's, computed here bit by bit, and comes back.
 */
static void test_prefix_round_trips(void)
{
	unsigned int l, n, dir, b;

	for (l = 0; l < ARRAY_SIZE(rt_lens); l++) {
		for (dir = 0; dir < 2; dir++) {
			unsigned int len = rt_lens[l], bad = 0;
			struct mwan_npt npt;
			u8 i[16], e[16], a[16], x[16], want[16];
			const u8 *to = dir ? i : e;

			random_prefix(i, len);
			random_prefix(e, len);
			if (mwan_npt_init(&npt, i, e, len, false))
				bad++;
			for (n = 0; n < RT_ADDRS && !bad; n++) {
				random_in(a, dir ? e : i, len);
				for (b = 0; b < 128; b++) {
					const u8 *src = b < len ? to : a;
					u8 bit = 0x80 >> (b % 8);

					want[b / 8] &= ~bit;
					want[b / 8] |= src[b / 8] & bit;
				}
				memcpy(x, a, 16);
				if (mwan_npt_translate(&npt, x, !dir) ||
				    memcmp(x, want, 16) ||
				    mwan_npt_translate(&npt, x, dir) ||
				    memcmp(x, a, 16)) {
					printf("# /%u %s: %s fails\n", len,
					       dir ? "in" : "out", ntop(a));
					bad++;
				}
			}
			ktap_check(!bad,
				   "prefix mode /%u %s: %u random addresses change only their prefix bits, and come back",
				   len, dir ? "in" : "out", n);
		}
	}
}

int main(int argc, char **argv)
{
	char path[4096], self[4096];

	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
	} else {
		/* dirname() may write into its argument */
		snprintf(self, sizeof(self), "%s", argv[0]);
		snprintf(path, sizeof(path), "%s/npt-vectors.txt",
			 dirname(self));
	}
	ktap_plan("npt", PLAN);
	test_rfc6296_example();
	test_init();
	test_match();
	test_word_selection();
	test_round_trips();
	test_oracle(path);
	test_prefix_seed();
	test_prefix_odd();
	test_prefix_round_trips();
	return ktap_finish();
}
