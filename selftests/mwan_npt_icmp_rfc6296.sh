#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan_npt_icmp.sh with the link in RFC 6296 mode: the same errors, the
# LAN host's checksum-neutral image, and no checksum touched on the way.

NPT_MODE=rfc6296 exec "$(dirname "$0")/mwan_npt_icmp.sh"
