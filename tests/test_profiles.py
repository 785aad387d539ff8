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
        county["population_covered"] / county["population"], abs=1e-4
    )
    for share in ("area_share", "population_share", "parishes_share", "assets_share"):
        assert body[share].sum() == pytest.approx(1.0, abs=1e-3)
        assert county[share] == 1.0
    cats = [c for c in table.columns if c.startswith("category: ")]
    assert (table[cats].sum(axis=1) == table["assets"]).all()


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
