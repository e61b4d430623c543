#!/usr/bin/env bash
# Installs everything MedBot's tests and local stack need on a fresh machine.
# Idempotent: each step is skipped when its inputs have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# 1. The application and its test tools.
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if ! stamp_ok .venv/.stamp "$want"; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements-dev.txt
  echo "$want" > .venv/.stamp
fi

# 2. gcloud-tasks-emulator pins protobuf<5, so it lives in its own venv.
if ! stamp_ok .venv-tasks/.stamp "gcloud-tasks-emulator==0.6.2"; then
  [ -x .venv-tasks/bin/python ] || "$PY" -m venv .venv-tasks
  .venv-tasks/bin/pip install -q gcloud-tasks-emulator==0.6.2
  echo "gcloud-tasks-emulator==0.6.2" > .venv-tasks/.stamp
fi

# 3. checkov has a large dependency tree of its own: keep it apart too.
if ! stamp_ok .venv-tools/.stamp "checkov==3.3.30"; then
  [ -x .venv-tools/bin/python ] || "$PY" -m venv .venv-tools
  .venv-tools/bin/pip install -q checkov==3.3.30
  echo "checkov==3.3.30" > .venv-tools/.stamp
fi

# 4. System packages: Chromium for the simulator's browser test, espeak-ng for
#    offline speech, Noto CJK fonts for printable handouts. The Firestore emulator
#    (gcloud + Java) comes with the machine image; fail clearly if it is missing.
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || need+=(fonts-noto-cjk)
ldconfig -p | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing system packages: ${need[*]} (install them with apt-get)" >&2
  fi
fi
if ! gcloud emulators firestore --help >/dev/null 2>&1; then
  echo "the gcloud CLI with its Firestore emulator is required (google-cloud-cli-firestore-emulator)" >&2
  exit 1
fi
