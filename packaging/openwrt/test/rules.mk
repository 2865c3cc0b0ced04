# SPDX-License-Identifier: GPL-2.0
#
# Test double of OpenWrt's rules.mk for scripts/verify-openwrt.sh: the
# variables the mwan package Makefile uses, pointing at the host's tools
# and at the test's scratch directories (STUB_* from the command line).

INCLUDE_DIR := $(TOPDIR)/include
BUILD_DIR := $(STUB_BUILD)
INSTALL_DIR := install -d -m0755
INSTALL_BIN := install -m0755
INSTALL_DATA := install -m0644
INSTALL_CONF := install -m0600
CP := cp -fpR
TARGET_CC := cc
TARGET_CFLAGS := -O2
TARGET_CPPFLAGS :=
TARGET_LDFLAGS :=
TARGET_CONFIGURE_OPTS = CC="$(TARGET_CC)"
PKG_CONFIG := pkg-config
