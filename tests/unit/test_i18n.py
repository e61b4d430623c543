import re

import pytest

from shared.domain.channels import Channel
from shared.domain.i18n import (
    COMMON_TARGETS,
    UI_LANGUAGES,
    catalog,
    language_from_name,
    t,
    ui_language,
)


def test_every_catalog_has_the_same_keys_and_placeholders():
    english = catalog("en")
    for language in UI_LANGUAGES:
        other = catalog(language)
        assert other.keys() == english.keys(), language
        for key, text in english.items():
            assert set(re.findall(r"{\w+}", other[key])) == set(re.findall(r"{\w+}", text)), key


def test_every_language_has_the_same_feature_files():
    from shared.domain.i18n import _CATALOG_DIR

    files = {lang: sorted(p.name for p in (_CATALOG_DIR / lang).glob("*.json"))
             for lang in UI_LANGUAGES}
    assert len({tuple(v) for v in files.values()}) == 1, files


def test_ten_common_targets_have_labels_in_every_language():
    assert len(COMMON_TARGETS) == 10
    for language in UI_LANGUAGES:
        for code in COMMON_TARGETS:
            assert t(language, f"lang.{code}")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("英文", "en"), ("English", "en"), ("английский", "en"), (" ENGLISH ", "en"),
     ("台語", "nan"), ("Taiwanese", "nan"), ("越南文", "vi"), ("русский", "ru"), ("ja", "ja")],
)
def test_language_names_in_any_ui_language(typed, code):
    assert language_from_name(typed) == code


def test_unknown_language_name_is_none():
    assert language_from_name("Klingon") is None


@pytest.mark.parametrize(
    ("code", "channel", "expected"),
    [(None, Channel.LINE, "zh-TW"), (None, Channel.TELEGRAM, "en"), ("ru", Channel.TELEGRAM, "ru"),
     ("zh-hans", Channel.TELEGRAM, "zh-TW"), ("uk", Channel.TELEGRAM, "ru"),
     ("de", Channel.TELEGRAM, "en")],
)
def test_ui_language_from_platform_code(code, channel, expected):
    assert ui_language(code, channel) == expected


def test_placeholders_are_filled():
    assert "12" in t("en", "too_long", length=12, limit=10)
