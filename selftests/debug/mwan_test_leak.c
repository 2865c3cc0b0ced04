// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the debug lane (scripts/check-debug.sh): leaks one
 * allocation at load, so kmemleak must report it. Never installed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

/*
 * Not __init: kmemleak symbolizes its backtraces when the report is read,
 * and by then a module's init code is gone; this function stays.
 */
static noinline void mwan_test_leak_alloc(void)
{
	char *p = kmalloc(200, GFP_KERNEL);

	if (!p)
		return;
	/* a recognisable payload in kmemleak's hex dump ("mmmm") */
	memset(p, 0x6d, 200);
	/* the stores happen; then the pointer is dropped, referenced nowhere */
	barrier_data(p);
}

static int __init mwan_test_leak_init(void)
{
	mwan_test_leak_alloc();
	pr_info("allocated 200 bytes and dropped the pointer\n");
	return 0;
}

static void __exit mwan_test_leak_exit(void)
{
}

module_init(mwan_test_leak_init);
module_exit(mwan_test_leak_exit);
MODULE_DESCRIPTION("mwan debug lane self-test: a memory leak");
MODULE_LICENSE("GPL");
