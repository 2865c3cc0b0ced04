# SPDX-License-Identifier: GPL-2.0
#
# Test double of OpenWrt's include/package.mk: BuildPackage evaluates the
# package's definition and prints its variables ("NAME.VAR=value"); the
# target stub-build runs Build/Prepare, Build/Compile and the package's
# install into $(STUB_ROOT), as the SDK would.

PKG_BUILD_DIR ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_JOBS ?= -j2

$(info PKG_NAME=$(PKG_NAME))
$(info PKG_VERSION=$(PKG_VERSION))
$(info PKG_RELEASE=$(PKG_RELEASE))
$(info PKG_LICENSE=$(PKG_LICENSE))
$(info PKG_LICENSE_FILES=$(PKG_LICENSE_FILES))
$(info PKG_BUILD_DIR=$(PKG_BUILD_DIR))

define BuildPackage
  SECTION :=
  CATEGORY :=
  TITLE :=
  DEPENDS :=
  $$(eval $$(Package/$(1)))
  $$(info $(1).CATEGORY=$$(strip $$(CATEGORY)))
  $$(info $(1).TITLE=$$(strip $$(TITLE)))
  $$(info $(1).DEPENDS=$$(strip $$(DEPENDS)))
  $$(info $(1).description=$$(if $$(Package/$(1)/description),yes,no))
  $$(info $(1).conffiles=$$(strip $$(Package/$(1)/conffiles)))
endef

stub-build:
	$(Build/Prepare)
	$(Build/Compile)
	$(call Package/$(PKG_NAME)/install,$(STUB_ROOT))

.PHONY: stub-build
