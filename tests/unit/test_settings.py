import logging
from pathlib import Path

import pytest

from shared.settings import ConfigurationError, Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_configuration_table():
    missing = [name.upper() for name in Settings.model_fields
               if f"| `{name.upper()}` |" not in README]
    assert missing == []


def test_the_default_worker_auth_is_oidc_so_a_bare_deployment_is_not_open():
    assert Settings().worker_auth == "oidc"


def test_a_new_deployment_defaults_to_current_generally_available_models():
    defaults = Settings()
    assert defaults.gemini_model == "gemini-3.8-flash"
    assert defaults.gemini_tts_model == "gemini-3.8-flash-tts"
    for model in (defaults.gemini_model, defaults.gemini_tts_model):
        assert "preview" not in model and "2.5" not in model


@pytest.mark.parametrize(("env", "shown"), [
    ({"GEMINI_BACKEND": "vertex", "GCP_PROJECT": "medbot-prod", "GEMINI_LOCATION": "global"},
     {"backend": "vertex", "project": "medbot-prod", "location": "global",
      "model": "gemini-3.8-flash", "tts_model": "gemini-3.8-flash-tts"}),
    ({"GEMINI_API_KEY": "never-logged"},
     {"backend": "api-key", "model": "gemini-3.8-flash", "tts_model": "gemini-3.8-flash-tts"}),
    ({}, {"backend": "offline"}),
    ({"GEMINI_BACKEND": "offline", "GEMINI_API_KEY": "k"}, {"backend": "offline"}),
])
def test_the_model_backend_is_one_setting_shown_at_start_up(monkeypatch, caplog, env, shown):
    from shared import bootstrap

    for name in ("GEMINI_BACKEND", "GEMINI_API_KEY", "GCP_PROJECT", "GEMINI_LOCATION",
                 "GEMINI_MODEL", "GEMINI_TTS_MODEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WORKER_AUTH", "oidc")  # consistent security settings (issue 13)
    monkeypatch.setenv("TASKS_INVOKER_SA", "invoker@p.iam.gserviceaccount.com")
    monkeypatch.setattr(bootstrap, "configure_logging", lambda: None)
    with caplog.at_level(logging.INFO, logger="shared.bootstrap"):
        container = bootstrap._process_container.__wrapped__()
    [line] = [r for r in caplog.records if r.getMessage() == "model backend"]
    assert {k: getattr(line, k) for k in shown} == shown
    assert "never-logged" not in str(line.__dict__)
    assert container.model_backend == shown["backend"]


# ------------------------------------------------------------------ security settings
GOOD = {"worker_auth": "oidc", "tasks_invoker_sa": "invoker@p.iam.gserviceaccount.com"}


@pytest.mark.parametrize(("values", "named"), [
    ({"worker_auth": "oidc", "tasks_invoker_sa": ""}, ["TASKS_INVOKER_SA"]),
    ({"worker_auth": "dev-token", "dev_auth_token": ""}, ["DEV_AUTH_TOKEN"]),
    ({"worker_auth": "dev-token", "dev_auth_token": "t", "tasks_backend": "cloudtasks"},
     ["TASKS_BACKEND=cloudtasks"]),
    ({**GOOD, "line_channel_access_token": "x"}, ["LINE_CHANNEL_SECRET"]),
    ({**GOOD, "telegram_bot_token": "1:x"}, ["TELEGRAM_WEBHOOK_SECRET is empty"]),
    ({**GOOD, "telegram_bot_token": "1:x", "telegram_webhook_secret": "has space"},
     ["not 1-256 characters"]),
])
def test_contradicting_security_settings_are_named(values, named):
    settings = Settings(**values)
    with pytest.raises(ConfigurationError) as caught:
        settings.check_security()
    for name in named:
        assert name in str(caught.value)
    assert len(settings.security_problems()) == 1


@pytest.mark.parametrize("values", [
    GOOD,
    {"worker_auth": "dev-token", "dev_auth_token": "t"},
    {**GOOD, "tasks_backend": "cloudtasks", "line_channel_secret": "s",
     "line_channel_access_token": "x", "telegram_bot_token": "1:x",
     "telegram_webhook_secret": "s3cret_-A"},
])
def test_consistent_security_settings_pass(values):
    Settings(**values).check_security()


@pytest.mark.parametrize(("env", "named"), [
    ({"WORKER_AUTH": "oidc", "TASKS_INVOKER_SA": ""}, "TASKS_INVOKER_SA"),
    ({"WORKER_AUTH": "dev-token", "DEV_AUTH_TOKEN": ""}, "DEV_AUTH_TOKEN"),
])
def test_a_function_with_contradicting_security_settings_fails_at_start_up_naming_them(
        monkeypatch, caplog, env, named):
    """Issue 13: before, the first task failed with a bare ValueError (a 500)."""
    from shared import bootstrap
    from shared.settings import ConfigurationError

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(bootstrap, "configure_logging", lambda: None)
    with caplog.at_level(logging.INFO, logger="shared.bootstrap"), \
            pytest.raises(ConfigurationError, match=named):
        bootstrap._process_container.__wrapped__()
    [line] = [r for r in caplog.records if r.getMessage() == "configuration error"]
    assert line.levelno == logging.CRITICAL and named in line.__dict__["problem"]
