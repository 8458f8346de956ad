"""Make text safe for XML (and so for python-docx): the characters XML 1.0 forbids."""

from __future__ import annotations

import re

# XML 1.0 allows \t \n \r; everything else below 0x20, lone surrogates and U+FFFE/U+FFFF
# make lxml raise "All strings must be XML compatible".
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters a user should not send at all (after Word's vertical tab is mapped).
CONTROL = re.compile("[\x00-\x08\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Return ``value`` without XML-forbidden characters.

    Word's vertical tab (a manual line break) becomes a newline and CRLF/CR become LF,
    so renderers can turn newlines into line breaks.
    """
    if not FORBIDDEN.search(value) and "\r" not in value:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return FORBIDDEN.sub("", value)


def has_control_chars(value: str) -> bool:
    """True when ``value`` holds control characters other than tab, newline, CR and VT."""
    return CONTROL.search(value) is not None
