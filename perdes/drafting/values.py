"""Validation of user values and options against a template manifest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from perdes.drafting.errors import DraftInputError
from perdes.drafting.manifest import OptionSpec, Template, VariableSpec
from perdes.drafting.model import VillageContext
from perdes.drafting.textclean import clean_text, has_control_chars
from perdes.validation import parse_int, parse_iso_date

MIN_YEAR = 2014  # UU 6/2014 on villages; a Perdes under this template cannot be older
_TRUE = {"on", "true", "1", "yes", "ya"}
_FALSE = {"off", "false", "0", "no", "tidak"}
_DELIMITERS = ("{{", "{%", "{#", "}}", "%}", "#}")


class _Errors:
    def __init__(self) -> None:
        self.en: dict[str, str] = {}
        self.id: dict[str, str] = {}

    def add(self, field: str, en: str, idn: str) -> None:
        self.en.setdefault(field, en)
        self.id.setdefault(field, idn)

    def raise_if_any(self) -> None:
        if self.en:
            raise DraftInputError(self.en, self.id)


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def resolve_options(template: Template, options: Mapping[str, bool | str]) -> dict[str, bool | str]:
    """Options with defaults filled in; raises ``DraftInputError`` on a bad name,
    value or violated dependency."""
    errors = _Errors()
    out: dict[str, bool | str] = {n: o.default for n, o in template.options.items()}
    for name, value in options.items():
        spec = template.options.get(name)
        if spec is None:
            errors.add(name, f"unknown option {name!r}", f"pilihan {name!r} tidak dikenal")
            continue
        out[name] = _option_value(spec, value, errors)
    for name, spec in template.options.items():
        if spec.type == "bool" and out[name] is not True:
            continue
        for other, wanted in spec.requires:
            if out.get(other) != wanted:
                need = other if wanted is True else f"{other}={wanted}"
                errors.add(
                    name,
                    f"option {name!r} requires {need!r}",
                    f"pilihan \u201c{spec.label}\u201d memerlukan pilihan "
                    f"\u201c{template.options[other].label}\u201d",
                )
    errors.raise_if_any()
    return out


def _option_value(spec: OptionSpec, value: object, errors: _Errors) -> bool | str:
    if spec.type == "bool":
        flag = _as_bool(value)
        if flag is None:
            errors.add(spec.name, "must be on or off", "harus ya atau tidak")
            return spec.default
        return flag
    if str(value) not in spec.choices:
        allowed = ", ".join(spec.choices)
        errors.add(spec.name, f"must be one of: {allowed}", f"harus salah satu dari: {allowed}")
        return spec.default
    return str(value)


def _default(spec: VariableSpec, village: VillageContext, today: date) -> Any:
    source = spec.default_from
    if source == "today":
        return today
    if source == "today.year":
        return today.year
    if source and source.startswith("village."):
        return getattr(village, source.removeprefix("village."), None)
    return spec.default


def default_values(template: Template, village: VillageContext, today: date) -> dict[str, str]:
    """The defaults as a form shows them (prefilled from the village profile and the date)."""
    out: dict[str, str] = {}
    for name, spec in template.variables.items():
        value = _default(spec, village, today)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, bool):
            out[name] = "ya" if value else "tidak"
        elif isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, list | tuple):
            out[name] = ",".join(str(v) for v in value)
        else:
            out[name] = str(value)
    return out


def resolve_values(
    template: Template, village: VillageContext, values: Mapping[str, object], today: date
) -> dict[str, Any]:
    """Typed, cleaned values with defaults; raises ``DraftInputError`` listing every
    bad field (English in ``errors``, Indonesian in ``messages_id``)."""
    errors = _Errors()
    for name in values:
        if name not in template.variables:
            errors.add(name, f"unknown variable {name!r}", f"isian {name!r} tidak dikenal")
    out: dict[str, Any] = {}
    for name, spec in template.variables.items():
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raw = _default(spec, village, today)
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
            if spec.required:
                errors.add(name, "is required", "wajib diisi")
            out[name] = [] if spec.type == "citations" else None
            continue
        out[name] = _convert(template, spec, raw, today, errors)
    errors.raise_if_any()
    return out


def _convert(
    template: Template, spec: VariableSpec, raw: object, today: date, errors: _Errors
) -> Any:
    name = spec.name
    if spec.type == "text" or spec.type == "choice":
        if not isinstance(raw, str):
            raw = str(raw)
        if has_control_chars(raw):
            errors.add(name, "contains control characters", "mengandung karakter kontrol")
            return None
        text = clean_text(raw).strip()
        if "\n" in text and not spec.multiline:
            errors.add(name, "must be a single line", "harus satu baris")
        if len(text) > spec.max_length:
            errors.add(
                name,
                f"is longer than {spec.max_length} characters",
                f"lebih dari {spec.max_length} karakter",
            )
        if any(d in text for d in _DELIMITERS):
            errors.add(
                name,
                "must not contain template markers such as '{{' or '{%'",
                "tidak boleh memuat penanda templat seperti '{{' atau '{%'",
            )
        if spec.type == "choice" and text not in spec.choices:
            allowed = ", ".join(spec.choices)
            errors.add(name, f"must be one of: {allowed}", f"harus salah satu dari: {allowed}")
        return text
    if spec.type in ("int", "year"):
        number = _as_int(raw)
        if number is None:
            errors.add(name, "must be a whole number", "harus bilangan bulat")
            return None
        low, high = spec.min, spec.max
        if spec.type == "year":
            low = MIN_YEAR if low is None else low
            high = today.year + 1 if high is None else high
        if (low is not None and number < low) or (high is not None and number > high):
            rng = f"{low if low is not None else '…'}–{high if high is not None else '…'}"
            errors.add(name, f"must be between {rng}", f"harus di antara {rng}")
        return number
    if spec.type == "date":
        when = parse_iso_date(raw, lo=date.min, hi=date.max)  # the year is checked below
        if when is None:
            errors.add(name, "must be a date (YYYY-MM-DD)", "harus tanggal (TTTT-BB-HH)")
            return None
        if not MIN_YEAR <= when.year <= today.year + 1:
            rng = f"{MIN_YEAR}–{today.year + 1}"
            errors.add(name, f"year must be between {rng}", f"tahun harus di antara {rng}")
        return when
    if spec.type == "bool":
        flag = _as_bool(raw)
        if flag is None:
            errors.add(name, "must be yes or no", "harus ya atau tidak")
        return flag
    keys = [k.strip() for k in raw.split(",")] if isinstance(raw, str) else raw
    if not isinstance(keys, list | tuple) or not all(isinstance(k, str) for k in keys):
        errors.add(name, "must be a list of citation keys", "harus daftar kunci dasar hukum")
        return []
    unknown = [k for k in keys if k and k not in template.catalogue]
    if unknown:
        errors.add(
            name,
            f"unknown citation keys: {', '.join(unknown)}",
            f"dasar hukum tidak dikenal: {', '.join(unknown)}",
        )
    return [k for k in keys if k]


def _as_int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        value = parse_int(text.removeprefix("-"), hi=10**11)
        return -value if value is not None and text.startswith("-") else value
    return None
