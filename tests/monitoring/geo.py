"""Small boundary subsets for tests, cut at run time from the shared GeoJSON (never copied)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from perdes.config import Settings
from perdes.monitoring.maps import FILES

SHARED_GEO = Settings().geo_path
needs_geo = (SHARED_GEO / FILES[next(iter(FILES))]).is_file()


def write_subset(folder: Path, prefixes: Iterable[str]) -> Path:
    """Every province, and the kabupaten and kecamatan whose codes start with ``prefixes``."""
    prefixes = tuple(prefixes)
    folder.mkdir(parents=True, exist_ok=True)
    for level, name in FILES.items():
        features = []
        with (SHARED_GEO / name).open(encoding="utf-8") as handle:
            for line in handle:
                line = line.strip().rstrip(",").removesuffix("]}")
                if not line.startswith('{"type":"Feature"'):
                    continue
                feature = json.loads(line)
                code = feature["properties"]["kode"]
                if level.value == "provinsi" or code.startswith(prefixes):
                    features.append(feature)
        (folder / name).write_text(
            json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
        )
    return folder
