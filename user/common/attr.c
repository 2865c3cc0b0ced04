// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "attr.h"

struct attr_tb {
	const struct nlattr **tb;
	unsigned int max;
};

static int attr_tb_cb(const struct nlattr *a, void *data)
{
	const struct attr_tb *t = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

int attr_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
		   const struct nlattr **tb, unsigned int max)
{
	struct attr_tb t = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse(nlh, hdrlen, attr_tb_cb, &t) < 0)
		return -EINVAL;
	return 0;
}

int attr_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		      unsigned int max)
{
	struct attr_tb t = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_nested(nest, attr_tb_cb, &t) < 0)
		return -EINVAL;
	return 0;
}

static int attr_get(const struct nlattr *a, void *v, size_t len)
{
	if (mnl_attr_get_payload_len(a) != len)
		return -EINVAL;
	/* u64 payloads are only 4-byte aligned in netlink */
	memcpy(v, mnl_attr_get_payload(a), len);
	return 0;
}

int attr_get_u8(const struct nlattr *a, uint8_t *v)
{
	return attr_get(a, v, sizeof(*v));
}

int attr_get_u16(const struct nlattr *a, uint16_t *v)
{
	return attr_get(a, v, sizeof(*v));
}

int attr_get_u32(const struct nlattr *a, uint32_t *v)
{
	return attr_get(a, v, sizeof(*v));
}

int attr_get_u64(const struct nlattr *a, uint64_t *v)
{
	return attr_get(a, v, sizeof(*v));
}

int attr_get_bin(const struct nlattr *a, void *buf, size_t len)
{
	return attr_get(a, buf, len);
}

int attr_get_str(const struct nlattr *a, char *buf, size_t size)
{
	size_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	if (!len || strnlen(s, len) != len - 1 || len > size)
		return -EINVAL;
	memcpy(buf, s, len);
	return 0;
}
