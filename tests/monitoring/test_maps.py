"""Choropleth maps: one linked path per region, fills from the legend, attribution, size."""

from __future__ import annotations

import gzip
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from perdes.monitoring import maps
from perdes.monitoring.figures import Figures
from perdes.monitoring.indicators import INDICATORS, NO_DATA, indicator, legend_for
from perdes.regions.models import RegionLevel
from tests.monitoring.geo import SHARED_GEO, needs_geo, write_subset

NS = {"s": "http://www.w3.org/2000/svg"}


def grid_regions(n: int) -> list[maps.Region]:
    """``n`` unit squares in a row of rows, with a tiny islet region at the end."""
    out = [
        maps.Region(
            f"36.{i + 1:02d}", f"Wilayah {i + 1}", box(i % 5, i // 5, i % 5 + 1, i // 5 + 1)
        )
        for i in range(n)
    ]
    out.append(maps.Region("36.99", "Pulau Kecil", box(2.5, 0.5, 2.5001, 0.5001)))
    return out


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


values = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=12),
    key=st.sampled_from(sorted(INDICATORS)),
    data=st.data(),
)
def test_every_region_is_one_linked_path_filled_by_its_legend_class(n, key, data):
    regions = grid_regions(n)
    frame = maps.build_frame(regions)
    ind = indicator(key)
    shown = regions[: data.draw(st.integers(min_value=0, max_value=len(regions)))]
    if ind.unit == "%":
        picked = {r.code: data.draw(values) for r in shown}
    else:
        counts = st.one_of(st.none(), st.integers(min_value=0, max_value=500).map(float))
        picked = {r.code: data.draw(counts) for r in shown}
    areas = {c: maps.Area(c, f"Nama {c}", v, f"/pemantauan/wilayah/{c}") for c, v in picked.items()}
    legend = legend_for(ind, list(picked.values()))
    root = parse(
        maps.choropleth(
            frame,
            areas,
            indicator=ind,
            legend=legend,
            title="Peta uji",
            description="d",
            map_id="p",
        )
    )
    paths = root.findall(".//s:g/s:path", NS) + root.findall(".//s:g/s:a/s:path", NS)
    assert sorted(p.get("data-code") for p in paths) == sorted(r.code for r in regions)
    for anchor in root.findall(".//s:g/s:a", NS):
        path = anchor.find("s:path", NS)
        code = path.get("data-code")
        assert anchor.get("href") == f"/pemantauan/wilayah/{code}"
        assert path.get("fill") == legend.classify(picked[code]).fill
        assert path.get("d")
    linked = {a.find("s:path", NS).get("data-code") for a in root.findall(".//s:g/s:a", NS)}
    assert linked == set(picked)
    assert root.find("s:title", NS).text == "Peta uji"
    assert root.find("s:desc", NS) is not None
    assert maps.ATTRIBUTION in "".join(root.itertext())


@settings(max_examples=60, deadline=None)
@given(
    key=st.sampled_from(sorted(INDICATORS)),
    found=st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), max_size=30),
)
def test_each_value_falls_in_exactly_one_class(key, found):
    ind = indicator(key)
    shown = [min(v, 100.0) if ind.unit == "%" else float(math.floor(v)) for v in found]
    legend = legend_for(ind, shown)
    for value in shown:
        cls = legend.classify(value)
        assert cls.lower <= value
        last = cls is legend.classes[-1]
        assert value <= cls.upper if last else value < cls.upper
    assert legend.classify(None).fill == NO_DATA


def test_share_classes_are_twenty_point_steps():
    legend = legend_for(indicator("diundangkan"), [])
    assert [legend.classify(v).label for v in (0, 19.9, 20, 59.9, 80, 100)] == [
        "0–<20 %",
        "0–<20 %",
        "20–<40 %",
        "40–<60 %",
        "80–100 %",
        "80–100 %",
    ]


def test_overdue_classes_grow_with_the_largest_count():
    legend = legend_for(indicator("terlambat"), [0.0, 3.0, 8.0])
    assert [c.label for c in legend.classes] == ["0", "1–2", "3–4", "5–6", "7–8"]
    assert legend.classify(8.0).label == "7–8"


def test_a_region_below_a_unit_is_still_drawn_and_clickable():
    frame = maps.build_frame(grid_regions(3))
    islet = next(p for p in frame.paths if p.code == "36.99")
    assert islet.d.endswith("h3v3h-3z")


def test_ring_data_rounds_and_drops_repeated_points():
    import numpy as np

    ring = np.array([[0.2, 0.1], [0.4, 0.3], [10.2, 0.0], [10.0, 10.4], [0.0, 10.0], [0.2, 0.1]])
    assert maps.ring_data(ring) == "M0 0l10 0 0 10-10 0z"


def test_without_boundary_files_no_map_is_drawn(tmp_path: Path):
    store = maps.GeoStore(tmp_path / "absent")
    assert not store.available(RegionLevel.PROVINSI)
    frame = store.frame(RegionLevel.PROVINSI, None)
    assert frame.paths == ()
    assert maps.missing(frame, ["36"]) == ["36"]


geo = pytest.mark.skipif(not needs_geo, reason="region boundaries not installed")


@pytest.fixture(scope="module")
def subset(tmp_path_factory) -> maps.GeoStore:
    return maps.GeoStore(write_subset(tmp_path_factory.mktemp("geo"), ["36.04", "32.12"]))


@geo
def test_kabupaten_map_has_a_path_per_kecamatan_and_a_kecamatan_shows_itself(subset):
    frame = subset.frame(RegionLevel.KECAMATAN, "36.04")
    codes = [p.code for p in frame.paths]
    assert len(codes) == 29 and all(c.startswith("36.04.") for c in codes)
    assert "36.04.13" in codes
    one = subset.frame(RegionLevel.KECAMATAN, "36.04.13")
    assert [p.code for p in one.paths] == ["36.04.13"]
    assert subset.frame(RegionLevel.KECAMATAN, "36.04") is frame  # cached


@geo
def test_national_map_is_light_enough_for_a_phone():
    store = maps.GeoStore(SHARED_GEO)
    frame = store.frame(RegionLevel.PROVINSI, None)
    assert len(frame.paths) == 38
    ind = indicator("diundangkan")
    areas = {
        p.code: maps.Area(p.code, p.name, float(i * 2.5), f"/pemantauan/wilayah/{p.code}")
        for i, p in enumerate(frame.paths)
    }
    svg = maps.choropleth(
        frame,
        areas,
        indicator=ind,
        legend=legend_for(ind, [a.value for a in areas.values()]),
        title="Indonesia",
        description="d",
        map_id="p",
    )
    assert len(gzip.compress(svg.encode())) <= 60_000


def test_figures_of_a_region_read_by_each_indicator():
    f = Figures(code="36.04", desa=4, promulgated=1, qualified=2, overdue=3)
    f.score_sum, f.score_count = 150.0, 2
    assert [indicator(k).value(f) for k in ("diundangkan", "skor", "memenuhi", "terlambat")] == [
        25.0,
        75.0,
        50.0,
        3.0,
    ]
    assert indicator("tidak-ada").key == "diundangkan"
    assert indicator("terlambat").value(Figures(code="x")) is None
