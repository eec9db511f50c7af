# SPDX-License-Identifier: MIT
# The build of a native component, so that its build.mk says only what it is:
#
#   $(eval $(call kide_component,NAME,SOURCES,LIBS))
#   $(eval $(call kide_library,NAME,SOURCES[,LIBS]))
#
# kide_component builds the sources (relative to the directory of the build.mk
# that calls it) against the component runtime and links them into
# $(BIN)/NAME, the boot-module name; it adds that to KIDE_COMPONENT_ELFS, makes
# a phony target NAME and sets KIDE_ELF_NAME to the binary's path. LIBS names
# libraries made by kide_library (included before their users): each adds its
# directory to the include path and its archive to the link. kide_library
# builds libNAME.a from its sources (relative to its build.mk) with the same
# flags, plus the include paths of the libraries LIBS it uses (their users
# list them after it, for the link). Objects go to $(OSB)/<directory below os/>/, so build/ mirrors the
# source tree. A build.mk builds its own directory and nothing else.
#
# The runtime is reached only through the KIDE_RT_* variables below, so
# changing the runtime (its start code, libraries or flags) changes them and
# no component's build file.
# Needs from the includer: TOP, OSB, BIN, BUILD and the variables named below.

# The start code linked first, the runtime libraries linked last (libkide.a
# carries the JSON library's objects), the compiler flags, the link command and
# what a link also depends on (the link script), and the generated headers that
# must exist before anything that includes the runtime's headers compiles.
KIDE_RT_CC     = $(USER_CC)
KIDE_RT_CFLAGS = $(USER_CFLAGS) $(COMP_CFLAGS)
KIDE_RT_START  = $(BASE_CRT0)
KIDE_RT_LIBS   = $(COMP_LIB) $(BASE_LIB)
KIDE_RT_LD     = $(USER_LD)
KIDE_RT_LDDEPS = $(USER_LDS)
KIDE_RT_HDRS   = $(BASE_HDRS)

# The calling build.mk's directory (without the slash) and its output
# directory. Valid while make reads that file, which is when $(call) runs;
# the dependency files (.d) an earlier call of the same file included are
# skipped, since they join MAKEFILE_LIST too.
kide_here = $(patsubst %/,%,$(dir $(abspath $(lastword $(filter-out %.d,$(MAKEFILE_LIST))))))
kide_out  = $(OSB)/$(patsubst $(TOP)/os/%,%,$(1))

# kide_objects DIR, SOURCES: the object of each source.
kide_objects = $(patsubst %.c,$(call kide_out,$(1))/%.o,$(2))

# kide_compile DIR, SOURCES, CFLAGS: the rule compiling SOURCES of DIR.
define kide_compile
$(call kide_objects,$(1),$(2)): $(call kide_out,$(1))/%.o: $(1)/%.c $$(KIDE_RT_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$(patsubst $$(TOP)/%,%,$$<)"
	@$$(KIDE_RT_CC) $$(KIDE_RT_CFLAGS) $(3) -c $$< -o $$@
-include $(patsubst %.o,%.d,$(call kide_objects,$(1),$(2)))
endef

# kide_lib_check NAME: stop with a message naming the unknown library.
kide_lib_check = $(if $(KIDE_LIB_$(1)),,$(error kide_component: library '$(1)' is unknown \
                   (no kide_library call made it before this build.mk)))

define kide_library
$(if $(KIDE_LIB_$(1)),$(error kide_library: library '$(1)' is made twice))
KIDE_LIB_$(1) := $(call kide_out,$(kide_here))/lib$(1).a
KIDE_LIB_INC_$(1) := -I$(kide_here)
$(foreach l,$(3),$(call kide_lib_check,$(l)))
$(call kide_compile,$(kide_here),$(2),$(foreach l,$(3),$(KIDE_LIB_INC_$(l))))
$(call kide_out,$(kide_here))/lib$(1).a: $(call kide_objects,$(kide_here),$(2))
	@rm -f $$@
	@echo "  AR      $$(patsubst $$(BUILD)/%,build/%,$$@)"
	@ar rcs $$@ $$^
endef

define kide_component
$(foreach l,$(3),$(call kide_lib_check,$(l)))
KIDE_ELF_$(1) := $(BIN)/$(1)
KIDE_COMPONENT_ELFS += $(BIN)/$(1)
$(call kide_compile,$(kide_here),$(2),$(foreach l,$(3),$(KIDE_LIB_INC_$(l))))
$(BIN)/$(1): $(call kide_objects,$(kide_here),$(2)) $(foreach l,$(3),$(KIDE_LIB_$(l))) \
        $$(KIDE_RT_START) $$(KIDE_RT_LIBS) $$(KIDE_RT_LDDEPS)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$(patsubst $$(BUILD)/%,build/%,$$@)"
	@$$(KIDE_RT_LD) -o $$@ $$(KIDE_RT_START) $(call kide_objects,$(kide_here),$(2)) \
	    $(foreach l,$(3),$(KIDE_LIB_$(l))) $$(KIDE_RT_LIBS)
.PHONY: $(1)
$(1): $(BIN)/$(1)
endef
