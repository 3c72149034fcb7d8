#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='module loaders: a loader found by its name

A toy loader (t/loader/toyloader.c) in FLUX_MODULE_LOADER_PATH serves the
made-up suffix .toy with no file of the broker naming it: a .toy module
loads by path and by name, runs (answers its own RPC and a ping), is
listed and removed.  A suffix no loader serves fails with the supported
suffixes listed; a loader without its entry symbol fails with EINVAL.'

. /usr/share/sharness/sharness.sh

# The broker finds loaders, so the path is set before it starts.
FLUX_MODULE_LOADER_PATH=/nonexistent:$FLUX_BUILD_DIR/t/loader
export FLUX_MODULE_LOADER_PATH

test_under_flux 1 minimal

test_expect_success 'a .toy module loads through toyloader.so and runs' '
	echo "hello from a toy" >hello.toy &&
	flux module load ./hello.toy a b &&
	test_when_finished "flux module remove hello" &&
	rpc hello.hello >hello.out &&
	echo "{\"argc\": 2, \"text\": \"hello from a toy\"}" >hello.expected &&
	test_cmp hello.expected hello.out &&
	flux ping -c 1 hello | grep "^0!hello.ping "
'
test_expect_success 'flux module list shows the .toy module and its path' '
	flux module load ./hello.toy &&
	flux module list -l >list.out &&
	grep "^hello .* R .* $(pwd)/hello.toy$" list.out &&
	flux module remove hello &&
	test_must_fail module_is_loaded hello
'
test_expect_success 'a bare NAME is found as NAME.toy in FLUX_MODULE_PATH' '
	mkdir -p toys &&
	echo "found by name" >toys/byname.toy &&
	FLUX_MODULE_PATH=$(pwd)/toys flux module load byname &&
	test_when_finished "flux module remove byname" &&
	flux module list -l | grep "^byname .* $(pwd)/toys/byname.toy$" &&
	rpc byname.hello | grep "\"text\": \"found by name\""
'
test_expect_success 'NAME.so comes before NAME.toy in the search' '
	cp "$FLUX_BUILD_DIR/t/module/testmod.so" toys/both.so &&
	echo "not me" >toys/both.toy &&
	FLUX_MODULE_PATH=$(pwd)/toys flux module load both &&
	test_when_finished "flux module remove both" &&
	flux module list -l | grep "^both .* $(pwd)/toys/both.so$"
'
test_expect_success 'a bare NAME not in the module path: ENOENT, the path named' '
	test_expect_code 1 env "FLUX_MODULE_PATH=$(pwd)/toys" \
		flux module load nosuch 2>nosuch.err &&
	echo "flux-module: load nosuch: module not found in module path $(pwd)/toys" \
		>nosuch.expected &&
	test_cmp nosuch.expected nosuch.err
'
test_expect_success 'an unknown suffix fails, naming every suffix served' '
	echo x >mod.nosuch &&
	! rpc module.load "{\"path\": \"$(pwd)/mod.nosuch\", \"args\": []}" \
		2>suffix.err &&
	echo "22: no module loader for this file type (supported: .so, .py, .noentry, .toy)" \
		>suffix.expected &&
	test_cmp suffix.expected suffix.err
'
test_expect_success 'a loader without flux_module_loader_main: EINVAL' '
	echo x >mod.noentry &&
	! rpc module.load "{\"path\": \"$(pwd)/mod.noentry\", \"args\": []}" \
		2>noentry.err &&
	echo "22: noentryloader.so does not define flux_module_loader_main()" \
		>noentry.expected &&
	test_cmp noentry.expected noentry.err &&
	test_must_fail module_is_loaded mod
'
test_expect_success 'the loader'"'"'s error reaches the user (empty .toy file)' '
	: >empty.toy &&
	test_expect_code 1 flux module load ./empty.toy 2>empty.err &&
	grep "^flux-module: load ./empty.toy: toyloader: $(pwd)/empty.toy is empty: Invalid argument$" \
		empty.err &&
	test_must_fail module_is_loaded empty
'
test_expect_success 'without FLUX_MODULE_LOADER_PATH, .toy is not served' '
	test_must_fail env -u FLUX_MODULE_LOADER_PATH flux start \
		-Sbroker.rc1_path= -Sbroker.rc3_path= \
		flux module load ./hello.toy 2>noloader.err &&
	grep "load ./hello.toy: no module loader for this file type (supported: .so, .py)$" \
		noloader.err
'
test_done
