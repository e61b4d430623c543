"""Storage keys, file names and e-mail addresses built from hostile input (hypothesis).

* channels.user_key: any platform id either is refused or gives a key with no '/',
  no '..', no whitespace or control character (it is a Firestore document id and a
  storage path segment);
* storage_keys.validate_key: every key that could traverse ('..' segments, absolute,
  backslashes, empty or '.' segments, control characters) is refused, and every key it
  accepts normalises to itself;
* privacy.user_file_key + the blob stores: a file of user U in area A lands under
  'A/U/' or is refused, whatever the name; one user's prefix never holds another's files;
* leaflets.normalize_email: header injection (CR/LF and friends), overlong and malformed
  addresses are refused; ordinary addresses are accepted and come back normalised.
"""

from __future__ import annotations

import posixpath
import string

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from shared.domain.channels import Channel, is_valid_platform_id, user_key
from shared.domain.storage_keys import validate_key, validate_prefix
from shared.fakes.memory_blobs import MemoryBlobStore
from shared.features.education.leaflets import MAX_EMAIL_CHARS, normalize_email
from shared.plumbing.files import FILE_AREAS, user_file_key

SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

LINE_IDS = st.from_regex(r"\AU[0-9a-f]{32}\Z")
TELEGRAM_IDS = st.from_regex(r"\A-?[0-9]{1,20}\Z")
TRAVERSAL_BITS = ["..", "/", "\\", ".", "%2e%2e", "\n", "\r", "\x00", " ", "~", ":"]
hostile_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from([*TRAVERSAL_BITS, "a", "U", "1", "-", "0"]),
             max_size=20).map("".join),
)


def _user_keys() -> st.SearchStrategy[str]:
    return st.one_of(LINE_IDS.map(lambda i: user_key(Channel.LINE, i)),
                     TELEGRAM_IDS.map(lambda i: user_key(Channel.TELEGRAM, i)))


# ------------------------------------------------------------------ user_key
@SETTINGS
@given(channel=st.sampled_from(list(Channel)),
       platform_id=st.one_of(hostile_text, LINE_IDS, TELEGRAM_IDS,
                             LINE_IDS.map(lambda i: i + "\n"),
                             TELEGRAM_IDS.map(lambda i: i + "\n"),
                             TELEGRAM_IDS.map(lambda i: i + "/../x")))
@example(channel=Channel.TELEGRAM, platform_id="123\n")
@example(channel=Channel.LINE, platform_id="U" + "a" * 32 + "\n")
@example(channel=Channel.TELEGRAM, platform_id="../../etc")
def test_user_key_never_yields_a_path(channel: Channel, platform_id: str) -> None:
    try:
        key = user_key(channel, platform_id)
    except ValueError:
        assert not is_valid_platform_id(channel, platform_id)
        return
    assert "/" not in key and ".." not in key and "\\" not in key
    assert key == key.strip() and key.isprintable() and " " not in key
    assert key.startswith(f"{channel.value}-")
    assert validate_key(key) == key  # usable as a storage path segment as it is
    assert validate_key(f"audio/{key}/x.m4a")


@SETTINGS
@given(line=LINE_IDS, telegram=TELEGRAM_IDS)
def test_real_platform_ids_are_accepted(line: str, telegram: str) -> None:
    assert user_key(Channel.LINE, line) == f"line-{line}"
    assert user_key(Channel.TELEGRAM, telegram) == f"telegram-{telegram}"


# ------------------------------------------------------------------ validate_key
SEGMENTS = st.one_of(st.sampled_from(["..", ".", "", "a", "b.c", "x..y", "..."]),
                     st.text(alphabet=string.ascii_letters + "._-", min_size=1, max_size=8))


@SETTINGS
@given(segments=st.lists(SEGMENTS, min_size=1, max_size=6),
       lead=st.sampled_from(["", "/", "./", "../", "\\", "C:\\"]),
       tail=st.sampled_from(["", "/", "/..", "\\..", "\n", "\r\n", "\x00"]))
def test_validate_key_rejects_every_key_that_could_traverse(
    segments: list[str], lead: str, tail: str,
) -> None:
    key = lead + "/".join(segments) + tail
    dangerous = (
        ".." in key or key.startswith("/") or "\\" in key or not key
        or any(s in ("", ".") for s in key.split("/")) or not key.isprintable()
        or ":" in key
    )
    if dangerous:
        with pytest.raises(ValueError):
            validate_key(key)
    else:
        assert validate_key(key) == key


@SETTINGS
@given(key=st.text(max_size=80))
@example(key="a/../../b")
@example(key="a/b\n")
@example(key="/etc/passwd")
@example(key="a/./b")
def test_an_accepted_key_is_relative_normal_and_never_climbs(key: str) -> None:
    try:
        validate_key(key)
    except ValueError:
        return
    assert posixpath.normpath(key) == key  # nothing to collapse: no '.', '..', '//'
    assert not posixpath.isabs(key) and not key.startswith("..")
    assert all(c in string.ascii_letters + string.digits + "._/-" for c in key)


@SETTINGS
@given(prefix=st.text(max_size=40))
def test_validate_prefix_never_accepts_an_empty_or_climbing_prefix(prefix: str) -> None:
    try:
        validate_prefix(prefix)
    except ValueError:
        return
    assert prefix and ".." not in prefix and not prefix.startswith("/")


# ------------------------------------------------------------------ user_file_key
@SETTINGS
@given(area=st.sampled_from(FILE_AREAS), user=_user_keys(),
       name=st.one_of(hostile_text, st.just("../../other/x"), st.just("..")))
@example(area="audio", user="telegram-1", name="../telegram-2/secret.m4a")
@example(area="archive", user="telegram-1", name="translation/../../../x.json")
@example(area="handouts", user="telegram-1", name="/abs.pdf")
def test_a_users_file_stays_under_its_prefix_or_is_refused(
    area: str, user: str, name: str,
) -> None:
    """Whatever the name, a stored file is under '<area>/<user>/' after any path
    normalisation; every BlobStore validates the key it is given (MemoryBlobStore here,
    the same validate_key as GCS, S3 and the local store)."""
    blobs = MemoryBlobStore()
    prefix = f"{area}/{user}/"
    try:
        key = user_file_key(area, user, name)
        blobs.put(key, b"x", "application/octet-stream")
    except ValueError:
        return
    assert key.startswith(prefix)
    assert posixpath.normpath(key).startswith(prefix)
    assert ".." not in key.split("/")
    assert blobs.get(key) == b"x"


@SETTINGS
@given(area=st.sampled_from(FILE_AREAS), users=st.lists(_user_keys(), min_size=2,
                                                          max_size=2, unique=True),
       name=st.text(alphabet=string.ascii_letters + string.digits + "._-/",
                    min_size=1, max_size=30))
def test_one_users_prefix_never_holds_another_users_file(
    area: str, users: list[str], name: str,
) -> None:
    """Erasing a user deletes '<area>/<user>/': another user's files are never there
    (no user key is a prefix of another followed by '/')."""
    mine, theirs = users
    try:
        key = user_file_key(area, theirs, name)
        validate_key(key)
    except ValueError:
        return
    assert not key.startswith(f"{area}/{mine}/")


@SETTINGS
@given(area=st.text(max_size=12))
def test_an_unknown_storage_area_is_refused(area: str) -> None:
    assume(area not in FILE_AREAS)
    with pytest.raises(ValueError):
        user_file_key(area, "telegram-1", "x")


# ------------------------------------------------------------------ e-mail addresses
LOCAL = st.text(alphabet=string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-",
                min_size=1, max_size=20)
LABEL = st.from_regex(r"\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,10}[A-Za-z0-9])?\Z")
TLD = st.text(alphabet=string.ascii_letters, min_size=2, max_size=6)


@st.composite
def ordinary_addresses(draw: st.DrawFn) -> str:
    local = ".".join(draw(st.lists(LOCAL, min_size=1, max_size=3)))
    domain = ".".join([*draw(st.lists(LABEL, min_size=1, max_size=3)), draw(TLD)])
    return f"{local}@{domain}"


@SETTINGS
@given(address=ordinary_addresses())
@example(address="patient@example.org")
@example(address="o'brien+leaflets@Mail.Example.COM")
def test_ordinary_addresses_are_accepted_and_normalised(address: str) -> None:
    assume(len(address) <= MAX_EMAIL_CHARS and len(address.rpartition("@")[0]) <= 64)
    local, _, domain = address.rpartition("@")
    assert normalize_email(address) == f"{local}@{domain.lower()}"
    assert normalize_email(f"  {address}\n") == f"{local}@{domain.lower()}"


INJECTIONS = ["\r\nBcc: victim@example.org", "\nBcc: victim@example.org", "\r",
              "%0d%0aBcc:x@y.org", "\x00", "\u2028", "\u0085", ", x@y.org", ";x@y.org",
              " x@y.org", "<x@y.org>", "\"x\"@y.org", "@y.org", "\tCc: x@y.org"]


@SETTINGS
@given(address=ordinary_addresses(), injection=st.sampled_from(INJECTIONS),
       where=st.sampled_from(["local", "domain", "end"]))
def test_header_injection_is_refused(address: str, injection: str, where: str) -> None:
    local, _, domain = address.rpartition("@")
    hostile = {"local": f"{local}{injection}@{domain}",
               "domain": f"{local}@{domain}{injection}.org",
               "end": f"{address}{injection}"}[where]
    result = normalize_email(hostile)
    if where == "end" and not injection.strip():
        # Surrounding whitespace (a pasted trailing CR/LF) is trimmed, not kept.
        assert result == normalize_email(address), (hostile, result)
    else:
        assert result is None, (hostile, result)


@SETTINGS
@given(text=st.text(max_size=300))
@example(text="a@b.co\r\nBcc: x@y.org")
@example(text="a@b.co\n")
@example(text="a..b@example.org")
@example(text="a@-example.org")
@example(text="a@example")
@example(text="a@example.c")
@example(text="a@[127.0.0.1]")
@example(text="\"a b\"@example.org")
def test_whatever_is_accepted_is_one_plain_address(text: str) -> None:
    result = normalize_email(text)
    if result is None:
        return
    assert result.count("@") == 1 and len(result) <= MAX_EMAIL_CHARS
    assert result.isascii() and result.isprintable()
    assert not any(c in result for c in " \t\r\n,;<>\"()[]\\")
    assert ".." not in result and len(result.rpartition("@")[0]) <= 64


@pytest.mark.parametrize("address", [
    "a" * 65 + "@example.org",  # local part over 64
    "a@" + "b" * 64 + ".org",  # a label over 63
    "a@" + ".".join(["abcdefghi"] * 25) + ".org",  # over 254 in all
    "", " ", "@", "a@", "@example.org", "a@@example.org", "a@example..org",
    ".a@example.org", "a.@example.org", "a@example.org.", "a@localhost",
    "аня@example.org", "a@exämple.org",  # non-ASCII: refused, not punycoded here
])
def test_overlong_and_malformed_addresses_are_refused(address: str) -> None:
    assert normalize_email(address) is None
