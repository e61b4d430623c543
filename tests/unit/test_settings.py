from pathlib import Path

from shared.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_configuration_table():
    missing = [name.upper() for name in Settings.model_fields
               if f"| `{name.upper()}` |" not in README]
    assert missing == []


def test_the_default_worker_auth_is_oidc_so_a_bare_deployment_is_not_open():
    assert Settings().worker_auth == "oidc"
