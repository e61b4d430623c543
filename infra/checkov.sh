#!/usr/bin/env bash
# Static security checks of infra/terraform with checkov, fully offline.
#
# checkov lives in its own venv (.venv-tools): its pinned dependencies would clash with
# the application's. Install once, from the repository root:
#   python3 -m venv .venv-tools && .venv-tools/bin/pip install checkov==3.3.30
#
# --skip-download: no calls to the Bridgecrew/Prisma platform (no network, no API key).
# Exits non-zero if any check fails, if a .tf file does not parse (checkov itself only
# reports parsing errors and still exits 0) or if checkov is missing.
# Skips live inline in the .tf files, each with its reason.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
checkov="${root}/.venv-tools/bin/checkov"

if [[ ! -x "${checkov}" ]]; then
  echo "checkov not found at ${checkov}." >&2
  echo "Install: python3 -m venv .venv-tools && .venv-tools/bin/pip install checkov==3.3.30" >&2
  exit 2
fi

summary_dir="$(mktemp -d)"
scan_dir="$(mktemp -d)"
trap 'rm -rf "${summary_dir}" "${scan_dir}"' EXIT

cd "${root}"
# locals.tf reads the runtime table with jsondecode(file(".../shared/runtime.json")),
# which checkov cannot evaluate (it has neither function), so it could not expand the
# for_each over the functions and would scan far less. Scan a copy in which exactly
# that expression is replaced by the file's JSON text, a valid HCL object literal:
# the same value Terraform computes.
cp -R infra/terraform/. "${scan_dir}/"
"${checkov%/checkov}/python" - "${scan_dir}/locals.tf" shared/runtime.json <<'PY'
import sys

locals_tf, table = sys.argv[1], sys.argv[2]
expression = 'jsondecode(file("${path.module}/../../shared/runtime.json"))'
text = open(locals_tf, encoding="utf-8").read()
if text.count(expression) != 1:
    sys.exit(f"checkov.sh: expected {expression} once in locals.tf")
with open(table, encoding="utf-8") as handle:
    literal = handle.read().strip()
with open(locals_tf, "w", encoding="utf-8") as handle:
    handle.write(text.replace(expression, literal))
PY
status=0
"${checkov}" -d "${scan_dir}" --framework terraform --skip-download --compact --quiet \
  -o cli -o json --output-file-path "console,${summary_dir}/summary.json" "$@" || status=$?

# Parsing errors and an empty scan would otherwise pass silently.
"${checkov%/checkov}/python" - "${summary_dir}/summary.json" <<'PY' || status=1
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
reports = data if isinstance(data, list) else [data]
summary = reports[0]["summary"]
if summary.get("parsing_errors", 0) or not summary.get("resource_count", 0):
    print(f"checkov: parsing errors or no resources scanned: {summary}", file=sys.stderr)
    sys.exit(1)
PY

exit "${status}"
