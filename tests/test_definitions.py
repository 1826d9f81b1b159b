from dagster import AssetKey

from pipelines.orchestration.definitions import defs


def test_definitions_load_with_every_layer():
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    for table in ("decp_marches", "csf_clauses", "mlds_jeunes", "mlds_parcours", "mlds_suivis"):
        assert AssetKey(["raw", table]) in keys
    assert AssetKey(["marts", "indicateurs"]) in keys
    assert AssetKey(["published", "snapshot"]) in keys
    assert AssetKey(["published", "reports"]) in keys
    assert AssetKey(["published", "research_release"]) in keys
    check_names = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    assert {"gx_structure", "gx_qualite"} <= check_names
