#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan_map4.sh with the router's TCP and UDP offloaded to an nftables
# flowtable over lan0, wan1 and wan2 (OpenWrt fw4's software flow
# offloading): the same checks, plus that the flowtable really carried
# the mapped flows.

FLOWTABLE=1 exec "$(dirname "$0")/mwan_map4.sh"
