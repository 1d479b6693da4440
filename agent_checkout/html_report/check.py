"""Read a report page back: every tagged number, and which of them differ from the files the
page was drawn from. What the tests (and a reviewer's script) use to trust a report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser

from agent_checkout.html_report.figures import SEP, lookup


@dataclass(frozen=True)
class Tagged:
    """A number on the page: its data-key, its exact value, the element and the text shown."""

    key: str
    value: object
    element: str
    text: str


class _TaggedNumbers(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[Tagged] = []
        self._open: list[tuple[str, str, object, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "data-key" in found:
            value = json.loads(found.get("data-value") or "null")
            self._open.append((tag, found["data-key"] or "", value, []))

    def handle_data(self, data: str) -> None:
        for _, _, _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            element, key, value, text = self._open.pop()
            self.found.append(Tagged(key, value, element, "".join(text).strip()))


def tagged_numbers(html: str) -> list[Tagged]:
    """Every element of ``html`` carrying a data-key, in page order of closing."""
    parser = _TaggedNumbers()
    parser.feed(html)
    parser.close()
    return parser.found


def mismatches(html: str, summary: dict | None, comparison: dict | None = None) -> list[str]:
    """The data-keys whose data-value is not exactly the value in summary.json (keys under
    ``comparison/``: comparison.json), each with both values; empty when the page is true."""
    wrong = []
    for item in tagged_numbers(html):
        head, _, rest = item.key.partition(SEP)
        document, path = (comparison, rest) if head == "comparison" else (summary, item.key)
        try:
            expected = lookup(document or {}, path)
        except (KeyError, IndexError, TypeError):
            wrong.append(f"{item.key}: not in the file")
            continue
        if expected != item.value or type(expected) is not type(item.value):
            wrong.append(f"{item.key}: page {item.value!r}, file {expected!r}")
    return wrong
