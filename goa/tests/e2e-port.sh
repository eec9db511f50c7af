#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# goa for porters (issue 13): the end-to-end cases a porter meets on real
# upstream packages -- dependency flags, staged installs and their split
# into bin/api/doc/dbg, rebuilds when settings change, detection order,
# upstream test suites, depot users, port revisions, mirrors, targets.
# Each test is named after the issue's point it covers. Drives $GOA (the
# sanitized build); records "passed failed skipped" in $BUILD/results/goa-port.
set -uo pipefail
WORK=$BUILD/goa/e2e-port
rm -rf "$WORK"
mkdir -p "$WORK"
source "$(dirname "$0")/lib.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }

# unpack_all DEPOT: unpack every archive of DEPOT beside itself, as goa install does.
unpack_all() {
	local f
	for f in $(cd "$1" && find . -name '*.tar.xz' | sort); do
		mkdir -p "$1/${f%.tar.xz}"
		tar -xJf "$1/$f" -C "$1/${f%.tar.xz}"
	done
}

# deps_of DEPOT NAME: the flow list of every non-src archive of NAME in DEPOT.
deps_of() {
	(cd "$1" && find . -name '*.tar.xz' | sed 's|^\./||; s|\.tar\.xz$||' | grep "/$2/" | grep -v '/src/' | sort | paste -sd, | sed 's/,/, /g')
}

# A library from the template, exported into ./depot and unpacked there.
exported_library() { # exported_library NAME
	$GOA new --template library "$1"
	$GOA -C "$1" build
	$GOA -C "$1" export --depot "$PWD/depot" --user tester
	unpack_all depot
}

# ---------------------------------------------------------------- point 1
test_p1_plain_program_links_depot_library() {
	exported_library jsonish
	$GOA new --template posix app
	sed -i "s|^artifacts:|depends: [$(deps_of depot jsonish)]\nartifacts:|" app/goa.yaml
	cat >app/src/main.c <<-'C'
	#include <stdio.h>
	#include <jsonish.h>
	int main(void) { printf("hello from app %d\n", jsonish_add(20, 22)); return 0; }
	C
	sed -i 's/hello from app/hello from app 42/' app/goa.yaml
	$GOA -C app build --depot "$PWD/depot"
	$GOA -C app test
}

# ---------------------------------------------------------------- points 2, 9, 7
test_p2_library_that_installs_nothing_is_refused() {
	mkdir -p lib0/src
	printf 'name: lib0\nversion: "1"\ntype: library\nbuild:\n  system: make\n' >lib0/goa.yaml
	printf 'int lib0(void) { return 0; }\n' >lib0/src/lib0.c
	printf 'all:\n\t$(CC) -c lib0.c\ninstall:\n\t@echo nothing to install\n' >lib0/src/Makefile
	expect_fail "the build of lib0 produced nothing to package" $GOA -C lib0 build
	expect_fail "hint: .*build.install: true" $GOA -C lib0 build
	$GOA -C lib0 export --depot "$PWD/d" --user tester || true
	[ ! -e d/tester/bin ] || fail "an empty bin archive was exported"
}

meson_program() {
	$GOA new --template posix p
	printf "project('p', 'c')\nexecutable('p', 'main.c', install: true)\n" >p/src/meson.build
	sed -i 's/system: plain/system: meson/' p/goa.yaml
}

test_p9_artifact_found_in_meson_build_dir() {
	meson_program
	$GOA -C p build
	file p/var/bin/x86_64/p | grep -q "statically linked" || fail "p not collected from _build/"
	$GOA -C p test
}

test_p9_staged_install_needs_no_artifacts() {
	meson_program
	sed -i '/^artifacts:/d; s/binary: p/binary: bin\/p/' p/goa.yaml
	$GOA -C p build
	[ -x p/var/bin/x86_64/bin/p ] || fail "the staged program is not in the bin tree"
	$GOA -C p test
}

test_p9_missing_artifact_names_every_path_tried() {
	meson_program
	sed -i 's/artifacts: \[p\]/artifacts: [nothere]/' p/goa.yaml
	expect_fail "artifact 'nothere' was not built; looked for:" $GOA -C p build
	expect_fail "var/build/x86_64/_build/nothere" $GOA -C p build
	expect_fail "var/install/x86_64/usr/nothere" $GOA -C p build
}

# A cmake library with everything upstream installs: a program, a manual,
# a .pc file with prefix=/usr, CMake package files and a static library.
cmake_library() {
	mkdir -p cl/src
	cat >cl/goa.yaml <<-'Y'
	name: cl
	version: "1.0"
	type: library
	build:
	  system: cmake
	Y
	cat >cl/src/CMakeLists.txt <<-'C'
	cmake_minimum_required(VERSION 3.10)
	project(cl C)
	add_library(cl STATIC cl.c)
	add_executable(cltool tool.c)
	target_link_libraries(cltool cl)
	configure_file(cl.pc.in cl.pc @ONLY)
	install(TARGETS cl cltool)
	install(FILES cl.h DESTINATION include)
	install(FILES ${CMAKE_BINARY_DIR}/cl.pc DESTINATION lib/pkgconfig)
	install(FILES cltool.1 DESTINATION share/man/man1)
	install(FILES clConfig.cmake DESTINATION lib/cmake/cl)
	C
	printf 'int cl_twice(int x);\n' >cl/src/cl.h
	printf '#include "cl.h"\nint cl_twice(int x) { return 2 * x; }\n' >cl/src/cl.c
	printf '#include <stdio.h>\n#include "cl.h"\nint main(void) { printf("%%d\\n", cl_twice(21)); return 0; }\n' >cl/src/tool.c
	printf 'prefix=@CMAKE_INSTALL_PREFIX@\nlibdir=/usr/lib\nincludedir=${prefix}/include\n\nName: cl\nDescription: cl\nVersion: 1.0\nCflags: -I${includedir}\nLibs: -L${libdir} -lcl\n' >cl/src/cl.pc.in
	printf '.TH CLTOOL 1\n' >cl/src/cltool.1
	printf '# CMake package file with absolute paths\n' >cl/src/clConfig.cmake
}

test_p7_exports_stripped_and_split() {
	cmake_library
	$GOA -C cl build
	$GOA -C cl export --depot "$PWD/depot" --user tester
	tar -tJf depot/tester/bin/x86_64/cl/1.0.tar.xz >bin.txt
	grep -q '^bin/cltool$' bin.txt || fail "no program in the bin archive"
	! grep -Eq 'share/man|lib/cmake|\.pc$|\.a$|include/' bin.txt || fail "bin archive carries api or doc files: $(cat bin.txt)"
	tar -tJf depot/tester/api/cl/1.0.tar.xz >api.txt
	for f in include/cl.h lib/libcl.a lib/pkgconfig/cl.pc; do grep -q "^$f$" api.txt || fail "api lacks $f"; done
	! grep -q cmake api.txt || fail "CMake package files exported"
	tar -tJf depot/tester/raw/cl-doc/1.0.tar.xz >doc.txt
	grep -q '^share/man/man1/cltool.1$' doc.txt || fail "no doc archive"
	tar -tJf depot/tester/bin/x86_64/cl-dbg/1.0.tar.xz >dbg.txt
	grep -q '^bin/cltool.debug$' dbg.txt || fail "no debug archive"
	unpack_all depot
	file depot/tester/bin/x86_64/cl/1.0/bin/cltool | grep -q ", stripped" || fail "program not stripped"
	readelf -S depot/tester/bin/x86_64/cl/1.0/bin/cltool >sections.txt
	grep -q gnu_debuglink sections.txt || fail "no debug link"
	grep -q '^prefix=${pcfiledir}/../..$' depot/tester/api/cl/1.0/lib/pkgconfig/cl.pc || fail "the .pc is not relocatable"
	grep -q '^libdir=${prefix}/lib$' depot/tester/api/cl/1.0/lib/pkgconfig/cl.pc || fail "libdir still absolute"
	# Reproducible: exporting again gives the same bytes.
	$GOA -C cl build --rebuild
	$GOA -C cl export --depot "$PWD/depot" --user tester >again.txt 2>&1
	[ "$(grep -c unchanged again.txt)" = 5 ] || fail "a rebuild changed the archives: $(cat again.txt)"
	# A cmake program finds the library through the exported .pc (point 1 for cmake).
	$GOA new --template posix use
	sed -i "s/system: plain/system: cmake/; s|^artifacts:.*|depends: [tester/api/cl/1.0]\nartifacts: [_build/use]|; s/binary: use/binary: _build\/use/" use/goa.yaml
	cat >use/src/CMakeLists.txt <<-'C'
	cmake_minimum_required(VERSION 3.10)
	project(use C)
	find_package(PkgConfig REQUIRED)
	pkg_check_modules(CL REQUIRED IMPORTED_TARGET cl)
	add_executable(use main.c)
	target_link_libraries(use PkgConfig::CL)
	C
	printf '#include <stdio.h>\n#include <cl.h>\nint main(void) { printf("hello from use %%d\\n", cl_twice(4)); return 0; }\n' >use/src/main.c
	sed -i 's/hello from use/hello from use 8/' use/goa.yaml
	$GOA -C use build --depot "$PWD/depot"
	$GOA -C use test
}

# ---------------------------------------------------------------- point 3
cmake_greeting() {
	$GOA new --template posix g
	sed -i 's/system: plain/system: cmake\n  args: [-DGREETING=one]/; s/artifacts: \[g\]/artifacts: [_build\/g]/; s/binary: g/binary: _build\/g/' g/goa.yaml
	cat >g/src/CMakeLists.txt <<-'C'
	cmake_minimum_required(VERSION 3.10)
	project(g C)
	set(GREETING "none" CACHE STRING "what to say")
	add_executable(g main.c)
	target_compile_definitions(g PRIVATE GREETING="${GREETING}")
	C
	printf '#include <stdio.h>\nint main(void) { puts("hello from g " GREETING); return 0; }\n' >g/src/main.c
}

test_p3_changed_args_configure_again() {
	cmake_greeting
	$GOA -C g build
	$GOA -C g run >run1.txt
	grep -q "hello from g one" run1.txt || fail "first build"
	sed -i 's/-DGREETING=one/-DGREETING=two/' g/goa.yaml
	$GOA -C g build 2>&1 | tee out
	grep -q "build settings changed" out || fail "the change was not noticed"
	$GOA -C g run >run2.txt
	grep -q "hello from g two" run2.txt || fail "the new build.args did not reach cmake"
	# Nothing changed: no reconfigure, the build tree is kept.
	$GOA -C g build 2>&1 | tee out2
	! grep -q "fresh build tree" out2 || fail "rebuilt from scratch without a change"
}

test_p3_clean_and_rebuild() {
	cmake_greeting
	$GOA -C g build
	$GOA -C g build --rebuild >out 2>&1
	grep -q -- "--rebuild: starting from a fresh build tree" out || fail "--rebuild"
	$GOA -C g clean
	[ ! -e g/var/build ] && [ ! -e g/var/bin ] && [ ! -e g/var/install ] || fail "clean left build outputs"
	[ -f g/src/main.c ] && [ -d g/var/orig ] || fail "clean removed sources"
	$GOA clean --help | grep -q "usage: goa clean"
}

# ---------------------------------------------------------------- point 4
test_p4_detect_configure_before_cmake() {
	$GOA new --template posix x
	sed -i 's/system: plain/system: auto/' x/goa.yaml
	printf 'cmake_minimum_required(VERSION 3.10)\nproject(x C)\nmessage(FATAL_ERROR "cmake must not be chosen")\n' >x/src/CMakeLists.txt
	cat >x/src/configure <<-'S'
	#!/bin/sh
	# A minimal configure: writes the Makefile (as autoconf's would).
	printf 'x: main.c\n\t$(CC) $(CFLAGS) -o x main.c $(LDFLAGS)\ninstall:\n' >Makefile
	: >config.status
	S
	chmod +x x/src/configure
	$GOA -C x build 2>&1 | tee out
	grep -q "build system: autoconf (found configure; also present: CMakeLists.txt" out || fail "choice not printed"
	$GOA -C x test
}

# ---------------------------------------------------------------- point 5
test_p5_archive_mismatch_warned_when_tree_matches() {
	mkdir -p m t/hello-1.0
	echo 'int main(void) { return 0; }' >t/hello-1.0/hello.c
	tar -czf m/hello-1.0.tar.gz -C t hello-1.0
	th=$($GOA hash t/hello-1.0 | cut -d' ' -f1)
	mkdir p
	printf 'name: hello\nversion: "1"\ntype: posix\nsources:\n  - url: https://example.invalid/hello-1.0.tar.gz\n    sha256: %064d\n    tree_sha256: %s\n' 7 "$th" >p/goa.yaml
	$GOA -C p import --mirror "file://$PWD/m" 2>err.txt
	grep -q "warning: .*archive SHA-256 mismatch: expected 0*7, got $(sha m/hello-1.0.tar.gz); accepted because the extracted tree matches tree_sha256" err.txt ||
		fail "no warning: $(cat err.txt)"
	[ -f p/src/hello.c ]
}

# ---------------------------------------------------------------- point 11
test_p11_content_addressed_mirror() {
	# Two projects whose upstream tag archives are both called v1.0.tar.gz.
	for n in one two; do
		mkdir -p "t/$n-1.0" && echo "int $n;" >"t/$n-1.0/$n.c"
		tar -czf "$n.tar.gz" -C t "$n-1.0"
	done
	mkdir -p mirror/sha256
	for n in one two; do cp "$n.tar.gz" "mirror/sha256/$(sha $n.tar.gz)"; done
	cp one.tar.gz mirror/v1.0.tar.gz   # the name layout holds only one of them
	for n in one two; do
		mkdir "p$n"
		printf 'name: %s\nversion: "1"\ntype: posix\nsources:\n  - url: https://example.invalid/%s/archive/v1.0.tar.gz\n    sha256: %s\n' \
			"$n" "$n" "$(sha $n.tar.gz)" >"p$n/goa.yaml"
		$GOA -C "p$n" import --mirror "file://$PWD/mirror"
		[ -f "p$n/src/$n.c" ] || fail "$n: wrong sources"
	done
	# The file-name layout is still a fallback.
	rm -r mirror/sha256
	$GOA -C pone import --force --mirror "file://$PWD/mirror" 2>&1
	GOA_CACHE=$PWD/cache2 $GOA -C pone import --force --mirror "file://$PWD/mirror"
}

# ---------------------------------------------------------------- point 12
test_p12_posix_on_qemu_refused_until_personality() {
	$GOA new --template posix hi
	$GOA -C hi build
	mkdir -p sdk/boot
	expect_fail "posix runtime missing: hi is a posix project, and the POSIX runtime .* is not in the SDK" \
		env KIDE_SDK=$PWD/sdk $GOA -C hi run --target qemu
	expect_fail "hint: .*or use --target host" env KIDE_SDK=$PWD/sdk $GOA -C hi test --target qemu
	$GOA run --help | grep -q "not yet available" && fail "run --help still says qemu is not available"
	# With the runtime in the SDK that refusal goes away (this SDK lacks the rest).
	printf 'stand-in\n' >sdk/boot/posix
	set +e
	KIDE_SDK=$PWD/sdk $GOA -C hi run --target qemu 2>err.txt
	set -e
	! grep -q "posix runtime missing" err.txt || fail "refused although the SDK has boot/posix"
}

# ---------------------------------------------------------------- point 8
test_p8_shipped_kide_user_and_depot_verb() {
	# Without --depots or $GOA_DEPOTS: your directory, then the shipped users.
	unset GOA_DEPOTS
	export HOME=$PWD/home XDG_CONFIG_HOME=
	$GOA depot list >list.txt
	grep -q "^kide  *https://" list.txt || fail "no shipped kide user: $(cat list.txt)"
	grep -q "BEGIN PUBLIC KEY" "$TOP/depots/kide/pubkey" || fail "no kide key shipped"
	# install finds the kide user (here: nothing listens, so the download fails, not the lookup)
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	$GOA key create k.pem
	$GOA depot add --force kide "http://127.0.0.1:$port" k.pem.pub
	[ -f home/.config/goa/depots/kide/pubkey ] || fail "add did not write the user's directory"
	$GOA depot list >list2.txt
	grep -q "overridden" list2.txt || fail "the shipped user is not shown as overridden"
	expect_fail "cannot download" $GOA install --depot "$PWD/d" kide/src/zlib/1.3.1
	# Add, list, remove an own user; bad input refused.
	$GOA depot add alice "http://127.0.0.1:$port" k.pem.pub
	$GOA --json depot list >list3.txt
	grep -q '"user":"alice"' list3.txt
	expect_fail "already exists" $GOA depot add alice "http://127.0.0.1:$port" k.pem.pub
	expect_fail "not a usable public key" $GOA depot add bob "http://127.0.0.1:$port" k.pem
	expect_fail "not an http, https or file URL" $GOA depot add bob "ftp://x" k.pem.pub
	expect_fail "not a valid depot user" $GOA depot add ../x "http://x" k.pem.pub
	$GOA depot remove alice
	$GOA depot list >list4.txt
	! grep -q "^alice" list4.txt || fail "alice not removed"
	expect_fail "unknown depot user 'alice'" $GOA install --depot "$PWD/d" alice/src/x/1
	expect_fail "hint: add it with 'goa depot add alice" $GOA install --depot "$PWD/d" alice/src/x/1
	$GOA depot remove kide
	expect_fail "shipped with goa" $GOA depot remove kide
}

# ---------------------------------------------------------------- point 13
test_p13_install_404_reported_once() {
	mkdir -p served
	$GOA key create k.pem
	serve_depot_as_tester
	set +e
	$GOA install --depot "$PWD/d" --depots "$PWD/users" tester/src/none/1.0 2>err.txt
	set -e
	cat err.txt
	[ "$(grep -c 'HTTP 404' err.txt)" = 1 ] || fail "the 404 was not reported exactly once"
}

# ---------------------------------------------------------------- point 10
test_p10_port_revisions() {
	mkdir p
	printf 'name: port\nversion: 0.9.24\ntype: posix\nsources:\n  - url: https://example.invalid/port-0.9.24.tar.gz\n    sha256: %064d\n' 1 >p/goa.yaml
	expect_fail "ports upstream sources: refusing to invent upstream version after 0.9.24" $GOA -C p bump-version
	grep -q 'version: 0.9.24$' p/goa.yaml || fail "version changed"
	[ "$($GOA -C p bump-version --port)" = 0.9.24-kide1 ] || fail "first port revision"
	[ "$($GOA -C p bump-version --port)" = 0.9.24-kide2 ] || fail "second port revision"
	expect_fail "refusing to go from 0.9.24-kide2 to 0.9.24: not newer" $GOA -C p bump-version 0.9.24
	expect_fail "not newer" $GOA -C p bump-version 0.9.23
	[ "$($GOA -C p bump-version 0.9.25)" = 0.9.25 ] || fail "upstream's new version"
	# A project of its own still counts up.
	$GOA new --template posix own
	[ "$($GOA -C own bump-version)" = 0.1.1 ] || fail "own project"
}

# ---------------------------------------------------------------- point 6
test_p6_check_runs_ctest() {
	cmake_greeting
	printf 'enable_testing()\nadd_test(NAME says COMMAND g)\nset_tests_properties(says PROPERTIES PASS_REGULAR_EXPRESSION "hello from g one")\n' >>g/src/CMakeLists.txt
	$GOA -C g check 2>&1 | tee out
	grep -q "upstream tests of g passed" out || fail "ctest did not pass"
	sed -i 's/-DGREETING=one/-DGREETING=two/' g/goa.yaml
	expect_fail "ctest failed" $GOA -C g check
	expect_fail "upstream test suites cannot run on Kide yet" $GOA -C g check --target qemu
}

test_p6_check_runs_make_check_and_meson_test() {
	$GOA new --template posix m
	sed -i 's/system: plain/system: make/' m/goa.yaml
	printf 'm: main.c\n\t$(CC) $(CFLAGS) -o m main.c $(LDFLAGS)\ncheck: m\n\t./m | grep -q "hello from m"\n\techo MAKE-CHECK-RAN\n' >m/src/Makefile
	$GOA -v -C m check >out 2>&1
	grep -q MAKE-CHECK-RAN out || fail "make check did not run: $(cat out)"
	$GOA new --template posix p
	printf "project('p', 'c')\ne = executable('p', 'main.c')\ntest('greets', e)\n" >p/src/meson.build
	sed -i 's/system: plain/system: meson/' p/goa.yaml
	$GOA -C p check
	# plain C has no suite of its own
	$GOA new --template posix q
	expect_fail "the plain build system has no upstream test suite" $GOA -C q check
}

test_p13_diff_headers_have_no_times() {
	mkdir -p m/hello-1.0
	printf 'int main(void) { return 0; }\n' >m/hello-1.0/hello.c
	tar -czf m/hello-1.0.tar.gz -C m hello-1.0
	mkdir p
	printf 'name: hello\nversion: "1"\ntype: posix\nsources:\n  - url: https://example.invalid/hello-1.0.tar.gz\n    sha256: %s\n' "$(sha m/hello-1.0.tar.gz)" >p/goa.yaml
	$GOA -C p import --mirror "file://$PWD/m"
	sed -i 's/return 0/return 1/' p/src/hello.c
	set +e; $GOA -C p diff >d.patch; rc=$?; set -e
	[ $rc = 1 ] || fail "diff returned $rc"
	grep -q '^--- a/hello.c$' d.patch && grep -q '^+++ b/hello.c$' d.patch || fail "headers carry more than the name: $(head -3 d.patch)"
	touch p/src/hello.c
	set +e; $GOA -C p diff >d2.patch; set -e
	cmp d.patch d2.patch || fail "touching a file changed the patch"
}

test_p13_run_installed_package() {
	$GOA key create k.pem
	$GOA new --template posix s
	$GOA -C s build
	$GOA -C s export --depot "$PWD/served" --user tester --key k.pem
	serve_depot_as_tester
	$GOA install --depot "$PWD/fresh" --depots "$PWD/users" tester/pkg/s/0.1.0
	rm -rf s   # the project is gone: only the depot is left
	$GOA run tester/pkg/s/0.1.0 --depot "$PWD/fresh" -- one >out.txt
	grep -q "hello from s" out.txt && grep -q "arg 1: one" out.txt || fail "did not run: $(cat out.txt)"
	$GOA test tester/pkg/s/0.1.0 --depot "$PWD/fresh"
	expect_fail "not installed in the depot" $GOA run tester/pkg/s/9.9 --depot "$PWD/fresh"
	expect_fail "not a package archive path" $GOA run tester/src/s/0.1.0 --depot "$PWD/fresh"
}

# ---------------------------------------------------------------- Debian's archive as a source kind
test_debian_source_from_apt_configuration() {
	mkdir -p t/libhello-1.0 archive/pool/main/libh/libhello etc/sources.list.d
	echo 'int hello;' >t/libhello-1.0/hello.c
	tar -czf archive/pool/main/libh/libhello/libhello_1.0.orig.tar.gz -C t libhello-1.0
	# apt's deb822 format; the security archive and disabled entries are not used.
	printf 'Types: deb\nURIs: file://%s/archive\nSuites: bookworm\n\nTypes: deb\nURIs: file:///nonexistent/debian-security\nSuites: bookworm-security\n' "$PWD" >etc/sources.list.d/debian.sources
	mkdir p
	printf 'name: hello\nversion: "1.0"\ntype: library\nsources:\n  - url: https://example.invalid/libhello-1.0.tar.gz\n    sha256: %s\n    debian: libhello_1.0.orig.tar.gz\n' \
		"$(sha archive/pool/main/libh/libhello/libhello_1.0.orig.tar.gz)" >p/goa.yaml
	GOA_APT_ETC=$PWD/etc $GOA -C p --json import >imp.json
	grep -q "\"from\":.*file://$PWD/archive/pool/main/libh/libhello/libhello_1.0.orig.tar.gz" imp.json || fail "not from the Debian pool: $(cat imp.json)"
	# One-line format too.
	rm etc/sources.list.d/debian.sources
	echo "deb [signed-by=/k.gpg] file://$PWD/archive bookworm main" >etc/sources.list
	GOA_CACHE=$PWD/c2 GOA_APT_ETC=$PWD/etc $GOA -C p import --force
	# No archive configured: the failure says so.
	rm etc/sources.list
	expect_fail "no Debian archive in apt's configuration" env GOA_CACHE=$PWD/c3 GOA_APT_ETC=$PWD/etc $GOA -C p import --force
	printf 'name: x\nversion: "1"\ntype: posix\nsources:\n  - url: https://e.org/a.tgz\n    sha256: %064d\n    debian: ../x_1.tar.gz\n' 1 >goa.yaml
	expect_fail "must be a Debian source file name" $GOA info
}

# ---------------------------------------------------------------- docs/goa.md
# The tutorial's sh blocks, literally and in order, with `goa` on PATH being
# the goa under test. Its sources come from Debian's archive (cached in
# $BUILD/goa/debian-cache); without either, the test is a skip.
test_tutorial_commands_literally() {
	awk '/^## Tutorial/ {on=1; next} on && /^## / {on=0} on && /^```sh$/ {code=1; next} code && /^```$/ {code=0; next} code' \
		"$TOP/docs/goa.md" >tutorial.sh
	[ "$(grep -c '^goa ' tutorial.sh)" -ge 15 ] || fail "the tutorial lost its commands: $(cat tutorial.sh)"
	mkdir -p bin home
	ln -s "$GOA" bin/goa
	set +e
	env PATH="$PWD/bin:$PATH" HOME="$PWD/home" XDG_CONFIG_HOME= GOA_DEPOTS= GOA_CFLAGS=-O0 \
		GOA_CACHE="$BUILD/goa/debian-cache" bash -ex tutorial.sh >tutorial.log 2>&1
	rc=$?
	set -e
	cat tutorial.log
	if [ $rc -ne 0 ]; then
		grep -Eq "cannot obtain .*expat" tutorial.log &&
			grep -Eq "Could not resolve|Couldn't connect|Failed to connect|Connection refused|timed out" tutorial.log &&
			skip "Debian's archive is unreachable and expat's sources are not cached"
		fail "the tutorial failed (exit $rc)"
	fi
	grep -q "^xmlcount: 2 elements$" tutorial.log || fail "the installed package did not count doc.xml"
	grep -q "upstream tests of expat passed" tutorial.log || fail "goa check did not pass"
}

# docs/goa.md's verb table and docs/goa/commands.md come from goa's help table.
test_docs_match_help() {
	bash "$HERE/gen-commands-doc.sh" "$GOA" >commands.md
	diff -u "$TOP/docs/goa/commands.md" commands.md || fail "docs/goa/commands.md is stale: run 'make -C goa docs'"
	bash "$HERE/gen-goa-md.sh" "$GOA" "$TOP/docs/goa.md" >goa.md
	diff -u "$TOP/docs/goa.md" goa.md || fail "docs/goa.md's verb table is stale: run 'make -C goa docs'"
	for v in $($GOA help | awk '/^verbs:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
		$GOA "$v" --help | grep -q "^usage: goa" || fail "$v --help"
	done
}

run_tests "$@"
echo "goa-port: $passed passed, $failed failed, $skipped skipped"
mkdir -p "$BUILD/results"
echo "$passed $failed $skipped" >"$BUILD/results/goa-port"
[ $failed -eq 0 ]
