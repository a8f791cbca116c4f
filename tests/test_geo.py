"""GeoJSON for QGIS: regions with codes, names and zones with years; parks and projects at their region."""

import json

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
