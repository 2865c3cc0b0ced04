// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the debug lane (scripts/check-debug.sh): reads
 * freed memory at load, so KASAN must report a use-after-free. Never
 * installed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

static int __init mwan_test_uaf_init(void)
{
	char *p = kmalloc(128, GFP_KERNEL);
	char c;

	if (!p)
		return -ENOMEM;
	p[16] = 1;
	kfree(p);
	/* keep the compiler from seeing (and dropping) the bad read */
	OPTIMIZER_HIDE_VAR(p);
	c = READ_ONCE(p[16]);
	pr_info("read %d from freed memory on purpose\n", c);
	return 0;
}

static void __exit mwan_test_uaf_exit(void)
{
}

module_init(mwan_test_uaf_init);
module_exit(mwan_test_uaf_exit);
MODULE_DESCRIPTION("mwan debug lane self-test: a use-after-free");
MODULE_LICENSE("GPL");
