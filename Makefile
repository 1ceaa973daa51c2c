# The two commands of the README: `make demo` and `make test`. Each makes .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama.cpp builds from source when no wheel is cached; LLAVA is not used and doubles the build.
# It builds for this CPU (-march=native), on x86_64 without AMX: a CPU may report AMX that its
# virtual machine does not let a process use, and llama.cpp's AMX kernels then crash at the
# first token (a general protection fault, seen on such a machine). A Raspberry Pi has no AMX.
LLAMA_CPU_FLAGS := $(if $(filter x86_64,$(shell uname -m)),-mno-amx-tile -mno-amx-int8 -mno-amx-bf16)
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF $(if $(LLAMA_CPU_FLAGS),-DCMAKE_C_FLAGS="$(LLAMA_CPU_FLAGS)" -DCMAKE_CXX_FLAGS="$(LLAMA_CPU_FLAGS)")
# The cloud is production unless told otherwise; the demo, the tests and the benches are not.
export MEDMIND_ENVIRONMENT ?= development

.PHONY: demo test lint typecheck unit bench schemas clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[all,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/medmind demo

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

schemas: $(STAMP)
	$(BIN)/medmind protocol schema --out-dir docs/protocol

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
