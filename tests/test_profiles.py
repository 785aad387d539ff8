"""Locality profiles: the county row aggregates the localities; outputs are escaped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from localitygis.colocation import find_clusters
from localitygis.errors import DataError
from localitygis.hubs import optimise_hubs, population_coverage
from localitygis.io import read_table, write_csv
from localitygis.profiles import locality_profiles, profiles_to_html, profiles_to_markdown
from localitygis.provenance import DEMO
from tests._analysisdata import demo_chain


@pytest.fixture(scope="module")
def full_profiles():
    chain = demo_chain()
    clusters = find_clusters(chain.assets).clusters
    hubs = optimise_hubs(chain.assets, chain.population, k=1, per_locality=True).hubs
    coverage = population_coverage(hubs, chain.population)
    table = locality_profiles(
        chain.build, assets=chain.assets, clusters=clusters, hubs=hubs, coverage=coverage
    )
    return chain, clusters, hubs, coverage, table


def test_nine_localities_and_a_county_row(full_profiles):
    chain, _, _, _, table = full_profiles
    assert table["locality"].tolist() == [*chain.build.localities["locality"], "County"]
    assert len(table) == 10


def test_county_row_is_the_aggregate_of_the_localities(full_profiles):
    chain, clusters, hubs, _, table = full_profiles
    body, county = table.iloc[:-1], table.iloc[-1]
    summed = [
        "parishes",
        "area_km2",
        "population",
        "assets",
        "colocation_opportunities",
        "consolidation_candidates",
        "hubs",
        "population_covered",
    ]
    summed += [c for c in table.columns if c.startswith(("category: ", "partner: "))]
    for column in summed:
        assert county[column] == pytest.approx(body[column].sum()), column
    # and the county figures are the true totals of the inputs
    assert county["parishes"] == len(chain.build.parishes)
    assert county["population"] == chain.build.parishes["population"].sum()
    assert county["assets"] == len(chain.assets)
    assert county["hubs"] == len(hubs)
    assert (
        county["colocation_opportunities"] == (clusters["kind"] == "co-location opportunity").sum()
    )
    assert county["density_per_km2"] == pytest.approx(
        county["population"] / county["area_km2"], abs=0.06
    )
    assert county["coverage_share"] == pytest.approx(
        county["population_covered"] / chain.population["population"].sum(), abs=1e-4
    )
    for share in ("area_share", "population_share", "parishes_share", "assets_share"):
        assert body[share].sum() == pytest.approx(1.0, abs=1e-3)
        assert county[share] == 1.0
    cats = [c for c in table.columns if c.startswith("category: ")]
    assert (table[cats].sum(axis=1) == table["assets"]).all()


def test_coverage_share_is_of_the_coverage_population_never_over_one(full_profiles):
    # the share is of the points that were measured; the demo's points (the parts of OAs in
    # parishes) add up to the parishes' populations, so it is also covered / population
    _, _, _, coverage, table = full_profiles
    shares = coverage.table.set_index("locality")["share"]
    for _, row in table.iterrows():
        assert 0.0 <= row["coverage_share"] <= 1.0, row["locality"]
        assert row["coverage_share"] == pytest.approx(shares[row["locality"]], abs=5e-5)
        assert row["population_covered"] <= row["population"], row["locality"]
        assert row["coverage_share"] == pytest.approx(
            row["population_covered"] / row["population"], abs=5e-5
        )


def test_frames_and_build_give_the_same_profiles():
    chain = demo_chain()
    a = locality_profiles(chain.build)
    b = locality_profiles(chain.build.parishes, pd.DataFrame(chain.build.localities))
    pd.testing.assert_frame_equal(a, b)
    assert set(a["tier"].iloc[:-1]) == {1, 2, 3}


def test_markdown_html_and_csv(tmp_path, full_profiles):
    *_, table = full_profiles
    md = profiles_to_markdown(table)
    assert md.splitlines()[0].startswith("| measure | Hereford City")
    assert "| population |" in md
    html_text = profiles_to_html(table, title="Demo <county>")
    assert "<caption>Demo &lt;county&gt;</caption>" in html_text
    path = write_csv(tmp_path / "profiles.csv", table, provenance=DEMO)
    again = read_table(path)
    assert again["locality"].tolist() == table["locality"].tolist()
    assert again["population"].astype(int).tolist() == table["population"].tolist()
    assert (again["attribution"] == DEMO.attribution).all()


def test_user_strings_are_escaped():
    parishes = pd.DataFrame(
        {"parish_code": ["E1"], "locality": ["<script>alert(1)</script>"], "population": [5]}
    )
    localities = pd.DataFrame(
        {"locality": ["<script>alert(1)</script>"], "tier": [1], "area_km2": [1.0]}
    )
    assets = pd.DataFrame(
        {
            "locality": ["<script>alert(1)</script>"],
            "category": ["<img src=x onerror=alert(2)>"],
            "partner": ["A | B"],
        }
    )
    table = locality_profiles(parishes, localities, assets=assets)
    out = profiles_to_html(table)
    assert "<script>" not in out
    assert "<img" not in out
    assert "&lt;img src=x onerror=alert(2)&gt;" in out
    md = profiles_to_markdown(table, transpose=False)
    assert "A \\| B" in md


def test_errors():
    parishes = pd.DataFrame({"parish_code": ["E1"], "locality": ["Nowhere"]})
    localities = pd.DataFrame({"locality": ["Weobley"], "tier": [1], "area_km2": [1.0]})
    with pytest.raises(DataError, match=r"Nowhere.*not in the localities table"):
        locality_profiles(parishes, localities)
    with pytest.raises(DataError, match="needs the localities"):
        locality_profiles(parishes)
    with pytest.raises(DataError, match=r"lacks column.*area_km2"):
        locality_profiles(parishes, localities.drop(columns="area_km2"))
    bad_cov = pd.DataFrame({"tier": ["1"], "covered": [1.0]})
    with pytest.raises(DataError, match="grouped by locality"):
        locality_profiles(parishes.assign(locality="Weobley"), localities, coverage=bad_cov)
    assert np.isnan(
        locality_profiles(parishes.assign(locality="Weobley"), localities)["population"].iloc[0]
    )


def test_partners_can_be_grouped_by_sector():
    chain = demo_chain()
    table = locality_profiles(chain.build, assets=chain.assets, partner_column="sector")
    sectors = [c for c in table.columns if c.startswith("sector: ")]
    assert sectors
    assert not any(c.startswith("partner: ") for c in table.columns)
    assert (table[sectors].sum(axis=1) == table["assets"]).all()


# -- the needs block: real LSOAs and IoD2019 over the demo build ------------------------


@pytest.fixture(scope="module")
def needs_chain():
    from localitygis.statistics import (
        needs_profile,
        needs_small_areas,
        read_area_table,
        read_small_areas,
    )
    from tests._realdata import IMD_ENGLAND, LSOA, POPULATION, realgeo

    chain = demo_chain()
    lsoas = read_small_areas(realgeo(LSOA))
    tables = [read_area_table(realgeo(IMD_ENGLAND)), read_area_table(realgeo(POPULATION))]
    areas = needs_small_areas(lsoas, chain.build.parishes, tables)
    return chain, areas, needs_profile(areas)


def test_needs_small_areas_best_fit_each_lsoa_to_one_locality(needs_chain):
    chain, areas, _ = needs_chain
    frame = areas.frame
    assert frame["area_code"].is_unique
    assert len(frame) + (areas.rejects["source"] == "small areas").sum() == 116
    assert set(frame["locality"]) <= set(chain.build.localities["locality"])
    assert {"population", "age_0_15", "age_16_59", "age_60_plus", "imd_rank", "imd_decile"} <= set(
        frame.columns
    )
    assert areas.other_rows == 32_844 - 116  # the national IMD file, filtered and counted
    assert frame.crs.to_epsg() == 27700  # ready for a choropleth


def test_needs_block_in_the_profiles(needs_chain):
    chain, areas, needs = needs_chain
    plain = locality_profiles(chain.build)
    table = locality_profiles(chain.build, needs=needs)
    pd.testing.assert_frame_equal(table[plain.columns], plain)  # existing blocks unchanged
    frame = areas.frame
    body, county = table.iloc[:-1].set_index("locality"), table.iloc[-1]
    per_locality = frame.groupby("locality")["population"].sum()
    for name, value in per_locality.items():
        assert body.loc[name, "small_area_population"] == value
    assert county["small_area_population"] == frame["population"].sum()
    older = frame["age_60_plus"].sum() / frame["population"].sum()
    assert county["age_60_plus_share"] == pytest.approx(older, abs=1e-4)
    ratio = body["age_60_plus_share"] / county["age_60_plus_share"]
    np.testing.assert_allclose(body["age_60_plus_vs_county"], ratio, atol=0.006)
    for name, group in frame.groupby("locality"):
        ranked = group.sort_values("imd_rank")
        assert body.loc[name, "most_deprived_code"] == ranked["area_code"].iloc[0]
        assert body.loc[name, "least_deprived_name"] == ranked["area_name"].iloc[-1]
        assert body.loc[name, "least_deprived_decile"] == ranked["imd_decile"].iloc[-1]
        assert (
            body.loc[name, "imd_rank_range"] == ranked["imd_rank"].max() - ranked["imd_rank"].min()
        )
        low, high = np.percentile(
            group["imd_rank"].astype(float),
            [10, 90],
            weights=group["population"].astype(float),
            method="inverted_cdf",
        )
        assert body.loc[name, "imd_rank_p10_p90"] == high - low
        assert 0 <= body.loc[name, "imd_rank_p10_p90"] <= body.loc[name, "imd_rank_range"]
        mean = np.average(group["imd_rank"], weights=group["population"])
        assert body.loc[name, "imd_mean_rank"] == pytest.approx(mean, abs=0.5)
        low = group.loc[group["imd_decile"] <= 2, "population"].sum() / group["population"].sum()
        assert body.loc[name, "most_deprived_20pc_share"] == pytest.approx(low, abs=1e-4)
        deciles = [body.loc[name, f"imd_decile_{d}"] for d in range(1, 11)]
        assert deciles == [int((group["imd_decile"] == d).sum()) for d in range(1, 11)]


def test_needs_names_are_escaped_into_html_and_markdown():
    from localitygis.statistics import needs_profile

    areas = pd.DataFrame(
        {
            "area_code": ["E1", "E2"],
            "area_name": ["<img src=x onerror=alert(1)>", "A | B"],
            "locality": ["Weobley", "Weobley"],
            "population": [10, 20],
            "imd_rank": [5, 500],
            "imd_decile": [1, 2],
        }
    )
    parishes = pd.DataFrame({"parish_code": ["P"], "locality": ["Weobley"], "population": [30]})
    localities = pd.DataFrame({"locality": ["Weobley"], "tier": [1], "area_km2": [3.0]})
    table = locality_profiles(parishes, localities, needs=needs_profile(areas))
    assert table.loc[0, "most_deprived_name"] == "<img src=x onerror=alert(1)>"
    out = profiles_to_html(table)
    assert "<img" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "A \\| B" in profiles_to_markdown(table)


def test_needs_must_match_the_localities():
    parishes = pd.DataFrame({"parish_code": ["P"], "locality": ["Weobley"]})
    localities = pd.DataFrame({"locality": ["Weobley"], "tier": [1], "area_km2": [3.0]})
    stray = pd.DataFrame({"locality": ["Elsewhere", "County"], "population": [1, 1]})
    with pytest.raises(DataError, match="Elsewhere"):
        locality_profiles(parishes, localities, needs=stray)
    with pytest.raises(DataError, match="County row"):
        locality_profiles(parishes, localities, needs=stray.iloc[:1])
