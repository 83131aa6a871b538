"""No template shows text that translation cannot reach.

The catalogue tests prove every *marked* string is translated; this one proves nothing readable
is left unmarked: words written straight into a template, or into an attribute a person reads or
hears (a label, a placeholder, a title, an image's alternative text), outside `{% translate %}`
and `{% blocktranslate %}`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
# Text a template marks for translation itself, or never shows (comments).
_SKIPPED_BLOCKS = {"blocktrans": "endblocktrans", "blocktranslate": "endblocktranslate"}
_SKIPPED_BLOCKS["comment"] = "endcomment"
_HIDDEN_ELEMENTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&#?\w+;")
_READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|placeholder|title|alt|label)="([^"]*)"')
# A block that only fills in an attribute of the base layout, such as class="narrow".
_BARE_ATTRIBUTE = re.compile(r'^[\w-]+="[^"]*"$')
_WORD = re.compile(r"[^\W\d_]{2,}")
# Stands for a variable or a tag, which the catalogue tests cover.
_FILLED_IN = " \x00 "


def unmarked_text(source: str) -> list[str]:
    """Readable words in a template that are not inside a translation tag."""
    visible: list[str] = []
    closing: list[str] = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in _SKIPPED_BLOCKS:
                closing.append(_SKIPPED_BLOCKS[name])
            elif closing and name == closing[-1]:
                closing.pop()
            visible.append(_FILLED_IN)
        elif token.token_type == TokenType.VAR:
            visible.append(_FILLED_IN)
        elif token.token_type == TokenType.TEXT and not closing:
            visible.append(token.contents)
    page = _HIDDEN_ELEMENTS.sub(" ", "".join(visible))

    found = [value for value in _READ_ATTRIBUTES.findall(page) if _WORD.search(value)]
    for line in _ENTITY.sub(" ", _TAG.sub(" ", page)).splitlines():
        line = line.replace("\x00", " ").strip()
        if _WORD.search(line) and not _BARE_ATTRIBUTE.match(line):
            found.append(line)
    return found


def project_templates() -> list[Path]:
    return sorted(
        path
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*")
        if path.suffix in {".html", ".txt"}
    )


def test_the_templates_are_found():
    assert len(project_templates()) > 50


@pytest.mark.parametrize(
    "source",
    [
        "<p>Waiting letters</p>",
        '<input placeholder="Client code">',
        '<a href="/" title="{{ url }} Home">x</a>',
        "{% load i18n %}<h1>{% translate 'Visits' %}</h1> <p>Today</p>",
    ],
)
def test_unmarked_words_are_found(source):
    assert unmarked_text(source)


@pytest.mark.parametrize(
    "source",
    [
        "{% load i18n %}<h1>{% translate 'Visits' %}</h1>",
        "{% blocktranslate %}Seen {{ n }} times{% endblocktranslate %}",
        '<a href="{{ url }}" class="button secondary" aria-label="{{ label }}">{{ name }}</a>',
        "{% comment %}Why this is here{% endcomment %}<p>{{ total }} &middot; 3</p>",
        '<script src="/static/app.js" defer></script><style>.x { color: red }</style>',
        '{% block main_class %}class="narrow"{% endblock %}',
    ],
)
def test_marked_text_and_markup_pass(source):
    assert unmarked_text(source) == []


def test_no_template_shows_unmarked_text():
    found = {
        str(path.relative_to(settings.BASE_DIR)): text
        for path in project_templates()
        if (text := unmarked_text(path.read_text(encoding="utf-8")))
    }

    assert found == {}, (
        "Wrap these in {% translate %} or {% blocktranslate %}, then run `make messages` "
        "and translate them."
    )
