# MedBot: the two commands are `make dev` (run it locally) and `make test`.
.PHONY: install dev test lint typecheck pytest checkov bench

install:
	./scripts/install.sh

dev: install
	.venv/bin/python -m infra.local.dev $(ARGS)

lint:
	.venv/bin/ruff check .

typecheck:
	.venv/bin/mypy .

pytest:
	.venv/bin/pytest -q -p no:cacheprovider

checkov:
	bash infra/checkov.sh

test: install lint typecheck checkov pytest

# Figures for bench/README.md (minutes; not part of `make test`).
bench: install
	.venv/bin/python -m bench.webhook --requests 1000
	.venv/bin/python -m bench.imports --repeat 5
	.venv/bin/python -m bench.parser_corpus
	.venv/bin/python -m bench.llm_calls
	.venv/bin/python -m bench.gemini_tasks --repeat 5
	.venv/bin/python -m bench.reminder_tick
	.venv/bin/python -m bench.rss --users 4 --concurrency 4
	.venv/bin/python -m bench.e2e_latency
	.venv/bin/python -m bench.capacity
