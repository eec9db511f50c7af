#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# goa's end-to-end suite: drives the real binary ($GOA, the sanitized build)
# through every command and every kind of bad input, on loopback only.
#
# Slow steps that only exercise third-party build systems (the recipes) use
# the release binary $GOA_REL. The recipes' sources come from Debian's
# archive (cached in $BUILD/goa/debian-cache); when it cannot be reached and
# nothing is cached, those tests are recorded as skipped, never as passed.
# Records "passed failed skipped" in $BUILD/results/goa-e2e.
set -uo pipefail
WORK=$BUILD/goa/e2e
rm -rf "$WORK"
mkdir -p "$WORK"
source "$(dirname "$0")/lib.sh"

RECIPES=$TOP/recipes

# A one-file source archive for import tests, and its hash.
make_src() { # make_src DIR -> $DIR/hello-1.0.tar.gz
	mkdir -p "$1/hello-1.0"
	printf '#include <stdio.h>\nint main(void) { puts("hello from tarball"); return 3; }\n' >"$1/hello-1.0/hello.c"
	tar -czf "$1/hello-1.0.tar.gz" -C "$1" hello-1.0
	rm -rf "$1/hello-1.0"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
project() { # project DIR URL SHA [extra yaml]
	mkdir -p "$1"
	cat >"$1/goa.yaml" <<-Y
	name: hello
	version: "1.0"
	type: posix
	depot_user: tester
	sources:
	  - url: $2
	    sha256: $3
	build:
	  system: plain
	artifacts: [hello]
	runtime:
	  binary: hello
	test:
	  expect: ["hello from tarball"]
	  exit: 3
	  timeout: 10
	${4:-}
	Y
}

# ---------------------------------------------------------------- CLI
test_help_everywhere() {
	$GOA --help | grep -q "verbs:"
	for v in new import diff build check clean run test export publish install depot key bump-version \
		archive-versions info hash schema; do
		$GOA "$v" --help | grep -q "usage: goa" || fail "$v --help"
		$GOA help "$v" >/dev/null || fail "help $v"
	done
	expect_fail "unknown verb" $GOA frobnicate
}

test_commands_doc_current() {
	bash "$HERE/gen-commands-doc.sh" "$GOA" >commands.md
	diff -u "$TOP/docs/goa/commands.md" commands.md || fail "docs/goa/commands.md is stale: run 'make -C goa docs'"
}

test_schema_printed() {
	$GOA schema | grep -q "tree_sha256"
}

# ---------------------------------------------------------------- project file
test_yaml_malformed() {
	printf 'name: x\nversion: [1.0\ntype: posix\n' >goa.yaml
	expect_fail "goa.yaml:[0-9]+:[0-9]+: malformed YAML" $GOA info
}

test_yaml_unknown_field() {
	printf 'name: x\nversion: "1"\ntype: posix\nsrcs: []\n' >goa.yaml
	expect_fail "goa.yaml:4:1: unknown field 'srcs'" $GOA info
	printf 'name: x\nversion: "1"\ntype: posix\nbuild:\n  sytem: make\n' >goa.yaml
	expect_fail "goa.yaml:5:3: unknown field 'sytem'" $GOA info
}

test_yaml_missing_and_bad_values() {
	printf 'name: x\ntype: posix\n' >goa.yaml
	expect_fail "missing required field 'version'" $GOA info
	printf 'name: x\nversion: "1"\ntype: elf\n' >goa.yaml
	expect_fail "goa.yaml:3:7: 'type' must be native, posix or library" $GOA info
	printf 'name: ../x\nversion: "1"\ntype: posix\n' >goa.yaml
	expect_fail "'name' must match" $GOA info
	printf 'name: x\nversion: "1"\ntype: posix\nsources:\n  - url: https://e.org/a.tgz\n    sha256: abc\n' >goa.yaml
	expect_fail "goa.yaml:6:13: 'sha256' must be 64 hexadecimal digits" $GOA info
	printf 'name: x\nversion: "1"\ntype: posix\nsources:\n  - url: https://e.org/a.tgz\n' >goa.yaml
	expect_fail "neither sha256 nor tree_sha256" $GOA info
	printf 'name: x\nversion: "1"\ntype: posix\ntest:\n  timeout: soon\n' >goa.yaml
	expect_fail "'timeout' must be an integer" $GOA info
	printf 'name: x\nversion: "1"\ntype: posix\ndepends: [kide/src/zlib]\n' >goa.yaml
	expect_fail "must be user/type/name/version" $GOA info
}

# ---------------------------------------------------------------- new/build/run/test
test_new_posix_build_run_test() {
	$GOA new --template posix hi
	$GOA -C hi build
	file hi/var/bin/x86_64/hi | grep -q "statically linked"
	$GOA -C hi run -- a b | grep -q "arg 2: b"
	$GOA -C hi test
	$GOA -C hi --json test | grep -q '"passed":true'
	sed -i 's/hello from hi/hello from nobody/' hi/goa.yaml
	expect_fail "expected line 1 of 1 never appeared" $GOA -C hi test
	sed -i 's/hello from nobody/hello from hi/; s/exit: 0/exit: 4/' hi/goa.yaml
	expect_fail "exit code 0, expected 4" $GOA -C hi test
}

test_run_exit_code_and_timeout() {
	$GOA new --template posix loop
	printf '#include <stdio.h>\nint main(int c, char **v) { puts("spin"); fflush(stdout); if (c > 1) return 7; for (;;); }\n' >loop/src/main.c
	sed -i 's/timeout: 60/timeout: 1/' loop/goa.yaml
	$GOA -C loop build
	set +e; $GOA -C loop run -- x; rc=$?; set -e
	[ $rc -eq 7 ] || fail "run returned $rc, not 7"
	expect_fail "timed out after 1 s" $GOA -C loop test
}

# A posix template project whose build system is replaced by FILES (name=content).
detect_case() { # detect_case SYSTEM-EXPECTED ARTIFACT
	sed -i "s/system: plain/system: auto/; s|artifacts: \\[p\\]|artifacts: [$2]|; s|binary: p|binary: $2|" p/goa.yaml
	$GOA -C p -j 2 build 2>&1 | tee out
	grep -q "with $1 " out || fail "not detected as $1"
	file "p/var/bin/x86_64/$2" | grep -q "statically linked" || fail "not static"
	$GOA -C p test
}

test_build_detect_meson() {
	$GOA new --template posix p
	printf "project('p', 'c')\nexecutable('p', 'main.c', install: true)\n" >p/src/meson.build
	detect_case meson bin/p
}

test_build_detect_cmake() {
	$GOA new --template posix p
	printf 'cmake_minimum_required(VERSION 3.10)\nproject(p C)\nadd_executable(p main.c)\ninstall(TARGETS p)\n' >p/src/CMakeLists.txt
	detect_case cmake bin/p
}

test_build_detect_autoreconf() {
	command -v autoreconf >/dev/null && command -v automake >/dev/null || skip "autoconf/automake not installed (goa/packages.txt)"
	$GOA new --template posix p
	printf 'AC_INIT([p], [0.1])\nAM_INIT_AUTOMAKE([foreign])\nAC_PROG_CC\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n' >p/src/configure.ac
	printf 'bin_PROGRAMS = p\np_SOURCES = main.c\n' >p/src/Makefile.am
	detect_case autoconf bin/p
}

test_new_native_build_run_test() {
	$GOA new comp
	$GOA -C comp build
	file comp/var/bin/x86_64/comp | grep -q "statically linked" || fail "not a static ELF"
	# (into a file: grep -q would stop reading after the greeting, and hoitaja's
	# lines that follow it would then end goa with SIGPIPE under pipefail)
	$GOA -C comp run >run.txt
	grep -q "^hello from comp" run.txt || fail "no greeting from the component in QEMU"
	$GOA -C comp test
	sed -i 's/hello from comp/hello from nobody/' comp/goa.yaml
	expect_fail "expected line 1 of 1 never appeared" $GOA -C comp test
	sed -i 's/hello from nobody/hello from comp/; s/exit: 0/exit: 5/' comp/goa.yaml
	expect_fail "exit code 0, expected 5" $GOA -C comp test
	printf '#include <kide/component.h>\nvoid kide_main(struct kide_env *e) { kide_log(e, "hello from comp"); kide_exit(e, 5); }\n' >comp/src/main.c
	$GOA -C comp build
	$GOA -C comp test
}

# Under core + hoitaja: the run's arguments arrive as kide_args (commas too, as
# they no longer travel in QEMU's module list), runtime.ram is the component's
# RAM quota and runtime.config its configuration.
test_native_habitat_args_quota_config() {
	[ -f "$BUILD/os/sdk/boot/hoitaja" ] || skip "the SDK has no hoitaja (make -C os sdk)"
	$GOA new comp
	cat >comp/src/main.c <<-'C'
	#include <kide/component.h>
	void kide_main(struct kide_env *e)
	{
		struct kide_quota q;
		kide_u64 len;
		kide_log(e, "args: [%s] config: %s", kide_args(e), kide_config(e, &len));
		if (kide_quota(e, &q) != 0)
			kide_exit(e, 9);
		kide_log(e, "ram quota %lu", q.ram_quota);
		if (!kide_malloc(64 * 1024))
			kide_exit(e, 8);
		kide_exit(e, kide_malloc(4 * 1024 * 1024) ? 6 : 7);
	}
	C
	sed -i "s/^  ram: .*/  ram: 1M/; s|^  requires:|  config: '{\"n\": 3}'\n  requires:|" comp/goa.yaml
	$GOA -C comp build
	set +e
	out=$($GOA -C comp run -- one two,three 2>&1)
	rc=$?
	set -e
	[ "$rc" = 7 ] || fail "expected exit 7 (kide_malloc beyond runtime.ram gives NULL), got $rc: $out"
	grep -q '^args: \[one two,three\] config: {"n":3}' <<<"$out" || fail "args/config not seen, or still prefixed: $out"
	grep -q "ram quota 1048576" <<<"$out" || fail "runtime.ram is not the quota: $out"
	grep -q "\[init\] exit_with comp: ending the habitat with code 7" <<<"$out" || fail "no exit_with line: $out"
	# More RAM in runtime: the 4 MiB allocation succeeds.
	sed -i 's/^  ram: .*/  ram: 8M/' comp/goa.yaml
	set +e
	$GOA -C comp run >/dev/null 2>&1
	rc=$?
	set -e
	[ "$rc" = 6 ] || fail "expected exit 6 with ram: 8M, got $rc"
	# Bad runtime values are refused before QEMU starts, by hoitaja's validator
	# (the SDK's kide-scenario), with its message and hint.
	sed -i 's/^  caps: .*/  caps: 8/' comp/goa.yaml
	expect_fail "hoitaja's validator refuses the run .*: child 'comp': caps must be an integer from 16 to 1000000, got 8" $GOA -C comp run
	expect_fail "hint: use a value from 16 to 1000000 for caps" $GOA -C comp run
	sed -i 's/^  caps: .*/  caps: 64/; s/^  ram: .*/  ram: 4097/' comp/goa.yaml
	expect_fail "child 'comp': ram 4097 is not a multiple of the 4096-byte page" $GOA -C comp run
	sed -i 's/^  ram: .*/  ram: 1M/' comp/goa.yaml
	sed -i 's/^  caps: .*/  caps: 64/; s|^  config: .*|  config: "[1]"|' comp/goa.yaml
	expect_fail "cannot read runtime.config file" $GOA -C comp run
	sed -i 's|^  config: .*|  config: "{ bad"|' comp/goa.yaml
	expect_fail "runtime.config is not a JSON object" $GOA -C comp run
	sed -i '/^  config: /d' comp/goa.yaml
	expect_fail "child 'comp': args is 130 bytes, at most 127" $GOA -C comp run -- "$(printf 'x%.0s' $(seq 130))"
}

# An SDK without core, hoitaja or kide-scenario cannot boot a component: goa
# names the missing files and how to rebuild the SDK (there is no root-task mode).
test_native_sdk_without_habitat() {
	cp -r "$BUILD/os/sdk" sdk
	rm sdk/boot/hoitaja sdk/tools/kide-scenario
	$GOA new comp
	KIDE_SDK=$PWD/sdk $GOA -C comp build
	expect_fail "lacks boot/hoitaja, tools/kide-scenario" env KIDE_SDK=$PWD/sdk $GOA -C comp run
	expect_fail "make -C os sdk" env KIDE_SDK=$PWD/sdk $GOA -C comp run
}

test_native_errors() {
	$GOA new comp
	printf 'void kide_main(struct kide_env *e) { this is not C }\n' >comp/src/main.c
	expect_fail "compiling failed" $GOA -C comp build
	rm comp/src/main.c
	expect_fail "no C sources" $GOA -C comp build
	expect_fail "no Kide SDK found" env KIDE_SDK=/nonexistent $GOA -C comp build
}

# A posix project on Kide (--target qemu) without booting (GOA_QEMU_DRY_RUN=1): the
# image goa makes from the template's runtime file -- a hoitaja child of kind posix
# (init.json), the runtime, the program and its ROM modules (modules.txt, the links) --
# and the refusals. Needs the SDK's kide-scenario (make -C os sdk); a stand-in
# boot/posix is enough, nothing runs.
test_posix_qemu_image() {
	[ -x "$BUILD/os/sdk/tools/kide-scenario" ] || skip "the SDK has no kide-scenario (make -C os sdk)"
	cp -r "$BUILD/os/sdk" sdk
	rm -f sdk/boot/posix
	$GOA new --template posix hi
	[ -f hi/runtime.yaml ] || fail "the template has no runtime file"
	grep -q "^  program: hi" hi/runtime.yaml || fail "the runtime file does not name the program"
	$GOA -C hi build
	expect_fail "posix runtime missing: hi is a posix project" env KIDE_SDK=$PWD/sdk $GOA -C hi run --target qemu
	expect_fail "make -C os posix" env KIDE_SDK=$PWD/sdk $GOA -C hi test --target qemu
	printf 'stand-in\n' >sdk/boot/posix
	# a rom mount: its module comes from the project
	printf 'one\ntwo\n' >hi/words
	sed -i 's|^    - {path: /, type: ram, size: 1M}|    - {path: /, type: ram, size: 1M}\n    - {path: /data, type: rom, modules: [words]}|' hi/runtime.yaml
	KIDE_SDK=$PWD/sdk GOA_QEMU_DRY_RUN=1 $GOA -C hi run --target qemu -- a b 2>out
	cat out
	img=$(sed -n 's/^goa: image in \([^ ]*\) .*/\1/p' out)
	[ -n "$img" ] && [ -d "$img" ] || fail "no image directory reported"
	tr -d ' \n' <"$img/init.json" >init.compact
	grep -q '"name":"hi","posix":{"program":"hi","args":\["hi","a","b"\]' init.compact || fail "init.json lacks the posix child: $(cat "$img/init.json")"
	grep -q '"mounts":\[{"path":"/","type":"ram","size":"1M"},{"path":"/data","type":"rom","modules":\["words"\]}\]' init.compact || fail "init.json lacks the mounts"
	grep -q '"exit_with":"hi"' init.compact || fail "no exit_with"
	if grep -q '"binary"' init.compact; then fail "a posix child names no binary in init.json"; fi
	[ "$(cat "$img/modules.txt")" = "$(printf 'hoitaja init.json\nposix\nhi\nwords')" ] || fail "modules.txt: $(cat "$img/modules.txt")"
	cmp "$img/posix" sdk/boot/posix || fail "boot module posix is not the SDK's runtime"
	cmp "$img/hi" hi/var/bin/x86_64/hi || fail "boot module hi is not the built program"
	cmp "$img/words" hi/words || fail "boot module words is not the project's file"
	grep -q -- '-initrd "core,hoitaja init.json,init.json,posix,hi,words"' out || fail "the module list: $(cat out)"
	rm -rf "$img"
	# Refusals before anything boots: hoitaja's validator (the runtime's own parser)
	sed -i 's|^  cwd: /$|  cwd: data|' hi/runtime.yaml
	expect_fail "posix.cwd: must be absolute" env KIDE_SDK=$PWD/sdk GOA_QEMU_DRY_RUN=1 $GOA -C hi run --target qemu
	sed -i 's|^  cwd: data$|  cwd: /|' hi/runtime.yaml
	rm hi/words
	expect_fail "names boot module 'words', which is neither in" env KIDE_SDK=$PWD/sdk GOA_QEMU_DRY_RUN=1 $GOA -C hi run --target qemu
	printf 'posix: {program: hi}\nram: 1M\n' >hi/runtime.yaml
	expect_fail "unknown field 'ram'" env KIDE_SDK=$PWD/sdk GOA_QEMU_DRY_RUN=1 $GOA -C hi run --target qemu
	# without a runtime file: posix: {program: <binary>}
	sed -i '/^  child: /d' hi/goa.yaml
	KIDE_SDK=$PWD/sdk GOA_QEMU_DRY_RUN=1 $GOA -C hi run --target qemu 2>out
	img=$(sed -n 's/^goa: image in \([^ ]*\) .*/\1/p' out)
	tr -d ' \n' <"$img/init.json" | grep -q '"posix":{"program":"hi"}' || fail "default posix object: $(cat "$img/init.json")"
	rm -rf "$img"
}

# The real thing: the template's program on Kide under the POSIX runtime (os/posix):
# its output without the label, its arguments, its exit code (also one above 111,
# which QEMU's status cannot carry), a file read from a rom mount, and 128 + signal
# for a program a signal ended. Skipped, saying so, without the runtime in the SDK.
test_posix_qemu_run() {
	[ -f "$BUILD/os/sdk/boot/posix" ] || skip "posix runtime missing ($BUILD/os/sdk/boot/posix: build os/posix, then make -C os sdk)"
	$GOA new --template posix hi
	$GOA -C hi build
	$GOA -C hi run --target qemu -- a b >run.txt || fail "run failed: $(cat run.txt)"
	cat run.txt
	grep -q "^hello from hi$" run.txt || fail "no greeting without the label: $(cat run.txt)"
	grep -q "^arg 1: a$" run.txt && grep -q "^arg 2: b$" run.txt || fail "arguments not passed: $(cat run.txt)"
	if grep -q '^\[hi\]' run.txt; then fail "the program's lines kept core's label: $(cat run.txt)"; fi
	$GOA -C hi test --target qemu
	# a non-zero exit code, after output that must still arrive
	printf '#include <stdio.h>\nint main(void) { puts("before"); fflush(stdout); return 3; }\n' >hi/src/main.c
	$GOA -C hi build
	set +e; $GOA -C hi run --target qemu >run.txt; rc=$?; set -e
	cat run.txt
	[ $rc -eq 3 ] || fail "exit code $rc, not 3: $(cat run.txt)"
	grep -q "^before$" run.txt || fail "the output before the exit is missing: $(cat run.txt)"
	# a file of a rom mount (a boot module from the project), and exit code 120
	printf 'one\ntwo\n' >hi/words
	sed -i 's|^    - {path: /, type: ram, size: 1M}|&\n    - {path: /data, type: rom, modules: [words]}|' hi/runtime.yaml
	cat >hi/src/main.c <<-'C'
	#include <stdio.h>
	int main(void)
	{
		char line[64];
		FILE *f = fopen("/data/words", "r");
		if (!f) { perror("/data/words"); return 1; }
		while (fgets(line, sizeof line, f))
			printf("read: %s", line);
		fclose(f);
		return 120;
	}
	C
	$GOA -C hi build
	set +e; $GOA -C hi run --target qemu >run.txt; rc=$?; set -e
	cat run.txt
	[ $rc -eq 120 ] || fail "exit code $rc, not 120: $(cat run.txt)"
	[ "$(grep '^read: ' run.txt)" = "$(printf 'read: one\nread: two')" ] || fail "the rom file was not read: $(cat run.txt)"
	# a signal: 128 + 11
	printf '#include <stdio.h>\nint main(void) { puts("crash"); fflush(stdout); *(volatile int *)0 = 1; return 0; }\n' >hi/src/main.c
	$GOA -C hi build
	set +e; $GOA -C hi run --target qemu >run.txt 2>&1; rc=$?; set -e
	cat run.txt
	[ $rc -eq 139 ] || fail "a SIGSEGV gave exit code $rc, not 139: $(cat run.txt)"
	grep -q "SIGSEGV" run.txt || fail "no signal in hoitaja's report: $(cat run.txt)"
}

# README.md's tour step "Run a Linux program", literally: its sh blocks run in order
# from a stand-in of the repository (build/goa/rel/goa the goa under test, build/os/sdk
# the SDK), and the stdout of its goa runs must be its output blocks, in order.
test_readme_linux_program() {
	[ -f "$BUILD/os/sdk/boot/posix" ] || skip "posix runtime missing ($BUILD/os/sdk/boot/posix: build os/posix, then make -C os sdk)"
	[ -x /bin/busybox ] || skip "no /bin/busybox (Debian package busybox-static, in os/packages.txt)"
	awk '/^9\. \*\*Run a Linux program/ {on=1} on && /^## / {on=0}
	     on && /^   ```sh$/ {code=1; next} on && /^   ```$/ && code {code=0; next}
	     on && /^   ```$/ {out=!out; next}
	     code {print substr($0, 4) >"step.sh"} out {print substr($0, 4) >"expected.txt"}' "$TOP/README.md"
	[ -s step.sh ] && [ -s expected.txt ] || fail "README.md lost its step 'Run a Linux program'"
	grep -q '^goa run --target qemu' step.sh || fail "the step runs nothing on Kide: $(cat step.sh)"
	mkdir -p repo/build/goa/rel repo/build/os tmp
	ln -s "$GOA" repo/build/goa/rel/goa
	ln -s "$BUILD/os/sdk" repo/build/os/sdk
	set +e
	(cd repo && env PATH="/usr/bin:/bin" TMPDIR="$PWD/../tmp" bash -e -x ../step.sh) >out.txt 2>err.txt
	rc=$?
	set -e
	cat err.txt out.txt
	[ $rc -eq 0 ] || fail "the step failed (exit $rc)"
	grep -v '^goa: ' out.txt >got.txt || true
	diff -u expected.txt got.txt || fail "the step's output is not the README's"
}

test_new_library_and_pc_for_dependents() {
	$GOA new --template library mylib
	$GOA -C mylib build
	$GOA -C mylib export --depot "$PWD/depot" --user tester
	[ -f depot/tester/api/mylib/0.1.0.tar.xz ] || fail "no api archive"
	[ ! -e depot/tester/bin/x86_64/mylib ] || fail "a library without programs got a bin archive"
	mkdir -p depot/tester/api/mylib/0.1.0
	tar -xJf depot/tester/api/mylib/0.1.0.tar.xz -C depot/tester/api/mylib/0.1.0
	$GOA new --template posix app
	sed -i 's|^artifacts:|depends: [tester/api/mylib/0.1.0]\nartifacts:|' app/goa.yaml
	sed -i 's|build:|build:\n  env: ["EXTRA=1"]|' app/goa.yaml
	cat >app/src/main.c <<-'C'
	#include <stdio.h>
	#include <mylib.h>
	int main(void) { printf("hello from app %d\n", mylib_add(2, 3)); return 0; }
	C
	sed -i 's/hello from app/hello from app 5/' app/goa.yaml
	printf '#!/bin/sh\nset -e\npkg-config --cflags --libs mylib > pc.txt\n$CC $CFLAGS -o app main.c $(pkg-config --cflags --libs mylib) $LDFLAGS\n' >app/src/build.sh
	sed -i 's/system: plain/system: make/' app/goa.yaml
	printf 'app:\n\tsh build.sh\n' >app/src/Makefile
	$GOA -C app build --depot "$PWD/depot"
	grep -q -- "-lmylib" app/var/build/x86_64/pc.txt
	grep -q "Version: 0.1.0" app/var/pkgconfig/mylib.pc
	$GOA -C app test
}

test_missing_dependency() {
	$GOA new --template posix app
	sed -i 's|^artifacts:|depends: [kide/bin/x86_64/zlib/1.3.1]\nartifacts:|' app/goa.yaml
	expect_fail "missing dependency kide/bin/x86_64/zlib/1.3.1" $GOA -C app build --depot "$PWD/depot"
}

# ---------------------------------------------------------------- import
test_import_file_mirror_and_cache() {
	make_src mirror
	project p "https://example.invalid/dl/hello-1.0.tar.gz" "$(sha mirror/hello-1.0.tar.gz)"
	$GOA -C p import --mirror "file://$PWD/mirror"
	[ -f p/src/hello.c ] && [ -f p/var/orig/hello.c ]
	ls "$GOA_CACHE/sha256/$(sha mirror/hello-1.0.tar.gz)" >/dev/null
	$GOA -C p --json import --force | grep -q '"from":.*"cache"'
	$GOA -C p build && $GOA -C p test
	expect_fail "already imported" $GOA -C p import
}

test_import_http_mirror_env_and_404_fallback() {
	make_src www
	start_httpd "$PWD/www"
	mkdir empty
	project p "http://127.0.0.1:$PORT/hello-1.0.tar.gz" "$(sha www/hello-1.0.tar.gz)"
	# The first mirror has nothing (404 on file://), upstream (loopback) has it.
	GOA_MIRRORS="file://$PWD/empty" $GOA -C p import
	[ -f p/src/hello.c ]
}

test_import_parallel_sources_and_json() {
	mkdir www
	{
		printf 'name: multi\nversion: "1"\ntype: posix\nbuild:\n  system: none\nsources:\n'
		for i in 1 2 3 4; do
			mkdir -p "t/m$i-1.0" && echo "part $i" >"t/m$i-1.0/part.txt"
			tar -czf "www/m$i-1.0.tar.gz" -C t "m$i-1.0"
			printf '  - url: http://127.0.0.1:PORT/m%s-1.0.tar.gz\n    sha256: %s\n    dir: m%s\n' "$i" "$(sha "www/m$i-1.0.tar.gz")" "$i"
		done
	} >goa.yaml.in
	start_httpd "$PWD/www" --delay 50
	mkdir p && sed "s/PORT/$PORT/" goa.yaml.in >p/goa.yaml
	$GOA -C p -j 4 --json import >import.json
	for i in 1 2 3 4; do grep -q "part $i" "p/src/m$i/part.txt" || fail "source $i not placed"; done
	$PY -c 'import json,sys; a=json.load(open("import.json")); assert len(a)==4 and all(x["archive_hash_matched"] for x in a)'
	$GOA -C p --json info | $PY -c 'import json,sys; o=json.load(sys.stdin); assert o["name"]=="multi" and o["imported"] and len(o["sources"])==4'
}

test_import_hash_mismatch() {
	make_src mirror
	project p "https://example.invalid/hello-1.0.tar.gz" "$(printf '%064d' 0)"
	expect_fail "SHA-256 mismatch: expected 0{64}, got $(sha mirror/hello-1.0.tar.gz)" \
		$GOA -C p import --mirror "file://$PWD/mirror"
	[ ! -e p/src ] || fail "src/ created despite the mismatch"
	[ -z "$(ls "$GOA_CACHE/sha256" "$GOA_CACHE/tmp" 2>/dev/null | grep -E '^[0-9a-f]{64}$|^dl\.' || true)" ] ||
		fail "a download that failed verification was kept in the cache"
}

test_import_404() {
	mkdir www
	start_httpd "$PWD/www"
	project p "http://127.0.0.1:$PORT/nothere-1.0.tar.gz" "$(printf '%064d' 1)"
	expect_fail "HTTP 404" $GOA -C p import
	expect_fail "hint: check the URL" $GOA -C p import
	[ ! -e p/src ]
}

test_import_truncated() {
	make_src www
	start_httpd "$PWD/www"
	project p "http://127.0.0.1:$PORT/__truncated/hello-1.0.tar.gz" "$(sha www/hello-1.0.tar.gz)"
	expect_fail "truncated download|transfer closed" $GOA -C p import
	[ ! -e p/src ]
}

test_import_unreachable() {
	# A port nobody listens on: bind, note, close.
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	project p "http://127.0.0.1:$port/hello-1.0.tar.gz" "$(printf '%064d' 1)"
	expect_fail "Could not connect|Couldn't connect|Connection refused|Failed to connect" $GOA -C p import
}

evil_case() { # evil_case KIND PATTERN
	mkdir -p m
	$PY "$HERE/mkevil.py" "$1" m/evil-1.0.tar.gz
	project p "https://example.invalid/evil-1.0.tar.gz" "$(sha m/evil-1.0.tar.gz)"
	expect_fail "$2" $GOA -C p import --mirror "file://$PWD/m"
	[ ! -e p/src ] || fail "src/ created from a hostile archive"
	[ ! -e escaped ] && [ ! -e outside ] && [ ! -e p/escaped ] && [ ! -e p/var/escaped ] || fail "something escaped"
	[ ! -e /tmp/goa-abs-escaped ] || fail "absolute path written"
	[ -z "$(ls p/var/quarantine 2>/dev/null)" ] || fail "quarantine not cleaned"
}
test_archive_dotdot() { evil_case dotdot "refusing member 'pkg/../../escaped': path leads outside"; }
test_archive_absolute() { evil_case absolute "refusing member '/tmp/goa-abs-escaped': absolute path"; }
test_archive_symlink_escape() { evil_case symlink "refusing member 'pkg/link': symlink leads outside"; }
test_archive_hardlink_escape() { evil_case hardlink "hard link leads outside"; }
test_archive_good_symlink() {
	mkdir -p m
	$PY "$HERE/mkevil.py" good m/good-1.0.tar.gz
	project p "https://example.invalid/good-1.0.tar.gz" "$(sha m/good-1.0.tar.gz)"
	$GOA -C p import --mirror "file://$PWD/m"
	[ -L p/src/inside-link ] && [ "$(cat p/src/inside-link)" = hello ]
}

test_tree_hash_verification() {
	make_src m
	mkdir t && tar -xzf m/hello-1.0.tar.gz -C t
	th=$($GOA hash t/hello-1.0 | cut -d' ' -f1)
	# Archive hash wrong on purpose, tree hash right: accepted by tree hash.
	project p "https://example.invalid/hello-1.0.tar.gz" "$(printf '%064d' 2)"
	sed -i "s/^    sha256: .*/&\n    tree_sha256: $th/" p/goa.yaml
	$GOA -C p import --mirror "file://$PWD/m"
	# Tree hash wrong: refused, nothing placed.
	project q "https://example.invalid/hello-1.0.tar.gz" "$(printf '%064d' 2)"
	sed -i "s/^    sha256: .*/&\n    tree_sha256: $(printf '%064d' 3)/" q/goa.yaml
	expect_fail "tree hash mismatch" $GOA -C q import --mirror "file://$PWD/m"
	[ ! -e q/src ]
}

test_patches_and_diff() {
	make_src m
	project p "https://example.invalid/hello-1.0.tar.gz" "$(sha m/hello-1.0.tar.gz)"
	mkdir p/patches
	cat >p/patches/greeting.patch <<-'P'
	--- a/hello.c
	+++ b/hello.c
	@@ -1,2 +1,2 @@
	 #include <stdio.h>
	-int main(void) { puts("hello from tarball"); return 3; }
	+int main(void) { puts("hello from patched tarball"); return 3; }
	P
	sed -i 's|^    sha256: .*|&\n    patches: [patches/greeting.patch]|' p/goa.yaml
	$GOA -C p import --mirror "file://$PWD/m"
	grep -q "patched tarball" p/src/hello.c
	set +e; $GOA -C p diff >d0; rc=$?; set -e
	[ $rc -eq 0 ] && [ ! -s d0 ] || fail "diff of a fresh import is not empty"
	sed -i 's/patched tarball/locally edited/' p/src/hello.c
	set +e; $GOA -C p diff >local.patch; rc=$?; set -e
	[ $rc -eq 1 ] || fail "goa diff returned $rc"
	grep -q '^+++ b/hello.c' local.patch
	cp -a p/var/orig check && patch -d check -p1 <local.patch && cmp check/hello.c p/src/hello.c
	# A patch that no longer applies names itself.
	sed -i 's/^-int main.*/-int main(void) { puts("not in the sources"); }/' p/patches/greeting.patch
	expect_fail "patches/greeting.patch: patch failed" $GOA -C p import --force --mirror "file://$PWD/m"
	grep -q "locally edited" p/src/hello.c || fail "failed import replaced src/"
}

# ---------------------------------------------------------------- export / keys / install
test_export_reproducible_and_immutable() {
	$GOA new --template posix r
	$GOA -C r build
	$GOA -C r export --depot "$PWD/d1" --user tester
	touch r/src/main.c r/goa.yaml   # times must not matter
	$GOA -C r export --depot "$PWD/d2" --user tester
	for f in $(cd d1 && find . -name '*.tar.xz'); do cmp "d1/$f" "d2/$f" || fail "$f differs"; done
	[ "$(cd d1 && find . -name '*.tar.xz' | wc -l)" -eq 4 ] || fail "expected src, bin, bin (-dbg) and pkg archives"
	[ -f d1/tester/bin/x86_64/r-dbg/0.1.0.tar.xz ] || fail "no debug archive"
	tar -tvJf d1/tester/src/r/0.1.0.tar.xz | grep -v "root/root" && fail "owner leaked" || true
	tar -tvJf d1/tester/src/r/0.1.0.tar.xz | grep -v "1980-01-01" && fail "mtime leaked" || true
	$GOA -C r export --depot "$PWD/d1" --user tester | cat
	echo '/* changed */' >>r/src/main.c
	expect_fail "already exists with different content" $GOA -C r export --depot "$PWD/d1" --user tester
	$GOA -C r bump-version | grep -q "0.1.1"
	grep -q 'version: "0.1.1"' r/goa.yaml
	$GOA -C r export --depot "$PWD/d1" --user tester
	$GOA -C r archive-versions --depot "$PWD/d1" --user tester | grep -q "tester/src/r/0.1.1"
	[ "$($GOA -C r archive-versions --depot "$PWD/d1" --user tester | grep -c '/src/')" -eq 2 ]
}

test_key_create_show() {
	$GOA key create k.pem
	[ "$(stat -c %a k.pem)" = 600 ] || fail "private key not 0600"
	grep -q "BEGIN PRIVATE KEY" k.pem
	$GOA key show k.pem | diff - k.pem.pub
	expect_fail "never overwrites" $GOA key create k.pem
	echo junk >bad.pem
	expect_fail "not a usable signing key" $GOA key show bad.pem
}

# Export a signed project into ./served and a depot user "tester" for it.
signed_depot() {
	$GOA key create k.pem
	$GOA new --template posix s
	$GOA -C s build
	$GOA -C s export --depot "$PWD/served" --user tester --key k.pem
	serve_depot_as_tester
}

test_install_verified() {
	signed_depot
	$GOA -j 4 install --depot "$PWD/fresh" --depots "$PWD/users" tester/pkg/s/0.1.0
	[ -x fresh/tester/bin/x86_64/s/0.1.0/s ] || fail "bin not installed via pkg"
	[ -f fresh/tester/src/s/0.1.0/goa.yaml ] || fail "src not installed via pkg"
	[ -f fresh/tester/pkg/s/0.1.0.tar.xz.sig ]
	[ ! -e fresh/.quarantine ]
	$GOA install --depot "$PWD/fresh" --depots "$PWD/users" tester/pkg/s/0.1.0 2>&1 | grep -q "already installed"
}

test_install_tampered_refused() {
	signed_depot
	f=served/tester/bin/x86_64/s/0.1.0.tar.xz
	$PY -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=1; open(p,'wb').write(b)" "$f"
	expect_fail "signature check failed for tester/bin/x86_64/s/0.1.0.*nothing was unpacked" \
		$GOA install --depot "$PWD/fresh" --depots "$PWD/users" tester/bin/x86_64/s/0.1.0
	[ ! -e fresh/tester/bin ] || fail "something was unpacked"
	[ ! -e fresh/.quarantine ] || fail "quarantine left behind"
	# The wrong key is refused too.
	$GOA key create other.pem && cp other.pem.pub users/tester/pubkey
	expect_fail "signature check failed" $GOA install --depot "$PWD/fresh" --depots "$PWD/users" tester/src/s/0.1.0
	[ ! -e fresh/tester/src ]
}

test_install_unreachable_and_missing() {
	signed_depot
	expect_fail "HTTP 404" $GOA install --depot "$PWD/fresh" --depots "$PWD/users" tester/src/s/9.9
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	expect_fail "registry is reachable" $GOA install --depot "$PWD/fresh" --depots "$PWD/users" \
		--from "http://127.0.0.1:$port" tester/src/s/0.1.0
	expect_fail "not a depot archive path" $GOA install --depot "$PWD/fresh" --depots "$PWD/users" 'tester/src/../x/1'
	expect_fail "users/nobody/download" $GOA install --depot "$PWD/fresh" --depots "$PWD/users" nobody/src/s/0.1.0
	[ ! -e fresh/tester ]
}

test_install_project_depends_then_build() {
	$GOA key create k.pem
	$GOA new --template library mathx
	$GOA -C mathx build
	$GOA -C mathx export --depot "$PWD/served" --user tester --key k.pem
	serve_depot_as_tester
	$GOA new --template posix app
	sed -i 's|^artifacts:|depends: [tester/api/mathx/0.1.0]\nartifacts:|' app/goa.yaml
	sed -i 's/hello from app/hello from app 7/' app/goa.yaml
	printf '#include <stdio.h>\n#include <mathx.h>\nint main(void) { printf("hello from app %%d\\n", mathx_add(3, 4)); return 0; }\n' >app/src/main.c
	sed -i 's/system: plain/system: make/' app/goa.yaml
	printf 'app:\n\t$(CC) $(CFLAGS) -o app main.c $$(pkg-config --libs mathx) $(LDFLAGS)\n' >app/src/Makefile
	sed -i 's/artifacts: \[app\]/artifacts: [app]/' app/goa.yaml
	GOA_DEPOTS=$PWD/users $GOA -C app install
	[ -f app/var/depot/tester/api/mathx/0.1.0/lib/libmathx.a ] || fail "dependency not installed into the project depot"
	$GOA -C app build
	$GOA -C app test
}

test_publish_headers_and_rate_limit() {
	$GOA key create k.pem
	$GOA new --template posix ratelimit
	$GOA -C ratelimit export --depot "$PWD/d" --user tester
	mkdir www
	start_httpd "$PWD/www"
	$GOA -C ratelimit publish --depot "$PWD/d" --user tester --key k.pem --token sekrit \
		--registry "http://127.0.0.1:$PORT" 2>&1 | tee out
	grep -q "rate limited; retrying in 1 s" out
	grep -q "published tester/src/ratelimit/0.1.0" out
	# The signature header is the base64 of the .sig written beside the archive.
	sig=$(base64 -w0 d/tester/src/ratelimit/0.1.0.tar.xz.sig)
	grep -q "^/tester/src/ratelimit/0.1.0.tar.xz $sig Bearer sekrit$" www/puts.log
	[ "$(stat -c %s d/tester/src/ratelimit/0.1.0.tar.xz.sig)" -eq 64 ]
}

test_publish_unreachable_registry() {
	$GOA key create k.pem
	$GOA new --template posix s
	$GOA -C s export --depot "$PWD/d" --user tester
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	expect_fail "cannot reach http://127.0.0.1:$port/tester/src/s/0.1.0.tar.xz" \
		$GOA -C s publish --depot "$PWD/d" --user tester --key k.pem --token t --registry "http://127.0.0.1:$port"
	expect_fail "no registry token" $GOA -C s publish --depot "$PWD/d" --user tester --key k.pem --registry "http://127.0.0.1:$port"
}

# ---------------------------------------------------------------- recipes
test_recipes_validate() {
	for r in "$RECIPES"/*/; do $GOA -C "$r" info >/dev/null || fail "recipe $r does not validate"; done
}

recipe() { cp -a "$RECIPES/$1" "$1"; rm -rf "$1/src" "$1/var"; }

# The recipes take their sources from Debian's archive (apt's configuration).
# Downloads are kept in $BUILD/goa/debian-cache across runs, so a machine that
# fetched them once runs these offline; without the archive and without a
# cached copy they are recorded as skipped. -O0 keeps the suite fast; `make
# -C goa recipes-check` runs every recipe's goa check with the default -O2.
debian_recipe() { # debian_recipe NAME: import recipes/NAME, or skip
	recipe "$1"
	export GOA_CACHE=$BUILD/goa/debian-cache
	if ! $GOA -C "$1" import 2>import.err; then
		cat import.err >&2
		grep -Eq "Could not resolve|Couldn't connect|Failed to connect|Connection refused|timed out|no Debian archive" import.err &&
			skip "$1: Debian's archive is unreachable and its sources are not cached"
		fail "$1: import failed"
	fi
}

# stripped_and_split NAME: the export has a stripped bin (if any), an api and a debug archive.
stripped_and_split() {
	$GOA -C "$1" export --depot "$PWD/depot" --user kide
	local v; v=$(sed -n 's/^version: //p' "$1/goa.yaml")
	[ -f "depot/kide/api/$1/$v.tar.xz" ] || fail "$1: no api archive"
	[ -f "depot/kide/bin/x86_64/$1-dbg/$v.tar.xz" ] || fail "$1: no debug archive"
	if [ -f "depot/kide/bin/x86_64/$1/$v.tar.xz" ]; then
		mkdir -p "bin-$1" && tar -xJf "depot/kide/bin/x86_64/$1/$v.tar.xz" -C "bin-$1"
		for f in $(find "bin-$1" -type f); do
			file "$f" | grep -q ELF || continue
			file "$f" | grep -q ", stripped" || fail "$1: $f not stripped"
		done
		tar -tJf "depot/kide/bin/x86_64/$1/$v.tar.xz" >"bin-$1.txt"
		! grep -Eq 'share/man|lib/cmake|\.pc$|\.a$|include/' "bin-$1.txt" ||
			fail "$1: the bin archive carries api or doc files"
	fi
}

test_recipe_lua() {
	debian_recipe lua
	GOA_CFLAGS=-O0 $GOA_REL -j 2 -C lua check
	$GOA -C lua test
	stripped_and_split lua
	tar -tJf depot/kide/api/lua/5.4.4.tar.xz >api.txt
	grep -q '^include/lua.h$' api.txt || fail "no lua.h in the api archive"
}

test_recipe_zlib() {
	debian_recipe zlib
	GOA_CFLAGS=-O0 $GOA_REL -j 2 -C zlib check
	stripped_and_split zlib
	tar -xJOf depot/kide/api/zlib/1.2.13.tar.xz lib/pkgconfig/zlib.pc >zlib.pc
	grep -q '^prefix=${pcfiledir}/../..$' zlib.pc || fail "zlib.pc not relocatable"
}

test_recipe_expat() {
	debian_recipe expat
	GOA_CFLAGS=-O0 $GOA_REL -j 2 -C expat check
	[ -f expat/var/api/x86_64/lib/libexpat.a ] && [ -f expat/var/api/x86_64/include/expat.h ] || fail "libexpat not staged into the api tree"
	stripped_and_split expat
}

test_recipe_lz4() {
	debian_recipe lz4
	GOA_CFLAGS=-O0 $GOA_REL -j 2 -C lz4 check
	$GOA -C lz4 test
	stripped_and_split lz4
}

# SQLite's goa check (fuzzcheck over its fuzz databases) takes minutes: it
# runs in make -C goa recipes-check; here the shell is built and tested.
test_recipe_sqlite() {
	debian_recipe sqlite
	GOA_CFLAGS=-O0 $GOA_REL -j 2 -C sqlite build
	file sqlite/var/bin/x86_64/bin/sqlite3 | grep -q "statically linked" || fail "sqlite3 not static"
	$GOA -C sqlite test
	stripped_and_split sqlite
}

# lwIP's recipe is only imported here: the OS build compiles the stack
# (os/net/build.mk). The import must bring the parts os/net compiles and
# apply the recipe's patch.
test_recipe_lwip() {
	debian_recipe lwip
	for f in src/core/tcp_in.c src/core/ipv4/etharp.c src/netif/ethernet.c src/include/lwip/opt.h COPYING; do
		[ -f "lwip/src/$f" ] || fail "lwip: no $f after import"
	done
	grep -q '(u32_t)tcp_get_next_optbyte() << 24' lwip/src/src/core/tcp_in.c || fail "lwip: patch not applied"
	grep -q 'define LWIP_WND_SCALE' lwip/src/src/include/lwip/opt.h || fail "lwip: 2.1.3 has no window scaling?"
}

# BearSSL's recipe is only imported too: the OS build compiles the files TLS
# needs (os/lib/tls/build.mk). The import must bring them and the headers.
test_recipe_bearssl() {
	debian_recipe bearssl
	for f in src/ssl/ssl_hs_server.c src/x509/x509_minimal.c src/ec/ec_p256_m31.c inc/bearssl.h LICENSE.txt; do
		[ -f "bearssl/src/$f" ] || fail "bearssl: no $f after import"
	done
	grep -q 'BR_ERR_X509_NOT_TRUSTED' bearssl/src/inc/bearssl_x509.h || fail "bearssl: not 0.6's headers?"
}

run_tests "$@"
echo "goa-e2e: $passed passed, $failed failed, $skipped skipped"
mkdir -p "$BUILD/results"
echo "$passed $failed $skipped" >"$BUILD/results/goa-e2e"
[ $failed -eq 0 ]
