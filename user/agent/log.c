// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's log on stderr: a line of text per event, or with --log-json
 * one JSON object per line. A link's change of state gets an event id,
 * which the lines about what it caused (the kernel's update, a flush, the
 * hooks) repeat: one id ties a failed probe round to all it led to.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"

static bool json;

void log_json(bool on)
{
	json = on;
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_time(FILE *f)
{
	struct timespec ts;
	struct tm tm;
	char buf[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"time\":\"%s.%03ldZ\"", buf, ts.tv_nsec / 1000000);
}

/*
 * One write per line: lines of concurrent writers stay whole. Built in a
 * memory stream, then written at once.
 */
static void emit(const struct log_event *e, const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (!json) {
		fprintf(f, "%s: %s\n", program_invocation_short_name, text);
	} else {
		put_time(f);
		fputs(",\"event\":", f);
		put_str(f, e ? e->what : "log");
		if (e && e->id)
			fprintf(f, ",\"id\":%u", e->id);
		if (e && e->link) {
			fputs(",\"link\":", f);
			put_str(f, e->link);
		}
		if (e && e->dev) {
			fputs(",\"dev\":", f);
			put_str(f, e->dev);
		}
		if (e && e->old_state) {
			fputs(",\"old\":", f);
			put_str(f, e->old_state);
		}
		if (e && e->new_state) {
			fputs(",\"new\":", f);
			put_str(f, e->new_state);
		}
		if (e && e->reason) {
			fputs(",\"reason\":", f);
			put_str(f, e->reason);
		}
		if (e && e->has_quality)
			fprintf(f, ",\"rtt_us\":%u,\"loss_ppm\":%u", e->rtt_us,
				e->loss_ppm);
		if (e && e->has_count)
			fprintf(f, ",\"count\":%d", e->count);
		fputs(",\"msg\":", f);
		put_str(f, text);
		fputs("}\n", f);
	}
	fclose(f);
	if (buf)
		fwrite(buf, 1, len, stderr);
	free(buf);
}

void agent_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(NULL, line);
}

void agent_event(const struct log_event *e, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(e, line);
}
