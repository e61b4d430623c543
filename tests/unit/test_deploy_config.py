"""Deploying is reproducible and the two ways to deploy agree (issue 18, items 7-8).

- One tfvars file (infra/terraform/medbot.tfvars) holds the operator's settings; the
  README's commands and cloudbuild.yaml pass it and the same per-deploy variables, so
  a CI deploy never resets a setting the operator made by hand.
- Every image Cloud Build runs is pinned to an exact version or a digest.
- The source zip is reproducible and named after its content (no $SHORT_SHA).
"""

from __future__ import annotations

import re
import shlex
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from scripts import package
from tests.deployment import DEPLOY_VARS, TF_DIR, TFVARS, plan
from tests.tfplan import Plan, PlanError, Scope, load_tfvars

ROOT = Path(__file__).resolve().parents[2]
BUILD = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOY_SECTION = README.split("## Deploying (operators)", 1)[1].split("\n## ", 1)[0]
PER_DEPLOY = {"project", "source_bucket", "source_object"}


def step(step_id: str) -> dict[str, Any]:
    [found] = [s for s in BUILD["steps"] if s["id"] == step_id]
    return dict(found)


def script(step_id: str) -> str:
    return "\n".join(step(step_id)["args"][1:])


def words(command: str) -> list[str]:
    """A shell command's words, with $(...) and $VAR replaced by placeholders."""
    command = re.sub(r"\$\$?\([^)]*\)", "SUBST", command)
    return shlex.split(command)


def var_arguments(argv: list[str]) -> tuple[set[str], set[str]]:
    """(-var-file values, -var names) of a terraform command line."""
    files, names = set(), set()
    for i, word in enumerate(argv):
        if word.startswith("-var-file="):
            files.add(word.split("=", 1)[1])
        elif word == "-var":
            names.add(argv[i + 1].split("=", 1)[0])
    return files, names


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", DEPLOY_SECTION, re.DOTALL)
    assert blocks, "no sh block in README's deploy section"
    text = "\n".join(blocks).replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def readme_applies() -> list[list[str]]:
    lines = readme_commands()
    [tfvars] = [line for line in lines if line.startswith("TFVARS=")]
    expansion = shlex.split(tfvars.split("=", 1)[1])[0]
    return [words(line.replace("$TFVARS", expansion)) for line in lines
            if line.startswith("terraform apply")]


def build_applies() -> list[list[str]]:
    return [words(line.strip()) for line in script("deploy").splitlines()
            if line.strip().startswith("terraform apply")]


# ------------------------------------------------------------------ one tfvars file


def test_the_tfvars_file_sets_declared_operator_variables_only() -> None:
    values = load_tfvars(TFVARS)
    assert set(values) <= set(plan().variables), "undeclared variables in medbot.tfvars"
    assert PER_DEPLOY.isdisjoint(values), "per-deploy values do not belong in the file"
    required = {n for n, v in plan().variables.items() if "default" not in v.attributes}
    assert required <= set(values) | PER_DEPLOY


def test_an_unedited_tfvars_file_is_refused_at_plan_for_its_alert_address_only() -> None:
    with pytest.raises(PlanError, match="alert_email"):
        Plan(TF_DIR, {**load_tfvars(TFVARS), **DEPLOY_VARS})
    errors = []
    try:
        Plan(TF_DIR, {**load_tfvars(TFVARS), **DEPLOY_VARS})
    except PlanError as error:
        errors = re.findall(r"'(\w+):", str(error))
    assert errors == ["alert_email"]


def test_readme_and_cloud_build_pass_the_same_variables() -> None:
    applies = readme_applies() + build_applies()
    assert len(readme_applies()) == 2  # the targeted first apply, then the full one
    assert len(build_applies()) == 1
    for argv in applies:
        files, names = var_arguments(argv)
        assert files == {"medbot.tfvars"}, argv
        assert names == PER_DEPLOY, argv


def test_readme_and_cloud_build_keep_state_in_the_same_place() -> None:
    def backend(lines: list[str]) -> dict[str, str]:
        [init] = [line for line in lines if line.strip().startswith("terraform init")]
        pairs = [w.split("=", 2)[1:] for w in words(init) if w.startswith("-backend-config=")]
        return {k: ("BUCKET" if k == "bucket" else v) for k, v in pairs}

    assert backend(readme_commands()) == backend(script("deploy").splitlines()) == {
        "bucket": "BUCKET", "prefix": "medbot"}


def test_cloud_build_substitutions_are_declared_and_documented() -> None:
    text = (ROOT / "cloudbuild.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{(_[A-Z_]+)\}", text))
    declared = set(BUILD["substitutions"])
    assert used == declared == {"_SOURCE_BUCKET", "_STATE_BUCKET"}
    section = DEPLOY_SECTION.split("### Cloud Build", 1)[1].split("\n### ", 1)[0]
    assert set(re.findall(r"`(_[A-Z_]+)`", section)) == declared
    assert "SHORT_SHA" not in "\n".join(script(s["id"]) for s in BUILD["steps"])


# ------------------------------------------------------------------ pinned images

PINNED = re.compile(r"^[\w.\-/]+(?::\d+\.\d+\.\d+(?:-[\w.]+)?)?(?:@sha256:[0-9a-f]{64})?$")


@pytest.mark.parametrize("build_step", BUILD["steps"], ids=lambda s: s["id"])
def test_every_build_image_is_pinned(build_step: dict[str, Any]) -> None:
    image = build_step["name"]
    assert PINNED.match(image) and (":" in image.rsplit("/", 1)[-1] or "@sha256:" in image), \
        f"{image}: pin an exact version (x.y.z) or a digest"
    assert image in DEPLOY_SECTION, f"README does not say what {image} must contain"


def test_the_test_step_runs_in_the_image_readme_describes() -> None:
    assert "make test" in script("test")
    assert step("test")["name"].startswith("gcr.io/google.com/cloudsdktool/google-cloud-cli:")


def test_terraform_pins_exact_provider_versions() -> None:
    providers = plan().terraform_blocks[0].blocks
    [(_, _, required)] = [b for b in providers if b[0] == "required_providers"]
    for name, expr in required.attributes.items():
        spec = plan().evaluate(expr, Scope())
        assert re.fullmatch(r"\d+\.\d+\.\d+", spec["version"]), f"{name}: {spec['version']}"


# ------------------------------------------------------------------ the source zip


def test_the_package_is_reproducible_and_named_after_its_content() -> None:
    first, second = package.build(), package.build()
    assert first == second
    name = package.object_name(first)
    assert re.fullmatch(r"medbot-[0-9a-f]{16}\.zip", name)
    names = zipfile.ZipFile(BytesIO(first)).namelist()
    assert {"main.py", "requirements.txt", "shared/runtime.json", "shared/bootstrap.py",
            "functions/_http.py"} <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # The message catalogs the functions read at run time (shared/domain/i18n.py).
    assert {f"shared/locales/{lang}/LC_MESSAGES/core.po" for lang in ("en", "ru", "zh_TW")} \
        <= set(names)


def test_readme_and_cloud_build_package_with_the_same_script() -> None:
    assert "python3 scripts/package.py" in script("package")
    assert any(line.startswith("SOURCE_OBJECT=$(python3 scripts/package.py")
               for line in readme_commands())
