"""The live preview sent as what changed: parts the browser already shows are referenced, not
sent again.

The preview (``render_html``) is a tree of ``<article>`` and ``<section>`` containers whose
other children (headings, paragraphs, lists, the signature block...) are its *parts*. With each
refresh the browser sends the fingerprint of every part it shows, in document order
(``fingerprints``; ``static/js/drafting.js`` computes the same). The answer (``delta``) is the new
preview with every part whose fingerprint the browser sent replaced by
``<template data-keep="i">`` (i = its position in the browser's list); the browser puts a copy
of its part i there. Everything else, containers' tags included, is sent as it is, so a
renumbered Pasal or a changed cross-reference is simply a changed part.

A fingerprint is CRC-32 and Adler-32 (hex) of the part's canonical form in UTF-8: for an
element ``<tag name="value"…>`` + children + ``</tag>`` with attributes in document order and
values as parsed, for text its characters. The DOM and lxml give the same form for the same
markup; where they would not, the part is merely sent again (a fingerprint is only used to
leave out what is identical).
"""

from __future__ import annotations

import html
import zlib
from collections.abc import Sequence

from lxml import etree
from lxml import html as lxml_html

CONTAINERS = frozenset({"article", "section"})
KEEP = "data-keep"
MAX_FINGERPRINTS = 5000


def _canonical(node: etree._Element, out: list[str]) -> None:
    tag = str(node.tag)
    out.append("<" + tag)
    for name, value in node.attrib.items():
        out.append(f' {name!s}="{value!s}"')
    out.append(">")
    if node.text:
        out.append(node.text)
    for child in node:
        if isinstance(child.tag, str):
            _canonical(child, out)
        if child.tail:
            out.append(child.tail)
    out.append(f"</{tag}>")


def fingerprint(node: etree._Element) -> str:
    """The part's fingerprint (16 hex digits)."""
    out: list[str] = []
    _canonical(node, out)
    data = "".join(out).encode("utf-8")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def parse(fragment: str) -> etree._Element:
    """The preview HTML as one tree under a ``<div>`` (what the browser's #preview holds)."""
    root: etree._Element = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return root


def parts(root: etree._Element) -> list[etree._Element]:
    """The parts of a preview tree in document order (children of containers that are not
    containers themselves; comments are skipped)."""
    found: list[etree._Element] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag in CONTAINERS:
                walk(child)
            else:
                found.append(child)

    walk(root)
    return found


def fingerprints(fragment: str) -> list[str]:
    """The fingerprints of a preview's parts, in document order."""
    return [fingerprint(p) for p in parts(parse(fragment))]


def read_fingerprints(value: str) -> list[str]:
    """The browser's list (comma-separated); anything that is not a fingerprint is kept as a
    position that matches nothing, so the positions stay aligned."""
    items = value.split(",")[:MAX_FINGERPRINTS] if value else []
    return [i if len(i) == 16 and all(c in "0123456789abcdef" for c in i) else "" for i in items]


def _open_tag(node: etree._Element) -> str:
    attrs = "".join(
        f' {name!s}="{html.escape(str(value), quote=True)}"' for name, value in node.attrib.items()
    )
    return f"<{node.tag}{attrs}>"


def _text(value: str | None) -> str:
    return html.escape(value, quote=False) if value else ""


def delta(fragment: str, have: Sequence[str]) -> str:
    """``fragment`` with the parts the browser has (``have``, its fingerprints in its order)
    replaced by ``<template data-keep="i">``; ``fragment`` itself when nothing is known."""
    known: dict[str, int] = {}
    for index, value in enumerate(have):
        if value:
            known.setdefault(value, index)
    if not known:
        return fragment
    root = parse(fragment)
    out: list[str] = [_text(root.text)]

    def emit(node: etree._Element) -> None:
        run: list[int] = []  # consecutive kept parts joined by a bare newline: one slot
        tail: str | None = None  # the text after the run's last part

        def flush() -> None:
            if run:
                span = str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}"
                out.append(f'<template {KEEP}="{span}"></template>{_text(tail)}')
                run.clear()

        for child in node:
            index = None
            if isinstance(child.tag, str) and child.tag not in CONTAINERS:
                index = known.get(fingerprint(child))
            if index is not None:
                if run and (index != run[-1] + 1 or tail != "\n"):
                    flush()
                run.append(index)
                tail = child.tail
                continue
            flush()
            if not isinstance(child.tag, str):
                pass  # a comment: left out
            elif child.tag in CONTAINERS:
                out.append(_open_tag(child) + _text(child.text))
                emit(child)
                out.append(f"</{child.tag}>")
            else:
                out.append(lxml_html.tostring(child, encoding="unicode", with_tail=False))
            out.append(_text(child.tail))
        flush()

    emit(root)
    return "".join(out)


def apply(current: str, answer: str) -> str:
    """What the browser shows after applying ``answer`` to ``current`` (the same steps as
    ``drafting.js``; for tests and benchmarks)."""
    old = parts(parse(current))
    root = parse(answer)
    for slot in list(root.iter("template")):
        span = slot.attrib.get(KEEP)
        if span is None:
            continue
        first, _, last = span.partition("-")
        chosen = old[int(first) : int(last or first) + 1]
        parent = slot.getparent()
        assert parent is not None
        position = parent.index(slot)
        for offset, part in enumerate(chosen):
            copy = lxml_html.fragment_fromstring(
                lxml_html.tostring(part, encoding="unicode", with_tail=False)
            )
            copy.tail = slot.tail if offset == len(chosen) - 1 else "\n"
            parent.insert(position + offset, copy)
        parent.remove(slot)
    return "".join(
        [_text(root.text)]
        + [
            lxml_html.tostring(child, encoding="unicode", with_tail=True)
            if isinstance(child.tag, str)
            else _text(child.tail)
            for child in root
        ]
    )


def canonical(fragment: str) -> str:
    """The canonical form of a whole preview (equal forms: equal DOM)."""
    out: list[str] = []
    _canonical(parse(fragment), out)
    return "".join(out)
