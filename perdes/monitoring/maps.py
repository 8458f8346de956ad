"""Choropleth maps drawn server-side as SVG from the region boundaries (GeoJSON).

Pure: no web framework. A ``GeoStore`` reads a level's GeoJSON file once (on first use),
projects it (equirectangular, x scaled by cos of Indonesia's mid latitude) and keeps the
shapes. A *frame* — the regions of one map (the provinces of Indonesia, the kabupaten of a
province, the kecamatan of a kabupaten, or one kecamatan) — is fitted to a 1000-unit-wide
view, simplified to half a unit (Douglas–Peucker, shapely), rounded to whole units and
stored as compact SVG path data; frames are cached, so a request only joins cached paths
with the fills of its figures. Without the boundary files the store is unavailable and every
region is listed as without geometry.

Villages are never drawn: there are no open village boundaries.
"""

from __future__ import annotations

import html
import json
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from perdes.monitoring.indicators import OUTSIDE, Indicator, Legend
from perdes.regions.models import RegionLevel

FILES: dict[RegionLevel, str] = {
    RegionLevel.PROVINSI: "provinsi.geojson",
    RegionLevel.KABUPATEN: "kabupaten.geojson",
    RegionLevel.KECAMATAN: "kecamatan.geojson",
}
ATTRIBUTION = (
    "Batas wilayah: cahyadsn/wilayah_boundaries (MIT), geometri bersumber dari "
    "Badan Informasi Geospasial (BIG)"
)
WIDTH = 1000
MAX_HEIGHT = 900
TOLERANCE = 0.5  # view units (≈ pixels at full width)
K = math.cos(math.radians(-2.5))  # Indonesia's mid latitude
LEGEND_ROW = 22
FOOTER = 20


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    geometry: BaseGeometry  # projected: x = lon·cos(φ0), y = −lat


@dataclass(frozen=True, slots=True)
class FramePath:
    code: str
    name: str
    d: str


@dataclass(frozen=True, slots=True)
class Frame:
    width: int
    height: int
    paths: tuple[FramePath, ...]


def _project(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: xy * np.array([K, -1.0]))


class GeoStore:
    """Region shapes read lazily from ``folder`` and map frames cached per (level, parent)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._levels: dict[RegionLevel, dict[str, Region]] = {}
        self._lock = threading.Lock()
        self.frame = lru_cache(maxsize=256)(self._frame)

    def available(self, level: RegionLevel) -> bool:
        return self.folder is not None and (self.folder / FILES[level]).is_file()

    def regions(self, level: RegionLevel) -> dict[str, Region]:
        """Every region of ``level`` by code (empty when the file is missing)."""
        found = self._levels.get(level)
        if found is not None:
            return found
        with self._lock:
            if level not in self._levels:
                self._levels[level] = self._load(level)
            return self._levels[level]

    def _load(self, level: RegionLevel) -> dict[str, Region]:
        if self.folder is None or not self.available(level):
            return {}
        with (self.folder / FILES[level]).open(encoding="utf-8") as handle:
            data = json.load(handle)
        out: dict[str, Region] = {}
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            code, name = props.get("kode"), props.get("nama")
            if not isinstance(code, str) or not feature.get("geometry"):
                continue
            out[code] = Region(
                code, str(name or code).strip(), _project(shape(feature["geometry"]))
            )
        return out

    def _frame(self, level: RegionLevel, parent: str | None) -> Frame:
        """The regions of ``level`` inside ``parent`` (all when None, itself when it is one)."""
        shapes = self.regions(level)
        if parent is None:
            chosen = list(shapes.values())
        elif parent in shapes:
            chosen = [shapes[parent]]
        else:
            chosen = [r for c, r in shapes.items() if c.startswith(parent + ".")]
        chosen.sort(key=lambda r: r.code)
        return build_frame(chosen)


def build_frame(regions: Sequence[Region]) -> Frame:
    """Fit ``regions`` to the view, simplify once, and keep their compact path data."""
    if not regions:
        return Frame(WIDTH, 0, ())
    geoms = np.array([r.geometry for r in regions], dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    span_x, span_y = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    scale = min((WIDTH - 2) / span_x, (MAX_HEIGHT - 2) / span_y)
    offset = np.array([minx, miny])
    fitted = shapely.transform(geoms, lambda xy: (xy - offset) * scale + 1)
    simple = shapely.simplify(fitted, TOLERANCE, preserve_topology=False)
    height = math.ceil(span_y * scale) + 2
    paths = []
    for region, geom, fallback in zip(regions, simple, fitted, strict=True):
        d = path_data(geom) or marker(fallback)
        paths.append(FramePath(region.code, region.name, d))
    return Frame(WIDTH, height, tuple(paths))


def _polygons(geom: BaseGeometry) -> Iterable[Polygon]:
    if isinstance(geom, Polygon):
        yield geom
    elif isinstance(geom, MultiPolygon):
        yield from geom.geoms
    elif hasattr(geom, "geoms"):
        for part in geom.geoms:
            yield from _polygons(part)


def ring_data(coords: np.ndarray) -> str:
    """One closed ring: absolute start, then relative whole-unit steps, repeats dropped."""
    points = np.rint(coords[:-1] if len(coords) > 1 else coords).astype(np.int64)
    if len(points) == 0:
        return ""
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    points = points[keep]
    if len(points) > 1 and (points[-1] == points[0]).all():
        points = points[:-1]
    if len(points) < 3:
        return ""
    steps = np.diff(points, axis=0)
    x0, y0 = points[0]
    body = " ".join(f"{dx} {dy}" for dx, dy in steps.tolist())
    return f"M{x0} {y0}l{body}z".replace(" -", "-")


def path_data(geom: BaseGeometry) -> str:
    parts: list[str] = []
    for polygon in _polygons(geom):
        outer = ring_data(np.asarray(polygon.exterior.coords))
        if not outer:
            continue  # an islet under a unit: its holes go with it
        parts.append(outer)
        parts.extend(ring_data(np.asarray(r.coords)) for r in polygon.interiors)
    return "".join(parts)


def marker(geom: BaseGeometry) -> str:
    """A 3-unit square at a region too small to draw, so that it can still be seen and clicked."""
    if geom.is_empty:
        return "M0 0h0z"
    point = geom.representative_point()
    x, y = round(point.x) - 1, round(point.y) - 1
    return f"M{x} {y}h3v3h-3z"


# --- Drawing -------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True, slots=True)
class Area:
    """A region's figure on the map; ``href`` links to its dashboard."""

    code: str
    name: str
    value: float | None
    href: str


def choropleth(
    frame: Frame,
    areas: Mapping[str, Area],
    *,
    indicator: Indicator,
    legend: Legend,
    title: str,
    description: str,
    map_id: str,
) -> str:
    """The SVG: one path per region of the frame, coloured by its legend class and linked.

    Regions of the frame without a figure (outside the monitor's scope, or without villages)
    are drawn pale and unlinked. The legend and the attribution are part of the picture, so a
    downloaded map keeps them.
    """
    legend_rows = math.ceil((len(legend.classes) + 1) / 3)
    top = frame.height + 8
    height = top + legend_rows * LEGEND_ROW + FOOTER
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {frame.width} '
        f'{height}" role="group" aria-labelledby="{_e(map_id)}-t {_e(map_id)}-d" '
        f'font-family="sans-serif">',
        f'<title id="{_e(map_id)}-t">{_e(title)}</title>',
        f'<desc id="{_e(map_id)}-d">{_e(description)}</desc>',
        '<g stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">',
    ]
    for path in frame.paths:
        area = areas.get(path.code)
        if area is None:
            out.append(
                f'<path d="{path.d}" fill="{OUTSIDE}" stroke="#bbbbbb" data-code="{path.code}">'
                f"<title>{_e(path.name)}: di luar wilayah yang ditampilkan</title></path>"
            )
            continue
        cls = legend.classify(area.value)
        out.append(
            f'<a href="{_e(area.href)}"><path d="{path.d}" fill="{cls.fill}" '
            f'data-code="{_e(area.code)}"><title>{_e(area.name)}: '
            f"{_e(indicator.format(area.value))}</title></path></a>"
        )
    out.append("</g>")
    entries = [*legend.classes, legend.no_data]
    for i, cls in enumerate(entries):
        x = 10 + (i % 3) * 330
        y = top + (i // 3) * LEGEND_ROW
        out.append(
            f'<rect x="{x}" y="{y}" width="16" height="14" fill="{cls.fill}" stroke="#777777" '
            f'stroke-width="0.5"/><text x="{x + 22}" y="{y + 12}" font-size="14">'
            f"{_e(cls.label)}</text>"
        )
    out.append(
        f'<text x="10" y="{height - 6}" font-size="12" fill="#444444">{_e(ATTRIBUTION)}</text>'
        "</svg>"
    )
    return "".join(out)


def missing(frame: Frame, codes: Iterable[str]) -> list[str]:
    """The codes among ``codes`` that have no shape in ``frame``, sorted."""
    drawn = {p.code for p in frame.paths}
    return sorted(c for c in codes if c not in drawn)
