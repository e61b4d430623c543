"""The run-time .po reader against Babel, the reference writer and reader."""

import io

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shared.domain.po_file import PoError, parse_po

HEADER = ('msgid ""\nmsgstr ""\n"Language: ru\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')


def test_reads_singular_plural_continuations_and_escapes():
    book = parse_po(HEADER + (
        '# a translator comment\n'
        '#. an extracted comment\n'
        '#, python-brace-format\n'
        'msgid "a.key"\n'
        'msgstr ""\n'
        '"Line one\\n"\n'
        '"say \\"{name}\\" \\\\ tab\\there"\n'
        '\n'
        'msgid "n"\n'
        'msgid_plural "n"\n'
        'msgstr[0] "{count} day"\n'
        'msgstr[1] "{count} days"\n'
        '\n'
        '#~ msgid "old"\n'
        '#~ msgstr "obsolete"\n'
    ))
    assert book.plural_forms == "nplurals=2; plural=(n != 1);"
    assert book.headers["Language"] == "ru"
    assert book.messages == {"a.key": 'Line one\nsay "{name}" \\ tab\there',
                             "n": ("{count} day", "{count} days")}
    assert book.flags["a.key"] == {"python-brace-format"}


def test_fuzzy_and_untranslated_entries_count_as_missing():
    book = parse_po(HEADER + (
        '#, fuzzy, python-brace-format\nmsgid "a"\nmsgstr "maybe {x}"\n\n'
        'msgid "b"\nmsgstr ""\n\n'
        'msgid "c"\nmsgid_plural "c"\nmsgstr[0] "one"\nmsgstr[1] ""\n\n'
        '#, python-brace-format\n#, fuzzy\nmsgid "d"\nmsgstr "{y}"\n\n'
        'msgid "e"\nmsgstr "kept"\n'
    ))
    assert book.messages == {"e": "kept"}


def test_entries_need_not_be_separated_by_blank_lines():
    book = parse_po(HEADER + 'msgid "a"\nmsgstr "A"\nmsgid "b"\nmsgstr "B"')
    assert book.messages == {"a": "A", "b": "B"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [('msgctxt "x"\nmsgid "a"\nmsgstr "A"\n', "msgctxt"),
     ('msgid "a"\nmsgstr "A\\q"\n', "unknown escape"),
     ('msgid "a"\nmsgstr "A"B"\n', "unescaped quote"),
     ('msgid "a"\nmsgstr "A\\"\n', "unescaped quote"),
     ('msgid "a"\n', "without msgstr"),
     ('msgstr "A"\n', "out of place"),
     ('"stray"\n', "continuation"),
     ('msgid "a"\nmsgstr "A"\n\nmsgid "a"\nmsgstr "B"\n', "twice"),
     ('msgid "a"\nmsgstr[0] "A"\n', "without msgid_plural"),
     ('msgid "a"\nmsgid_plural "a"\nmsgstr[0] "A"\nmsgstr[2] "C"\n', "plural forms must be"),
     ('msgid "a"\nmsgstr "A"\nmsgstr "B"\n', "out of place"),
     ('msgid "a" junk\nmsgstr "A"\n', "not a .po line")],
)
def test_malformed_files_fail_with_the_line(text, problem):
    with pytest.raises(PoError, match=problem) as error:
        parse_po(text, "x.po")
    assert str(error.value).startswith("x.po:")


texts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=120)
keys = st.from_regex(r"[a-z][a-z_.]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, st.one_of(texts, st.tuples(texts, texts, texts)), min_size=1,
                       max_size=8),
       st.sampled_from([0, 76]))
# Line separators other than \n stay raw in a .po string (str.splitlines would cut there).
@example({"k": "a\u2028b\x0bc\x85d\re", "p": ("x\x1c", "y\x0c", "\\z\"")}, 76)
def test_reads_back_whatever_babel_writes(messages, width):
    catalog = Catalog(locale="ru")
    catalog.mime_headers = [("Plural-Forms", "nplurals=3; plural=(n%10==1 ? 0 : 1);")]
    for key, value in messages.items():
        catalog.add((key, key) if isinstance(value, tuple) else key, value)
    out = io.BytesIO()
    write_po(out, catalog, width=width)
    written = out.getvalue()
    book = parse_po(written.decode("utf-8"))
    assert book.messages == messages
    assert book.plural_forms == "nplurals=3; plural=(n%10==1 ? 0 : 1);"
    # ...and Babel reads the same file the same way.
    again = read_po(io.BytesIO(written))
    assert {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string for m in again if m.id} \
        == messages
