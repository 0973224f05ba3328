# `make test` and `make run` set everything up themselves on a fresh machine.
#
# TORCH_SPEC pins torch. The default is the CPU build these machines keep on disk;
# GPU users override it, e.g.  make test TORCH_SPEC='torch --index-url https://download.pytorch.org/whl/cu124'
# or simply TORCH_SPEC=torch (PyPI's default Linux wheel includes CUDA).
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
RUN_ARGS ?= --format markdown

.PHONY: install test test-network run lint bench eval-segment eval-clean train-clean reliability clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(TORCH_SPEC)
	$(PIP) install --quiet -e '.[test,html,fast,ray]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

# Needs a machine that can reach the Hugging Face hub (downloads ~1.2 GB once).
test-network: $(STAMP)
	$(PY) -m pytest -q --network -m network

# The main job: clean, translate and summarize the sample articles.
run: $(STAMP)
	$(VENV)/bin/mtsum summarize seeds/*.txt $(RUN_ARGS)

# Speed figures with random weights in the real models' exact architectures.
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

# Sentence splitters compared on tests/data (needs the eval extra: pySBD, syntok).
eval-segment: $(STAMP)
	$(PIP) install --quiet -e '.[eval]'
	$(PY) scripts/eval_segment.py

# Not part of `make test`: the fuzzers with a large budget (MTSUM_FUZZ_PROFILE=large),
# a 100 MB input (time and peak memory), the signal and file-safety tests.
reliability: $(STAMP)
	$(PY) scripts/reliability.py $(RELIABILITY_ARGS)

# Cleaning figures (not part of `make test`): plain text, the packaged line model's in-sample
# keep/drop beside the held-out figures its training recorded, per dataset and language
# (data/cleaning, plus ../shared/cleaning-dev when present); then HTML, mtsum beside
# trafilatura alone on the same pages (EVAL_HTML_ARGS=--compare also scores trafilatura's options).
eval-clean: $(STAMP)
	$(PY) scripts/eval_clean.py $(EVAL_CLEAN_ARGS)
	$(PY) scripts/eval_html.py $(EVAL_HTML_ARGS)

# Refit the headline finder (mtsum/clean/data/headline_model.json; needs ../shared/cleaning-dev,
# skipped without it), then the cleaning line model (mtsum/clean/data/line_model.json) on
# data/cleaning plus cleaning-dev when present, every choice made inside the folds, with
# held-out figures by site and by dataset (needs the train extra: scikit-learn).
train-clean: $(STAMP)
	$(PIP) install --quiet -e '.[train]'
	$(PY) scripts/train_headline.py
	$(PY) scripts/train_clean.py $(TRAIN_CLEAN_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check mtsum tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
