import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from shared.domain import i18n
from shared.domain.channels import Channel
from shared.domain.i18n import (
    COMMON_TARGETS,
    LOCALE_DIR,
    UI_LANGUAGES,
    catalog,
    language_from_name,
    load_catalog,
    locale_dir,
    t,
    ui_language,
)
from shared.domain.po_file import parse_po

PLACEHOLDER = re.compile(r"{(\w+)}")
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")
# The CLDR plural categories of each UI language (the brief's list; CLDR agrees below).
CATEGORIES = {"en": ("one", "other"), "ru": ("one", "few", "many", "other"),
              "zh-TW": ("other",)}


def forms(message):
    return message if isinstance(message, tuple) else (message,)


def placeholders(message):
    return [set(PLACEHOLDER.findall(text)) for text in forms(message)]


def po_files(language):
    return sorted(locale_dir(language).glob("*.po"))


def cldr(language):
    return Locale.parse(language.replace("-", "_")).plural_form


def test_every_message_exists_in_every_language_with_the_same_placeholders():
    english = catalog("en")
    assert len(english) > 150
    for language in UI_LANGUAGES:
        other = catalog(language)
        assert sorted(other.keys() - english.keys()) == [], language
        assert sorted(english.keys() - other.keys()) == [], language
        for key, text in english.items():
            wanted = set().union(*placeholders(text))
            for form in placeholders(other[key]):
                assert form == wanted, (language, key)


def test_every_language_has_the_same_feature_files():
    files = {lang: [p.name for p in po_files(lang)] for lang in UI_LANGUAGES}
    assert len({tuple(v) for v in files.values()}) == 1, files
    assert {p.name for p in LOCALE_DIR.iterdir()} == {"en", "ru", "zh_TW"}


def test_plural_categories_are_cldr_s():
    for language, categories in CATEGORIES.items():
        rule = cldr(language)
        assert tuple(c for c in CLDR_ORDER if c in {*rule.tags, "other"}) == categories


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_plural_forms_choose_the_cldr_category(language):
    # Form i of a plural message is the i-th CLDR category in CLDR order; the
    # catalog's gettext Plural-Forms must pick that form for every whole number.
    book = load_catalog(language)
    categories = CATEGORIES[language]
    assert book.plural_forms.startswith(f"nplurals={len(categories)};")
    rule = cldr(language)
    for n in [*range(0, 1000), 1001, 1011, 1021, 10**6 + 1, 10**6 + 5]:
        assert categories[book.plural_index(n)] == rule(n), (language, n)


def test_plural_messages_have_one_form_per_category_in_every_language():
    plural_keys = {k for k, v in catalog("en").items() if isinstance(v, tuple)}
    assert {"too_long", "education.email_limit", "limit.emails", "limit.generations",
            "education.handout_ready", "med.too_many", "med.too_many_times"} <= plural_keys
    for language in UI_LANGUAGES:
        for key, message in catalog(language).items():
            assert isinstance(message, tuple) == (key in plural_keys), (language, key)
            if key in plural_keys:
                assert len(message) == len(CATEGORIES[language]), (language, key)
                # CLDR's "one" in Russian is also 21, 31, ...: every form shows the number.
                assert all("{count}" in form for form in message), (language, key)


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_babel_reads_every_catalog_as_we_do_and_finds_no_error(language):
    for path in po_files(language):
        ours = parse_po(path.read_text(encoding="utf-8"), str(path))
        with path.open("rb") as f:
            theirs = read_po(f, locale=language.replace("-", "_"))
        assert list(theirs.check()) == [], path  # Babel's checkers (plural count, ...)
        assert theirs.plural_forms == ours.plural_forms, path
        babel_messages = {(m.id[0] if isinstance(m.id, tuple) else m.id):
                          (tuple(m.string) if isinstance(m.string, tuple) else m.string)
                          for m in theirs if m.id}
        assert babel_messages == ours.messages, path
        assert not any(m.fuzzy for m in theirs if m.id), path


def test_placeholders_are_flagged_for_gettext_tools():
    # "#, python-brace-format" lets msgfmt -c, Poedit and Weblate check the {fields}.
    for language in UI_LANGUAGES:
        for path in po_files(language):
            book = parse_po(path.read_text(encoding="utf-8"), str(path))
            for key, message in book.messages.items():
                flagged = "python-brace-format" in book.flags[key]
                assert flagged == any(placeholders(message)), (path.name, key)


@pytest.mark.parametrize(
    ("count", "ru", "en"),
    [(1, "1 письмо", "1 e-mail."), (2, "2 письма", "2 e-mails"), (4, "4 письма", "4 e-mails"),
     (5, "5 писем", "5 e-mails"), (11, "11 писем", "11 e-mails"),
     (12, "12 писем", "12 e-mails"), (21, "21 письмо", "21 e-mails"),
     (22, "22 письма", "22 e-mails"), (25, "25 писем", "25 e-mails"),
     (111, "111 писем", "111 e-mails"), (0, "0 писем", "0 e-mails")],
)
def test_counted_nouns_take_the_plural_form_of_the_number(count, ru, en):
    assert ru in t("ru", "limit.emails", count=count)
    assert en in t("en", "education.email_limit", count=count)
    assert f"{count} 封" in t("zh-TW", "limit.emails", count=count)


def test_a_plural_message_needs_a_count():
    with pytest.raises(TypeError, match="count="):
        t("en", "limit.emails")


def test_count_fills_other_placeholders_too():
    text = t("ru", "too_long", count=2003, limit=2000)
    assert "2003 символа" in text and "2000" in text
    assert t("en", "menu.help", count=3) == "Help"  # not plural: count is just a value


def test_unknown_language_and_missing_key_fall_back_to_english(tmp_path, monkeypatch):
    assert t("de", "menu.help") == "Help"
    header = ('msgid ""\nmsgstr ""\n"Plural-Forms: {}\\n"\n\n')
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ru" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en/LC_MESSAGES/core.po").write_text(
        header.format("nplurals=2; plural=(n != 1);")
        + 'msgid "a"\nmsgstr "A"\n\nmsgid "n"\nmsgid_plural "n"\n'
          'msgstr[0] "{count} day"\nmsgstr[1] "{count} days"\n', encoding="utf-8")
    (tmp_path / "ru/LC_MESSAGES/core.po").write_text(
        header.format("nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 "
                      "&& (n%100<12 || n%100>14) ? 1 : 2);")
        + '#, fuzzy\nmsgid "a"\nmsgstr "А?"\n\nmsgid "n"\nmsgid_plural "n"\n'
          'msgstr[0] "{count} день"\nmsgstr[1] ""\nmsgstr[2] "{count} дней"\n'
          'msgstr[3] "{count} дня"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    load_catalog.cache_clear()
    try:
        # A fuzzy or half-translated message counts as missing: English, by English rules.
        assert t("ru", "a") == "A"
        assert t("ru", "n", count=21) == "21 days"
        assert t("en", "n", count=1) == "1 day"
    finally:
        monkeypatch.undo()
        load_catalog.cache_clear()


def test_catalogs_load_lazily_once_per_language():
    load_catalog.cache_clear()
    t("en", "menu.help")
    assert load_catalog.cache_info().currsize == 1  # only English was read
    t("en", "menu.title")
    t("ru", "menu.help")
    assert load_catalog.cache_info().currsize == 2


# --- wording rules (docs/glossary.md)

# Placeholders that hold a name (of a medicine, a topic, a language, a person's words):
# Russian would need it in another case, and a name is never inflected, so it may only
# stand where case does not matter: at the start or after a colon, a bullet, a dash or an
# opening bracket, or quoted in «…» (or after the time that starts a reminder's row).
NAME_FIELDS = ("name", "names", "topic", "spoken", "target", "source", "transcript", "plain")
_CASE_FREE = re.compile(r"(?:^|\n|: |• |— |\(|• {time} )$")


def test_russian_never_inflects_an_inserted_name():
    bad = []
    for key, message in catalog("ru").items():
        for text in forms(message):
            for match in re.finditer(r"{(\w+)}", text):
                if match.group(1) not in NAME_FIELDS:
                    continue
                before = text[: match.start()]
                quoted = before.count("«") > before.count("»")
                if not quoted and not _CASE_FREE.search(before):
                    bad.append((key, text[max(0, match.start() - 20): match.end() + 10]))
    assert bad == []


def test_deletion_is_confirmed_grammatically_in_russian():
    assert t("ru", "med.deleted", name="аспирин").startswith("Удалено: аспирин.")
    assert t("ru", "med.time.unknown", name="аспирин", time="09:00", times="08:00") \
        .startswith("аспирин: в 09:00")


AVOIDED = {
    # Taiwan usage: 儲存 not 保存, 傳送 not 發送, one spelling of 台語, 電子郵件 not Email;
    # a few mainland terms that read as foreign in Taiwan.
    "zh-TW": ("保存", "發送", "臺語", "Email", "E-mail", "信息", "視頻", "用戶", "默認", "設置"),
    # Gender-neutral: the patient may be anyone ("Принято", not "Принял").
    "ru": ("Принял", "Приняла", "местную службу"),
    "en": ("email",),  # "e-mail" throughout
}


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_glossary_terms_are_used_consistently(language):
    found = [(key, word) for key, message in catalog(language).items()
             for text in forms(message) for word in AVOIDED[language] if word in text]
    assert found == []
    glossary = (Path(__file__).resolve().parents[2] / "docs" / "glossary.md").read_text()
    for word in AVOIDED[language]:
        assert word in glossary, word  # each avoided word is explained there


EMERGENCY_WORDS = {"en": "emergency", "ru": "экстренн", "zh-TW": "緊急"}


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_every_text_that_mentions_an_emergency_takes_the_number_from_the_rule(language):
    mentions = {key for key, message in catalog(language).items()
                if any(EMERGENCY_WORDS[language] in text.lower() for text in forms(message))}
    assert {"help.text", "education.disclaimer", "translation.disclaimer"} <= mentions
    for key in mentions:
        assert all("{emergency}" in text for text in forms(catalog(language)[key])), key
    numbers = re.compile(r"(?<![\d{])(?:112|119|911|999|000|110|120)(?!\d)")
    assert [k for k, m in catalog(language).items()
            if any(numbers.search(text) for text in forms(m))] == []


# --- languages


def test_ten_common_targets_have_labels_in_every_language():
    assert len(COMMON_TARGETS) == 10
    for language in UI_LANGUAGES:
        for code in COMMON_TARGETS:
            assert t(language, f"lang.{code}")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("英文", "en"), ("English", "en"), ("английский", "en"), (" ENGLISH ", "en"),
     ("台語", "nan"), ("臺語", "nan"), ("Taiwanese", "nan"), ("越南文", "vi"), ("русский", "ru"),
     ("ja", "ja")],
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
    assert "12" in t("en", "too_long", count=12, limit=10)
