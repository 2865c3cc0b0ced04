// SPDX-License-Identifier: GPL-2.0
/*
 * mwan: multi-WAN flow balancing and failover in netfilter.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include "config.h"
#include "netlink.h"
#include "netns.h"
#include "npt_dev.h"

static int __init mwan_init(void)
{
	int ret;

	ret = mwan_config_init();
	if (ret)
		return ret;
	ret = mwan_netns_init();
	if (ret)
		goto err_netns;
	ret = mwan_npt_dev_init();
	if (ret)
		goto err_npt;
	ret = mwan_genl_init();
	if (ret)
		goto err_genl;
	return 0;

err_genl:
	mwan_npt_dev_exit();
err_npt:
	mwan_netns_exit();
err_netns:
	mwan_config_exit();
	return ret;
}

static void __exit mwan_exit(void)
{
	mwan_genl_exit();
	mwan_npt_dev_exit();	/* unhooks every device */
	mwan_netns_exit();
	mwan_config_exit();
}

module_init(mwan_init);
module_exit(mwan_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Multi-WAN flow balancing and failover");
MODULE_AUTHOR("The mwan authors");
MODULE_ALIAS_GENL_FAMILY(MWAN_GENL_NAME);
