# SPDX-License-Identifier: MIT
# test-tls: the ktls self-test (os/components/tests/README.md, docs/tls.md),
# built by `make -C os tls` after the BearSSL import (os/lib/tls/component.mk).
$(eval $(call ktls_component,test-tls,$(kide_here),main.c,test-common))
