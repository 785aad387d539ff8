"""Self-contained HTML: replace every external script and stylesheet with its vendored copy.

A saved map must open on a PC with no internet access, so each ``<script src=...>`` and
``<link rel="stylesheet" href=...>`` a folium page refers to is replaced by the file's text
from ``localitygis/maps/vendor/`` (see ``VENDOR.md``), with the images a stylesheet refers to
inlined as ``data:`` URIs.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources
from pathlib import PurePosixPath

from localitygis.errors import DataError

#: File name at the end of a CDN URL -> vendored file (relative to ``vendor/``).
VENDORED: dict[str, str] = {
    "leaflet.js": "leaflet/leaflet.js",
    "leaflet.css": "leaflet/leaflet.css",
    "leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
    "leaflet.markercluster-src.js": "leaflet.markercluster/leaflet.markercluster.js",
    "MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
    "MarkerCluster.Default.css": "leaflet.markercluster/MarkerCluster.Default.css",
    "Control.FullScreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.min.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "Control.MiniMap.js": "leaflet-minimap/Control.MiniMap.min.js",
    "Control.MiniMap.min.js": "leaflet-minimap/Control.MiniMap.min.js",
    "Control.MiniMap.css": "leaflet-minimap/Control.MiniMap.min.css",
    "Control.MiniMap.min.css": "leaflet-minimap/Control.MiniMap.min.css",
    "leaflet-measure.min.js": "leaflet-measure/leaflet-measure.min.js",
    "leaflet-measure.js": "leaflet-measure/leaflet-measure.min.js",
    "leaflet-measure.min.css": "leaflet-measure/leaflet-measure.css",
    "leaflet-measure.css": "leaflet-measure/leaflet-measure.css",
    "html-to-image.js": "html-to-image/html-to-image.js",
    "leaflet.groupedlayercontrol.min.js": (
        "leaflet-groupedlayercontrol/leaflet.groupedlayercontrol.min.js"
    ),
    "leaflet.groupedlayercontrol.min.css": (
        "leaflet-groupedlayercontrol/leaflet.groupedlayercontrol.min.css"
    ),
}

#: CDN URLs used in online mode for resources localitygis adds itself.
CDN = {
    "markercluster_js": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.5.3/leaflet.markercluster.js",
    "markercluster_css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.5.3/MarkerCluster.css",
    "markercluster_default_css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.5.3/MarkerCluster.Default.css",
    "minimap_js": "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.min.js",
    "minimap_css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.min.css",
    "grouped_js": "https://cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/leaflet.groupedlayercontrol.min.js",
    "grouped_css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/leaflet.groupedlayercontrol.min.css",
    "html_to_image_js": "https://cdn.jsdelivr.net/npm/html-to-image@1.11.13/dist/html-to-image.js",
    "leaflet_js": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "leaflet_css": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
}

_SCRIPT = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>', re.IGNORECASE)
_LINK = re.compile(
    r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>',
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\((?P<q>['\"]?)(?P<ref>[^)'\"]+)(?P=q)\)")
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}


def _vendor_root() -> resources.abc.Traversable:
    return resources.files("localitygis.maps").joinpath("vendor")


@cache
def vendored_text(relative: str) -> str:
    """Return a vendored file's text; CSS comes back with its images inlined."""
    path = _vendor_root().joinpath(*relative.split("/"))
    text = path.read_text(encoding="utf-8")
    if relative.endswith(".css"):
        text = _inline_css_images(text, PurePosixPath(relative).parent)
    return text


def _inline_css_images(css: str, folder: PurePosixPath) -> str:
    def replace(match: re.Match[str]) -> str:
        ref = match.group("ref")
        suffix = PurePosixPath(ref).suffix.lower()
        if ref.startswith(("data:", "#")) or suffix not in _MIME:
            return match.group(0)
        target = _vendor_root().joinpath(*(folder / ref).parts)
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url({_MIME[suffix]};base64,{data})".replace("url(", "url(data:", 1)

    return _CSS_URL.sub(replace, css)


def _lookup(url: str) -> str:
    name = url.split("?", 1)[0].rsplit("/", 1)[-1]
    relative = VENDORED.get(name)
    if relative is None:
        raise DataError(
            f"the map refers to {url}, which localitygis has no offline copy of; "
            "save it with offline=False (or --online), or remove the plugin that needs it."
        )
    return relative


def inline_resources(page: str) -> str:
    """Return ``page`` with every external script and stylesheet embedded inline.

    Raises
    ------
    DataError
        If the page refers to a script or stylesheet that is not vendored.
    """

    def script(match: re.Match[str]) -> str:
        text = vendored_text(_lookup(match.group("url")))
        if "</script" in text.lower():  # pragma: no cover - checked for the vendored files
            raise DataError(f"{match.group('url')} cannot be inlined safely")
        return f"<script>{text}</script>"

    def link(match: re.Match[str]) -> str:
        text = vendored_text(_lookup(match.group("url")))
        return f"<style>{text}</style>"

    page = _SCRIPT.sub(lambda m: script(m), page)
    return _LINK.sub(lambda m: link(m), page)


def external_urls(page: str) -> list[str]:
    """Return the http(s) URLs of scripts and stylesheets the page loads."""
    found = [m.group("url") for m in _SCRIPT.finditer(page)]
    found += [m.group("url") for m in _LINK.finditer(page)]
    return [u for u in found if u.lower().startswith(("http://", "https://", "//"))]
