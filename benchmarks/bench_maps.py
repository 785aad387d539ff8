"""Benchmark the web maps: file size, time to write, and time to interactive in Chromium.

Compares localitygis' asset map (one compact array, markers built in the browser,
self-contained offline HTML) with the naive folium way (one ``folium.Marker`` with a
``folium.Popup`` per asset), side by side in the same run, on the demo county's assets and on
10,000 and 100,000 synthetic assets scattered over the demo county.

Time to interactive: from navigation start to the first frame painted after the ``load``
event (and, for localitygis, after every asset marker exists), in headless Chromium with the
network off. The naive page's CDN files are replaced by local copies (Leaflet from
``localitygis/maps/vendor``, its marker image next to the page, a two-line stand-in for
jQuery's ``$(html)[0]`` which folium's popups use, and no Bootstrap/Font Awesome), which if
anything favours the naive page.

Run: ``.venv/bin/python benchmarks/bench_maps.py [--quick]``
"""

from __future__ import annotations

import argparse
import html
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402

from localitygis.crs import to_wgs84  # noqa: E402
from localitygis.maps import asset_map, county_map, save_map  # noqa: E402
from tests._browser import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests._mapdata import demo_map_data, many_assets  # noqa: E402

JQUERY_STANDIN = (
    "window.$ = window.jQuery = function (h) { var t = document.createElement('template');"
    " t.innerHTML = String(h).trim(); return [t.content.firstChild]; };"
)


def timed(func, repeat: int):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ours(data, assets, path: Path) -> Path:
    m = asset_map(data.localities, assets, hubs=data.hubs, title="Assets")
    return save_map(m, path)


def naive(data, assets, path: Path) -> Path:
    loc = to_wgs84(data.localities)
    web = to_wgs84(assets)
    m = folium.Map(location=[52.08, -2.75], zoom_start=10)
    folium.GeoJson(loc[["locality", "tier", "geometry"]], name="Localities").add_to(m)
    for geom, name, category, partner in zip(
        web.geometry, web["name"], web["category"], web["partner"], strict=True
    ):
        popup = folium.Popup(
            f"<b>{html.escape(str(name))}</b><br>{html.escape(str(category))}<br>"
            f"{html.escape(str(partner))}"
        )
        folium.Marker([geom.y, geom.x], popup=popup).add_to(m)
    m.save(str(path))
    return path


def fast_cluster(data, assets, path: Path) -> Path:
    """The competent plain route: folium's FastMarkerCluster (no popups, search or filters)."""
    from folium.plugins import FastMarkerCluster

    loc = to_wgs84(data.localities)
    web = to_wgs84(assets)
    m = folium.Map(location=[52.08, -2.75], zoom_start=10)
    folium.GeoJson(loc[["locality", "tier", "geometry"]], name="Localities").add_to(m)
    coords = [[round(g.y, 5), round(g.x, 5)] for g in web.geometry]
    # Leaflet's own marker (folium's default callback needs Leaflet.awesome-markers).
    callback = "function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"
    FastMarkerCluster(coords, name="Assets", callback=callback).add_to(m)
    m.save(str(path))
    return path


def localise_naive(path: Path) -> Path:
    """Make the naive page load without a network: local Leaflet, a jQuery stand-in.

    The stylesheet keeps its relative image URLs, served from an ``images/`` folder next to
    the page (file:// loads are cached by the browser, like a CDN's would be).
    """
    import re

    vendor = resources.files("localitygis.maps").joinpath("vendor", "leaflet")
    images = path.parent / "images"
    images.mkdir(exist_ok=True)
    icon = vendor.joinpath("images", "marker-icon.png").read_bytes()
    for name in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"):
        (images / name).write_bytes(icon)
    page = path.read_text(encoding="utf-8")

    cluster = resources.files("localitygis.maps").joinpath("vendor", "leaflet.markercluster")

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if url.endswith("leaflet.js"):
            return (
                "<script>" + vendor.joinpath("leaflet.js").read_text(encoding="utf-8") + "</script>"
            )
        if url.endswith("leaflet.markercluster.js"):
            text = cluster.joinpath("leaflet.markercluster.js").read_text(encoding="utf-8")
            return f"<script>{text}</script>"
        if "jquery" in url:
            return f"<script>{JQUERY_STANDIN}</script>"
        return ""

    def link(match: re.Match[str]) -> str:
        if match.group(1).endswith("leaflet.css"):
            return (
                "<style>" + vendor.joinpath("leaflet.css").read_text(encoding="utf-8") + "</style>"
            )
        name = match.group(1).rsplit("/", 1)[-1]
        if name in {"MarkerCluster.css", "MarkerCluster.Default.css"}:
            return "<style>" + cluster.joinpath(name).read_text(encoding="utf-8") + "</style>"
        return ""

    page = re.sub(r'<script src="([^"]+)"></script>', script, page)
    page = re.sub(r'<link rel="stylesheet" href="([^"]+)"/>', link, page)
    out = path.with_name(path.stem + "_local.html")
    out.write_text(page, encoding="utf-8")
    return out


def _tti_once(browser, path: Path, wait_js: str | None) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_offline(True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
    page.goto(path.as_uri(), wait_until="load", timeout=300_000)
    if wait_js:
        page.wait_for_function(wait_js, timeout=60_000)
    value = page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() =>"
        " requestAnimationFrame(() => r(performance.now()))))"
    )
    context.close()
    if errors:
        raise SystemExit(f"{path.name}: page errors {errors[:3]}")
    return value / 1000


def browser_tti(pages: dict[str, tuple[Path, str | None]], *, repeat: int) -> dict[str, list]:
    """Time to interactive of each page, interleaved (a, b, a, b...), after one warm-up each."""
    executable = chromium_path()
    if executable is None:
        return {}
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {name: [] for name in pages}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for run in range(repeat + 1):
                for name, (path, wait_js) in pages.items():
                    value = _tti_once(browser, path, wait_js)
                    if run:  # the first round warms the browser and the file cache
                        times[name].append(value)
        finally:
            browser.close()
    return times


CLUSTER_COUNT = (
    "(function () { const g = Object.values(window).find(v => v instanceof"
    " L.MarkerClusterGroup); return g ? g.getLayers().length : -1; })()"
)


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def compare_fast_cluster(data, assets, out: Path, *, repeat: int) -> None:
    """Our 10,000-asset map against FastMarkerCluster: size and time to interactive."""
    n = len(assets)
    p_ours = ours(data, assets, out / "ours_fmc.html")
    p_fast = localise_naive(fast_cluster(data, assets, out / "fast.html"))
    s_ours, s_fast = p_ours.stat().st_size / 1e6, p_fast.stat().st_size / 1e6
    print(f"\n{n:,} assets vs folium FastMarkerCluster (Leaflet + markercluster inlined in both):")
    print(
        f"  size: ours {s_ours:.2f} MB, FastMarkerCluster {s_fast:.2f} MB, "
        f"ratio {s_ours / s_fast:.2f}"
    )
    name = _asset_var(p_ours)
    times = browser_tti(
        {
            "ours": (p_ours, f"() => {name}.group.getLayers().length === {n}"),
            "fast": (p_fast, f"() => {CLUSTER_COUNT} === {n}"),
        },
        repeat=repeat,
    )
    if not times:
        print("  Chromium not found: time to interactive not measured")
        return
    ratio = statistics.median(times["ours"]) / statistics.median(times["fast"])
    print(
        f"  TTI (median of {repeat}, interleaved, after a warm-up; min–max): ours "
        f"{_spread(times['ours'])}, FastMarkerCluster {_spread(times['fast'])}, ratio {ratio:.2f}"
    )
    print(f"  both pages hold all {n:,} markers once interactive (checked in the page)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip 100,000 assets")
    parser.add_argument(
        "--fast-cluster-only",
        action="store_true",
        help="only the 10,000-asset comparison with FastMarkerCluster",
    )
    args = parser.parse_args()
    data = demo_map_data()
    if args.fast_cluster_only:
        out = Path(tempfile.mkdtemp(prefix="bench_maps_"))
        compare_fast_cluster(data, many_assets(data, 10_000), out, repeat=7)
        return
    cases = [("demo", data.assets), ("10,000", many_assets(data, 10_000))]
    if not args.quick:
        cases.append(("100,000", many_assets(data, 100_000)))
    out = Path(tempfile.mkdtemp(prefix="bench_maps_"))

    t_county, county = timed(
        lambda: save_map(
            county_map(data.localities, parishes=data.parishes, catchments=data.catchments),
            out / "county.html",
        ),
        3,
    )
    print(
        f"demo county map (localities, parishes, catchments): "
        f"{county.stat().st_size / 1e6:.2f} MB, written in {t_county:.2f} s"
    )
    print()
    header = (
        f"{'assets':>8} | {'ours MB':>8} {'ours s':>7} | {'naive MB':>8} {'naive s':>8} | "
        f"{'size x':>6} {'time x':>6}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for label, assets in cases:
        repeat = 3 if len(assets) <= 10_000 else 1
        t_ours, p_ours = timed(
            lambda a=assets, lb=label: ours(data, a, out / f"ours_{lb}.html"), repeat
        )
        naive_repeat = 1 if len(assets) > 1_000 else 3
        t_naive, p_naive = timed(
            lambda a=assets, lb=label: naive(data, a, out / f"naive_{lb}.html"), naive_repeat
        )
        s_ours, s_naive = p_ours.stat().st_size / 1e6, p_naive.stat().st_size / 1e6
        results[label] = (p_ours, p_naive, len(assets))
        print(
            f"{label:>8} | {s_ours:8.2f} {t_ours:7.2f} | {s_naive:8.2f} {t_naive:8.2f} | "
            f"{s_naive / s_ours:6.1f} {t_naive / t_ours:6.1f}"
        )
    print()
    if chromium_path() is None:
        print("Chromium not found: time to interactive not measured")
        return
    print(f"{'assets':>8} | {'ours TTI s':>10} | {'naive TTI s':>11} | {'ratio':>5}")
    for label in ("demo", "10,000"):
        p_ours, p_naive, n = results[label]
        name = _asset_var(p_ours)
        wait = f"() => {name}.group.getLayers().length === {n}"
        times = browser_tti(
            {"ours": (p_ours, wait), "naive": (localise_naive(p_naive), None)}, repeat=3
        )
        tti_ours = statistics.median(times["ours"])
        tti_naive = statistics.median(times["naive"])
        print(f"{label:>8} | {tti_ours:10.2f} | {tti_naive:11.2f} | {tti_naive / tti_ours:5.1f}")
    compare_fast_cluster(data, cases[1][1], out, repeat=3 if args.quick else 7)


def _asset_var(path: Path) -> str:
    import re

    found = re.search(r"var (lgis_assets_\w+) = \(function", path.read_text(encoding="utf-8"))
    if found is None:
        raise SystemExit(f"no asset layer in {path}")
    return found.group(1)


if __name__ == "__main__":
    main()
