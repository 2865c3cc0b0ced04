# SPDX-License-Identifier: GPL-2.0
#
# Test double of OpenWrt's include/kernel.mk: KernelPackage evaluates the
# package's definition as OpenWrt's does and prints its variables, one
# "kmod-NAME.VAR=value" line each; KERNEL_MAKE records its arguments
# instead of building against an OpenWrt kernel tree.

KERNEL_MAKE = $(TOPDIR)/record-kernel-make
AutoProbe = autoprobe:$(1)

define KernelPackage
  SUBMENU :=
  TITLE :=
  DEPENDS :=
  FILES :=
  AUTOLOAD :=
  $$(eval $$(KernelPackage/$(1)))
  $$(info kmod-$(1).SUBMENU=$$(strip $$(SUBMENU)))
  $$(info kmod-$(1).TITLE=$$(strip $$(TITLE)))
  $$(info kmod-$(1).DEPENDS=$$(strip $$(DEPENDS)))
  $$(info kmod-$(1).FILES=$$(strip $$(FILES)))
  $$(info kmod-$(1).AUTOLOAD=$$(strip $$(AUTOLOAD)))
  $$(info kmod-$(1).description=$$(if $$(KernelPackage/$(1)/description),yes,no))
endef
