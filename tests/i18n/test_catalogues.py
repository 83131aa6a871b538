"""The interface is complete in German, French and Italian (English is the source).

Every string marked for translation is in each catalogue, translated and not fuzzy, with the
same placeholders as the English; and the compiled .mo files, which are committed so that
neither `make run` nor a deployment needs gettext, say what their .po sources say.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.i18n import po

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
HOW_TO_FIX = (
    "Run `make messages`, translate the new or fuzzy entries in locale/*/LC_MESSAGES/django.po "
    "(drop the `#, fuzzy` line once checked), then run `make messages` again and commit the "
    ".po and .mo files."
)
# %(name)s / %(count)d, {name}, and HTML tags must survive translation unchanged.
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|</?\w+[^>]*>")


def catalogue(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def test_the_translated_languages_are_the_ones_offered():
    assert sorted(TRANSLATED) == ["de", "fr", "it"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_and_checked(language):
    entries = [e for e in po.read(catalogue(language)) if not e.obsolete]

    untranslated = [e.msgid for e in entries if not e.translated]
    fuzzy = [e.msgid for e in entries if e.fuzzy]

    assert entries
    assert not untranslated, f"Untranslated in {language}: {untranslated}. {HOW_TO_FIX}"
    assert not fuzzy, f"Fuzzy (unchecked) in {language}: {fuzzy}. {HOW_TO_FIX}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for entry in po.read(catalogue(language)):
        if entry.obsolete:
            continue
        if entry.msgid_plural is None:
            if placeholders(entry.msgstr[0]) != placeholders(entry.msgid):
                wrong.append(entry.msgid)
            continue
        # A singular form may say "one" instead of %(n)s, but never invent a placeholder.
        allowed = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
        forms = list(entry.msgstr.values())
        if any(not placeholders(form) <= allowed for form in forms) or placeholders(
            forms[-1]
        ) != placeholders(entry.msgid_plural):
            wrong.append(entry.msgid)
    assert not wrong, f"Placeholders differ from the English in {language}: {wrong}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(language):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for entry in po.read(catalogue(language)):
        if entry.obsolete:
            continue
        if entry.msgid_plural is None:
            if compiled.gettext(entry.msgid) != entry.msgstr[0]:
                stale.append(entry.msgid)
        elif [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)] != [
            entry.msgstr[0],
            entry.msgstr[len(entry.msgstr) - 1],
        ]:
            stale.append(entry.msgid)
    assert not stale, f"django.mo of {language} is older than django.po: run `make messages`."


# The marked strings are collected the way `make messages` does, in a copy of the sources, so
# the test never writes to the working tree.
NOT_SOURCES = {".git", ".venv", "node_modules", "var", "artifacts", "staticfiles", "tests"}


def _gettext_tools_missing() -> bool:
    return shutil.which("xgettext") is None or shutil.which("msgmerge") is None


@pytest.mark.skipif(
    os.environ.get("CI") != "true" and _gettext_tools_missing(),
    reason="needs GNU gettext (apt-get install gettext); CI always runs it",
)
def test_every_marked_string_is_in_the_catalogues(tmp_path):
    source = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        source,
        copy,
        ignore=lambda directory, names: [
            name
            for name in names
            if name in {"__pycache__", "django.mo"}
            or (Path(directory) == source and name in NOT_SOURCES)
        ],
    )
    env = {**os.environ, "DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    languages = [arg for code in TRANSLATED for arg in ("-l", code)]
    subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", "makemessages", *languages, "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )

    for language in TRANSLATED:
        known = {e.key for e in po.read(catalogue(language)) if not e.obsolete}
        marked = po.read(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        missing = sorted(e.msgid for e in marked if e.key not in known)
        assert not missing, f"Marked but not in the {language} catalogue: {missing}. {HOW_TO_FIX}"
