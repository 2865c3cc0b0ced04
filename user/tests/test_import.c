// SPDX-License-Identifier: GPL-2.0
/*
 * mwanctl import-mwan3: the UCI reader (mwanctl/uci.c) and the conversion
 * (mwanctl/import.c), on the festival seed's mwan3 and network files and
 * on OpenWrt's shipped /etc/config/mwan3 (tests/mwan3/), and on the
 * pieces each option becomes. What comes out must also be a file the
 * agent takes (its devices made "lo", which exists here).
 * Run from user/ (make test), where tests/mwan3/ is.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "confparse.h"
#include "import.h"
#include "ktap.h"
#include "uci.h"
#include "util.h"

static char *err_text;
static size_t err_len;
static FILE *saved_stderr;

static void capture_start(void)
{
	fflush(stderr);
	saved_stderr = stderr;
	free(err_text);
	err_text = NULL;
	stderr = open_memstream(&err_text, &err_len);
}

static void capture_end(void)
{
	fclose(stderr);
	stderr = saved_stderr;
}

static int uci_text(const char *text, const char *name, struct uci_file *u)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	capture_start();
	err = uci_parse(f, name, u);
	capture_end();
	fclose(f);
	return err;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct result {
	int err;
	char *out;		/* what import-mwan3 printed */
	char *notes;		/* and said on stderr */
};

/* Import the mwan3 text @m with the network text @net (NULL: none). */
static struct result import(const char *m, const char *net)
{
	struct uci_file um = { 0 }, un = { 0 };
	struct result r = { 0 };
	size_t len;
	FILE *out;

	r.err = uci_text(m, "mwan3", &um);
	if (!r.err && net)
		r.err = uci_text(net, "network", &un);
	if (r.err) {
		r.notes = err_text;
		err_text = NULL;
		uci_release(&um);
		return r;
	}
	out = open_memstream(&r.out, &len);
	capture_start();
	r.err = import_mwan3(&um, net ? &un : NULL, out);
	capture_end();
	fclose(out);
	r.notes = err_text;
	err_text = NULL;
	uci_release(&um);
	uci_release(&un);
	return r;
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->notes);
}

/* The output's statements, its comments left out */
static char *statements(const char *out)
{
	size_t n = strlen(out), k = 0;
	char *s = malloc(n + 1);
	const char *p = out, *nl;

	while (s && *p) {
		nl = strchr(p, '\n');
		nl = nl ? nl + 1 : p + strlen(p);
		if (*p != '#' && *p != '\n') {
			memcpy(s + k, p, nl - p);
			k += nl - p;
		}
		p = nl;
	}
	if (s)
		s[k] = '\0';
	return s;
}

/* @out's statements as the agent reads them, every device made "lo" */
static int agent_takes(const char *out, char **why)
{
	static const char *const kw[] = { " dev ", " iif " };
	char *s = statements(out), *p, *w;
	unsigned int k;
	struct mwan_config cfg = { 0 };
	struct checks cs = { 0 };
	FILE *f;
	int err;

	for (k = 0; s && k < 2; k++) {
		for (p = strstr(s, kw[k]); p; p = strstr(p, kw[k])) {
			p += strlen(kw[k]);
			w = p + strcspn(p, " \n");
			memmove(p + 2, w, strlen(w) + 1);
			memcpy(p, "lo", 2);
		}
	}
	f = fmemopen(s, strlen(s), "r");
	capture_start();
	err = config_parse_agent(f, "out.conf", &cfg, check_line, &cs);
	if (!err)
		err = checks_resolve(&cs, &cfg, "out.conf");
	capture_end();
	fclose(f);
	*why = err_text;
	err_text = NULL;
	checks_release(&cs);
	mwan_config_release(&cfg);
	free(s);
	return err;
}

static bool has(const char *text, const char *what)
{
	return text && strstr(text, what);
}

/* Each of @lines (NULL ended) is a whole line of @text */
static bool has_lines(const char *text, const char *const *lines)
{
	char buf[512];

	for (; *lines; lines++) {
		snprintf(buf, sizeof(buf), "\n%s\n", *lines);
		if (!text || (strncmp(text, buf + 1, strlen(buf + 1)) &&
			      !strstr(text, buf))) {
			printf("# missing: %s\n", *lines);
			return false;
		}
	}
	return true;
}

/* @text is @lines, in order, and nothing else */
static bool same_lines(const char *text, const char *const *lines)
{
	size_t len;

	for (; *lines; lines++) {
		len = strlen(*lines);
		if (strncmp(text, *lines, len) || text[len] != '\n')
			return false;
		text += len + 1;
	}
	return !*text;
}

static void test_uci(void)
{
	struct uci_file u;
	const struct uci_section *s;
	const struct uci_option *o;
	int err;

	err = uci_text("package mwan3\n"
		       "# a comment\n"
		       "config interface 'wan'   # after a section\n"
		       "\toption enabled 1\n"
		       "\toption family \"ipv4\"\n"
		       "\tlist track_ip '1.1.1.1'\n"
		       "\tlist track_ip 8.8.8.8#comment\n"
		       "\toption empty\n"
		       "\to quoted 'a b'\"c\\\"d\"e\\ f\n"
		       "\toption multi 'one\ntwo'\n"
		       "\toption cont a\\\nb\n"
		       "c rule; o use_policy x; l a 1; l a 2\n"
		       "config interface wan\n"
		       "\toption enabled 0\n"
		       "config rule\n", "f", &u);
	ktap_check(!err && u.n_secs == 3, "uci: three sections, a named one given twice is one");
	s = err ? NULL : uci_find(&u, "interface", "wan");
	ktap_check(s && s->line == 3 && !strcmp(uci_get(s, "enabled"), "0") &&
		   !strcmp(uci_get(s, "family"), "ipv4"),
		   "uci: an option given again replaces the value; double quotes");
	o = s ? uci_opt(s, "track_ip") : NULL;
	ktap_check(o && o->list && o->n == 2 && !strcmp(o->v[0], "1.1.1.1") &&
		   !strcmp(o->v[1], "8.8.8.8") && o->line == 7,
		   "uci: list values in order, a comment ends an unquoted word");
	ktap_check(s && !strcmp(uci_get(s, "empty"), ""),
		   "uci: an option without a value is empty");
	ktap_check(s && !strcmp(uci_get(s, "quoted"), "a bc\"de f"),
		   "uci: quoted parts make one word, backslash escapes");
	ktap_check(s && !strcmp(uci_get(s, "multi"), "one\ntwo") &&
		   !strcmp(uci_get(s, "cont"), "ab"),
		   "uci: quotes over two lines, a backslash joins lines");
	s = err ? NULL : &u.secs[1];
	o = s ? uci_opt(s, "a") : NULL;
	ktap_check(s && !s->name && s->index == 0 && s->line == 14 &&
		   !strcmp(uci_get(s, "use_policy"), "x") && o && o->n == 2,
		   "uci: short words and ';' between statements");
	ktap_check(!err && !u.secs[2].name && u.secs[2].index == 1,
		   "uci: anonymous sections are counted per type");
	uci_release(&u);
}

static void test_uci_errors(void)
{
	static const struct {
		const char *text, *msg;
	} t[] = {
		{ "option a b\n", "f:1: \"option\" before the first \"config\"" },
		{ "config rule\n\toption a 'b\n\n", "f:2: ' without its closing '" },
		{ "config rule\n\toption a \"b\\\"\n", "f:2: \" without its closing \"" },
		{ "config rule x y\n", "f:1: unexpected word \"y\"" },
		{ "config rule\n\toption a b c\n", "f:2: unexpected word \"c\"" },
		{ "config rule 'a-b'\n", "f:1: invalid section name \"a-b\"" },
		{ "config rule\n\toption 'a.b' c\n", "f:2: invalid option name \"a.b\"" },
		{ "config 'a b'\n", "f:1: invalid section type \"a b\"" },
		{ "config rule\n\tset a b\n", "f:2: unknown statement \"set\"" },
		{ "config\n", "f:1: \"config\" needs a name" },
		{ "config rule x\nconfig policy x\n",
		  "f:2: section \"x\" of type \"rule\" given again as \"policy\"" },
	};
	struct uci_file u;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		err = uci_text(t[i].text, "f", &u);
		ktap_check(err && has(err_text, t[i].msg), "uci error: %s",
			   t[i].msg);
		if (!err || !has(err_text, t[i].msg))
			printf("# got: %s", err_text ? err_text : "(nothing)\n");
		uci_release(&u);
	}
}

static char *fixture(const char *name)
{
	char path[128];
	char *s;

	snprintf(path, sizeof(path), "tests/mwan3/%s", name);
	s = slurp(path);
	if (!s)
		printf("# cannot read %s (run from user/)\n", path);
	return s;
}

/* The output must be what the agent takes, and say where it came from. */
static void check_agent(const struct result *r, const char *what)
{
	char *why = NULL;
	int err = r->out ? agent_takes(r->out, &why) : -EINVAL;

	ktap_check(!err, "%s: the agent takes the output", what);
	if (err)
		printf("# %s", why ? why : "(no output)\n");
	free(why);
}

static void test_festival(void)
{
	static const char *const want[] = {
		"link add wg1wan dev wg1 id 1",
		"check wg1wan icmp 1.1.1.1 interval 3s failure-interval 1s recovery-interval 1s timeout 1s count 1 down 3 up 3 initial down down-action flush",
		"link add wg2wan dev wg2 id 2",
		"check wg2wan icmp 8.8.8.8 interval 3s failure-interval 1s recovery-interval 1s timeout 1s count 1 down 3 up 3 initial down down-action flush",
		"link add wg3wan dev wg3 id 3",
		"check wg3wan icmp 9.9.9.9 interval 3s failure-interval 1s recovery-interval 1s timeout 1s count 1 down 3 up 3 initial down down-action flush",
		"policy add balanced_v4 last-resort unreachable member wg1wan metric 10 weight 10 member wg2wan metric 10 weight 10 member wg3wan metric 10 weight 10",
		"policy add balanced_v4_src mode src last-resort unreachable member wg1wan metric 10 weight 10 member wg2wan metric 10 weight 10 member wg3wan metric 10 weight 10",
		"policy add balanced_v6 last-resort unreachable",
		"rule add https_v4 policy balanced_v4_src family ipv4 proto tcp dport 443 local",
		"rule add https_v6 policy balanced_v6 family ipv6 proto tcp dport 443",
		"rule add default_rule_v4 policy balanced_v4 family ipv4 local",
		"rule add default_rule_v6 policy balanced_v6 family ipv6",
		NULL
	};
	char *m = fixture("festival/mwan3"), *net = fixture("festival/network");
	struct result r = { .err = -EINVAL };
	char *st;

	if (m && net)
		r = import(m, net);
	st = r.out ? statements(r.out) : NULL;
	ktap_check(!r.err && has_lines(st, want),
		   "festival: links with mwan3's ids and the tunnels' devices, checks, the policy per family, the rules");
	ktap_check(st && same_lines(st, want),
		   "festival: nothing more");
	ktap_check(has(r.notes, "mwan3:12: not carried over: globals: rt_table_lookup '210' '211' '212': ") &&
		   has(r.notes, "mwan3:8: not carried over: globals: logging '1': ") &&
		   has(r.notes, "mwan3:9: not carried over: globals: loglevel 'notice': "),
		   "festival: logging and rt_table_lookup are said to be left out, with file and line");
	ktap_check(has(r.notes, "mwan3:55: note: interface wg1wan: flush_conntrack 'disconnected': down-action flush: when the link goes down, its own connections are deleted; mwan3 flushed the whole conntrack table"),
		   "festival: flush_conntrack is down-action flush, and the difference said");
	ktap_check(has(r.out, "\n# not carried over: globals: rt_table_lookup '210' '211' '212': ") &&
		   has(r.out, "\n# note: rule https: sticky '1': "),
		   "festival: the notes are comments in the output too");
	ktap_check(has(r.out, "# devices from the network configuration network\n"),
		   "festival: the output names the network file");
	check_agent(&r, "festival");
	free(st);
	result_free(&r);
	free(m);
	free(net);
}

static void test_openwrt(void)
{
	static const char *const want[] = {
		"link add wan dev wan id 1",
		"check wan icmp 1.0.0.1 1.1.1.1 208.67.222.222 208.67.220.220 interval 10s failure-interval 10s recovery-interval 10s timeout 4s count 1 reliability 2 down 5 up 5",
		"policy add wan_only last-resort unreachable member wan metric 1 weight 3",
		"policy add wanb_only last-resort unreachable",
		"policy add balanced_v4 last-resort unreachable member wan metric 1 weight 3",
		"policy add balanced_v4_src mode src last-resort unreachable member wan metric 1 weight 3",
		"policy add balanced_v6 last-resort unreachable",
		"policy add wan_wanb last-resort unreachable member wan metric 1 weight 3",
		"policy add wanb_wan last-resort unreachable member wan metric 2 weight 3",
		"rule add https_v4 policy balanced_v4_src family ipv4 proto tcp dport 443 local",
		"rule add https_v6 policy balanced_v6 family ipv6 proto tcp dport 443",
		"rule add default_rule_v4 policy balanced_v4 family ipv4 local",
		"rule add default_rule_v6 policy balanced_v6 family ipv6",
		NULL
	};
	char *m = fixture("openwrt/mwan3");
	struct result r = { .err = -EINVAL };
	char *st;

	if (m)
		r = import(m, NULL);
	st = r.out ? statements(r.out) : NULL;
	ktap_check(!r.err && has_lines(st, want) && !has(st, "wanb dev"),
		   "openwrt: the enabled wan with mwan3's timing, the disabled ones left out, policies by family");
	ktap_check(has(r.notes, "mwan3:22: not carried over: interface wan6: not enabled: mwan3 does not use it, and its id 2 stays unused"),
		   "openwrt: disabled interfaces said to be left out");
	ktap_check(has(r.notes, "note: interface wan: its device is unknown, no network configuration was given (--network FILE); written as \"wan\": correct it"),
		   "openwrt: without a network file the device is said to be unknown");
	check_agent(&r, "openwrt");
	free(st);
	result_free(&r);
	free(m);
}

/* The shipped file with all four enabled, wan6 on wan's device */
static void test_openwrt_dual(void)
{
	static const char *const want[] = {
		"link add wan dev eth1 id 1",
		"check wan icmp 1.0.0.1 1.1.1.1 208.67.222.222 208.67.220.220 2606:4700:4700::1001 2606:4700:4700::1111 2620:119:35::35 2620:119:53::53 interval 10s failure-interval 10s recovery-interval 10s timeout 4s count 1 reliability 4 down 5 up 5",
		"link add wanb dev pppoe-wanb id 3",
		"policy add balanced last-resort unreachable member wan metric 1 weight 3 member wanb metric 1 weight 3",
		"policy add balanced_src mode src last-resort unreachable member wan metric 1 weight 3 member wanb metric 1 weight 3",
		"policy add wan_wanb last-resort unreachable member wan metric 1 weight 3 member wanb metric 2 weight 2",
		"rule add https policy balanced_src proto tcp dport 443",
		"rule add default_rule_v4 policy balanced family ipv4 local",
		"rule add default_rule_v6 policy balanced family ipv6",
		NULL
	};
	static const char net[] =
		"config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcp'\n"
		"config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n"
		"config interface 'wanb'\n\toption device 'eth2'\n\toption proto 'pppoe'\n"
		"config interface 'wanb6'\n\toption device '@wanb'\n\toption proto 'dhcpv6'\n";
	char *m = fixture("openwrt/mwan3"), *p;
	struct result r = { .err = -EINVAL };
	char *st;

	for (p = m; p && (p = strstr(p, "enabled '0'")); )
		p[9] = '1';
	if (m)
		r = import(m, net);
	st = r.out ? statements(r.out) : NULL;
	ktap_check(!r.err && has_lines(st, want),
		   "openwrt, all enabled: wan and wan6 are one link (and wanb and wanb6), IPv4 and IPv6 targets, policies and rules for both families");
	ktap_check(st && !has(st, "id 2") && !has(st, "id 4") &&
		   !has(st, "policy add balanced_v"),
		   "openwrt, all enabled: no link of wan6's id, no policy split by family");
	ktap_check(has(r.notes, "interface wan6: shares device eth1 with interface wan: both are link wan (id 1), which carries IPv4 and IPv6 alike; id 2 stays unused"),
		   "openwrt, all enabled: the merge is said");
	check_agent(&r, "openwrt, all enabled");
	free(st);
	result_free(&r);
	free(m);
}

/*
 * Small configurations for one conversion each: wan and wan6 on eth0.2,
 * lte and lte6 on the 3G modem's 3g-lte, the piece's text after them.
 */
static const char base[] =
	"config interface 'wan'\n\toption enabled '1'\n\tlist track_ip '192.0.2.1'\n"
	"config interface 'wan6'\n\toption enabled '1'\n\toption family 'ipv6'\n"
	"config interface 'lte'\n\toption enabled '1'\n"
	"config interface 'lte6'\n\toption enabled '1'\n\toption family 'ipv6'\n"
	"config member 'wan_m'\n\toption interface 'wan'\n"
	"config member 'wan6_m'\n\toption interface 'wan6'\n"
	"config member 'lte_m'\n\toption interface 'lte'\n\toption metric '2'\n"
	"config member 'lte6_m'\n\toption interface 'lte6'\n\toption metric '2'\n"
	"config policy 'p'\n\tlist use_member 'wan_m'\n\tlist use_member 'wan6_m'\n"
	"\tlist use_member 'lte_m'\n\tlist use_member 'lte6_m'\n";
/* the piece's first line */
#define L "27"

static const char base_net[] =
	"config interface 'wan'\n\toption ifname 'eth0.2'\n\toption proto 'dhcp'\n"
	"config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n"
	"config interface 'lte'\n\toption proto '3g'\n\toption device '/dev/ttyUSB0'\n"
	"config interface 'lte6'\n\toption device '@lte'\n\toption proto 'dhcpv6'\n"
	"config interface 'lan'\n\toption type 'bridge'\n\toption ifname 'eth0.1'\n"
	"config interface 'vpn'\n\toption proto 'wireguard'\n";

struct piece {
	const char *more;	/* added to base */
	const char *out;	/* a line the output has */
	const char *note;	/* and the stderr says, or NULL */
};

static const struct piece pieces[] = {
	{ "", "link add wan dev eth0.2 id 1\n", NULL },
	{ "", "link add lte dev 3g-lte id 3\n", NULL },
	{ "", "policy add p last-resort unreachable member wan metric 1 weight 1 member lte metric 2 weight 1\n",
	  "mwan3:4: note: interface wan6: shares device eth0.2 with interface wan: both are link wan (id 1)" },
	{ "", "check wan icmp 192.0.2.1 interval 10s failure-interval 10s recovery-interval 10s timeout 4s count 1 down 5 up 5\n",
	  "mwan3:7: note: interface lte: no track_ip: mwan3 took it as up while netifd had it up" },
	{ "config rule 'web'\n\toption proto 'tcp'\n\toption dest_port '80,443,8000:8080'\n\toption use_policy 'p'\n",
	  "rule add web_3 policy p proto tcp dport 8000-8080\n", NULL },
	{ "config rule 'web'\n\toption proto 'tcp'\n\toption dest_port '80,443'\n\toption src_port '1024:2047'\n\toption use_policy 'p'\n",
	  "rule add web_2 policy p proto tcp sport 1024-2047 dport 443\n", NULL },
	{ "config rule 'two'\n\toption src_ip '10.0.0.0/255.255.255.0,2001:db8::1/64'\n\toption use_policy 'p'\n",
	  "rule add two_1 policy p src 10.0.0.0/24 local\nrule add two_2 policy p src 2001:db8::/64\n",
	  NULL },
	{ "config rule 'ping'\n\toption proto 'icmp'\n\toption dest_port '80'\n\toption use_policy 'p'\n",
	  "rule add ping policy p proto icmp\n",
	  "mwan3:29: not carried over: rule ping: dest_port '80': ports need proto tcp or udp: mwan3 ignores them, so does this rule" },
	{ "config rule 'v6'\n\toption proto 'ipv6-icmp'\n\toption family 'ipv6'\n\toption use_policy 'p'\n",
	  "rule add v6 policy p family ipv6 proto icmpv6\n", NULL },
	{ "config rule 'set'\n\toption ipset 'streaming'\n\toption use_policy 'p'\n",
	  NULL, "mwan3:28: not carried over: rule set: ipset 'streaming': mwan rules match no ipsets: the rule is left out" },
	{ "config rule 'bad'\n\toption family 'ipv6'\n\toption dest_ip '192.0.2.0/24'\n\toption use_policy 'p'\n",
	  NULL, "mwan3:" L ": not carried over: rule bad: its addresses are of another family than its family option: mwan3 skips it" },
	{ "config rule\n\toption use_policy 'unreachable'\n\toption src_iface 'lan'\n",
	  "rule add rule1 policy unreachable iif br-lan\n", NULL },
	{ "config rule\n\toption use_policy 'blackhole'\n\toption sticky '1'\n",
	  "policy add blackhole last-resort blackhole\n", NULL },
	{ "config rule 'vpn'\n\toption use_policy 'p'\n\toption src_iface 'vpn'\n\toption logging '1'\n",
	  "rule add vpn policy p iif vpn\n",
	  "mwan3:30: not carried over: rule vpn: logging '1': mwan logs no connections" },
	{ "config rule 'x'\n\toption use_policy 'p'\n\toption src_iface 'guest'\n",
	  "rule add x policy p iif guest\n",
	  "mwan3:29: note: rule x: src_iface 'guest': its device is unknown, the network configuration has no interface guest; written as \"guest\": correct it" },
	{ "config rule 'nope'\n\toption use_policy 'q'\n",
	  NULL, "mwan3:28: not carried over: rule nope: use_policy 'q': no such policy: mwan3 skips the rule" },
	{ "config rule 'a_long_rule_name_x'\n\toption use_policy 'p'\n",
	  "rule add a_long_rule_nam policy p\n",
	  "note: rule a_long_rule_name_x: mwan names hold 15 characters: the rule is \"a_long_rule_nam\"" },
	{ "config interface 'wan'\n\toption track_method 'httping'\n\toption httping_ssl '1'\n",
	  "check wan tcp 192.0.2.1:443 interval 10s",
	  "mwan3:28: note: interface wan: track_method 'httping': mwan-agent connects to port 443 of each target by TCP; it sends no HTTP request" },
	{ "config interface 'wan'\n\toption track_method 'nping-tcp'\n\tlist track_ip '2001:db8::1'\n",
	  "check wan tcp 192.0.2.1:80 [2001:db8::1]:80 interval 10s", NULL },
	{ "config interface 'wan'\n\toption track_method 'nslookup'\n",
	  "check wan dns 192.0.2.1 interval 10s", NULL },
	{ "config interface 'wan6'\n\toption track_method 'httping'\n\tlist track_ip '2001:db8::1'\n",
	  "check wan icmp 192.0.2.1 tcp [2001:db8::1]:80 interval 10s", NULL },
	{ "config interface 'wan'\n\toption track_method 'arping'\n",
	  "check wan icmp 192.0.2.1 interval 10s",
	  "mwan3:28: not carried over: interface wan: track_method 'arping': mwan-agent has no arping probe: it checks this link by ICMP echo to the same targets" },
	{ "config interface 'wan'\n\toption check_quality '1'\n\toption failure_latency '800'\n",
	  "check wan icmp 192.0.2.1 interval 10s failure-interval 10s recovery-interval 10s timeout 4s count 1 down 5 up 5 failure-latency 800ms recovery-latency 500ms failure-loss 40% recovery-loss 10%\n",
	  NULL },
	{ "config interface 'wan'\n\toption check_quality '1'\n\toption recovery_loss '50'\n",
	  "check wan icmp 192.0.2.1 interval 10s failure-interval 10s recovery-interval 10s timeout 4s count 1 down 5 up 5 failure-latency 1000ms recovery-latency 500ms failure-loss 40% recovery-loss 10%\n",
	  "not carried over: interface wan: recovery_loss 50 is not below failure_loss 40: mwan3's defaults 10 and 40 are used" },
	{ "config interface 'wan'\n\tlist flush_conntrack 'connected'\n\tlist flush_conntrack 'ifdown'\n",
	  " recovery-interval 10s timeout 4s count 1 down 5 up 5 down-action flush\n",
	  "mwan3:29: not carried over: interface wan: flush_conntrack 'connected' 'ifdown': \"connected\": mwan-agent flushes nothing when a link comes up" },
	{ "config interface 'wan'\n\toption timeout '90'\n\toption interval '0.5'\n",
	  "check wan icmp 192.0.2.1 interval 500ms failure-interval 500ms recovery-interval 500ms timeout 60s count 1 down 5 up 5\n",
	  "mwan3:28: note: interface wan: timeout '90': mwan-agent takes 10ms to 60s: 60s" },
	{ "config interface 'wan'\n\tlist track_ip 'example.com'\n\tlist track_ip '2001:db8::1'\n\toption reliability '3'\n",
	  "check wan icmp 192.0.2.1 2001:db8::1 interval 10s failure-interval 10s recovery-interval 10s timeout 4s count 1 reliability 2 down 5 up 5\n",
	  "not carried over: interface wan: track_ip '192.0.2.1' 'example.com' '2001:db8::1': \"example.com\" is not an address: mwan-agent probes addresses" },
	{ "config interface 'wan'\n\toption size '1000'\n\toption bogus 'x'\n",
	  NULL, "mwan3:29: not carried over: interface wan: bogus 'x': not an option of mwan3's interfaces" },
	{ "config globals 'globals'\n\toption mmx_mask '0xff00'\n",
	  "globals set mark-mask 0xff00\n", NULL },
	{ "config globals 'globals'\n\toption mmx_mask '0x3f0f'\n",
	  NULL, "not carried over: globals: mmx_mask '0x3f0f': mwan's mark mask is 1 to 8 contiguous bits" },
	{ "config member 'lte_m'\n\toption metric '300'\n",
	  "policy add p_v4 last-resort unreachable member wan metric 1 weight 1\n",
	  "not carried over: member lte_m: metric '300': above 256: mwan3 ignores the member" },
	{ "config interface 'lte'\n\toption enabled '0'\n",
	  "link add lte6 dev 3g-lte id 4\n",
	  "not carried over: interface lte: not enabled" },
	{ "config interface 'vpn'\n\toption enabled '1'\n\tlist track_ip '10.9.0.1'\n\toption initial_state 'offline'\n",
	  "link add vpn dev vpn id 5\ncheck vpn icmp 10.9.0.1 interval 10s failure-interval 10s recovery-interval 10s timeout 4s count 1 down 5 up 5 initial down\n",
	  NULL },
	{ "config switch\n", NULL,
	  "mwan3:" L ": not carried over: switch @switch[0]: not a section type of mwan3" },
};

static void test_pieces(void)
{
	char text[2048];
	const char *desc;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pieces); i++) {
		const struct piece *t = &pieces[i];
		struct result r;
		bool ok;

		snprintf(text, sizeof(text), "%s%s", base, t->more);
		r = import(text, base_net);
		ok = !r.err && (!t->out || has(r.out, t->out)) &&
		     (!t->note || has(r.notes, t->note));
		desc = t->out ? t->out : t->note;
		ktap_check(ok, "piece %u: %.*s", i, (int)strcspn(desc, "\n"),
			   desc);
		if (!ok)
			printf("# got:\n%s# said:\n%s", r.out ? r.out : "",
			       r.notes ? r.notes : "");
		if (ok && r.out)
			check_agent(&r, "piece");
		result_free(&r);
	}
}

int main(void)
{
	ktap_start();
	test_uci();
	test_uci_errors();
	test_festival();
	test_openwrt();
	test_openwrt_dual();
	test_pieces();
	free(err_text);
	return ktap_finish("test_import");
}
