#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan_npt.sh with the router's TCP and UDP offloaded to an nftables
# flowtable over lan0, wan1 and wan2 (OpenWrt fw4's software flow
# offloading): the same checks, plus that the flowtable really carried
# the translated flows. NPT runs on the devices' own hooks, so what the
# flowtable forwards must be translated all the same.

FLOWTABLE=1 exec "$(dirname "$0")/mwan_npt.sh"
