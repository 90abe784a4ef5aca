# Thin wrapper over CMake: `make demo` and `make check` are the two commands
# a new user needs (see README.md). Everything else is CMake/ctest.
BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_OUT   ?= demo-out
CMAKE_FLAGS ?=

.PHONY: all build deps deps-test demo check check-fast check-asan bench clean

all: build

deps:
	@tools/install-deps.sh build

deps-test:
	@tools/install-deps.sh test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DSF_WERROR=ON $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The main job on a built-in default; prints where the results are.
demo: build
	@tools/demo.sh $(BUILD)/bin/stemfuse $(DEMO_OUT)

# Every test, in the normal build and in the sanitizer build.
check: deps-test check-fast check-asan

check-fast: build
	cd $(BUILD) && ctest --output-on-failure -j 1

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSF_SANITIZE=ON -DSF_WERROR=ON $(CMAKE_FLAGS)

check-asan: deps-test $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j 1

bench: build
	@for b in $(BUILD)/bin/bench_*; do echo "== $$b"; $$b; done

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
