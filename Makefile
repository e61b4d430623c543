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

bench: install
	.venv/bin/python -m bench.webhook
	.venv/bin/python -m bench.imports
