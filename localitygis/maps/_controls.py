"""The Leaflet pieces of a localitygis web map: layers, asset layer, legend, search, controls.

Every string these elements put into the page has been HTML-escaped by the caller (see
``_web.esc``) and every data payload is JSON made safe for a ``<script>`` element
(``_web.script_json``); the JavaScript inserts the escaped strings as HTML, never raw input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from localitygis.maps._offline import CDN
from localitygis.maps._web import script_json

# --------------------------------------------------------------------------- page header

RUNTIME_JS = """
window.lgis = window.lgis || (function () {
  var api = {};
  api.esc = function (s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
  };
  api.style = function (f) { return (f.properties && f.properties._s) || {}; };
  api.bind = function (f, layer) {
    var p = f.properties || {};
    if (p._t) { layer.bindTooltip(p._t, {sticky: true, direction: 'top', opacity: 0.95}); }
    if (p._p) { layer.bindPopup(p._p, {maxWidth: 360}); }
  };
  api.point = function (f, latlng) {
    var p = f.properties || {}, s = p._s || {};
    if (p._l !== undefined) {
      var cls = 'lgis-label' + (p._c ? ' lgis-small' : '');
      return L.marker(latlng, {icon: L.divIcon({className: cls,
        html: '<span>' + p._l + '</span>', iconSize: null}), interactive: false,
        keyboard: false});
    }
    if (p._r) { return L.circle(latlng, L.extend({radius: p._r}, s)); }
    return L.circleMarker(latlng, s);
  };
  api.index = function (map) { return map._lgisIndex || (map._lgisIndex = []); };
  return api;
})();
"""

PAGE_CSS = """
.leaflet-container { background: #f4f2ec; font: 13px/1.4 "Segoe UI", Arial, sans-serif; }
.lgis-label { background: none; border: none; }
.lgis-label span { display: inline-block; transform: translate(-50%, -50%); white-space: nowrap;
  font-weight: 600; font-size: 12px; color: #1d1d1d; pointer-events: none;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.lgis-label.lgis-small span { font-weight: 400; font-size: 10px; color: #444; }
.lgis-pop h4 { margin: 0 0 2px; font-size: 15px; }
.lgis-pop .lgis-sub { color: #555; margin-bottom: 6px; font-size: 12px; }
.lgis-pop table { border-collapse: collapse; font-size: 13px; }
.lgis-pop { font-size: 13px; }
.lgis-pop th { text-align: left; font-weight: 600; padding: 1px 10px 1px 0; color: #333;
  vertical-align: top; }
.lgis-pop td { text-align: right; padding: 1px 0; }
.lgis-legend { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.4); max-width: 280px; max-height: 45vh; overflow: auto; }
.lgis-legend h4 { margin: 4px 0 2px; font-size: 13px; }
.lgis-legend summary { cursor: pointer; font-weight: 700; }
.lgis-legend .lgis-row { font-size: 12px; }
.lgis-legend .lgis-row { display: flex; align-items: center; margin: 1px 0; }
.lgis-legend .lgis-note { margin-top: 6px; color: #555; font-size: 11px; }
.lgis-sw { display: inline-block; width: 16px; height: 12px; margin-right: 6px;
  border: 1px solid #555; flex: none; vertical-align: middle; }
.lgis-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 5px; border: 1px solid #fff; box-shadow: 0 0 0 1px #777; vertical-align: middle; }
.lgis-ring { border-radius: 50%; background: none; border: 2px dashed #555; }
.lgis-title { background: rgba(255,255,255,0.94); padding: 6px 10px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.4); }
.lgis-title h3 { margin: 0; font-size: 16px; }
.lgis-title .lgis-demo { color: #a0341c; font-weight: 600; font-size: 12px; }
.lgis-search { background: #fff; padding: 4px; width: 240px; }
.lgis-search input { width: 100%; box-sizing: border-box; padding: 4px 6px; border: 1px solid #aaa;
  border-radius: 3px; font-size: 13px; }
.lgis-results { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow: auto; }
.lgis-results li { padding: 3px 6px; cursor: pointer; border-top: 1px solid #eee; }
.lgis-results li:hover, .lgis-results li:focus { background: #e8f0fb; }
.lgis-results li small { color: #666; margin-left: 4px; }
.leaflet-control-layers-group-name { font-weight: 700; display: block; margin: 4px 0 2px; }
.leaflet-control-layers-expanded { max-height: 60vh; overflow-y: auto; }
"""


def add_page_assets(figure: Figure) -> None:
    """Add the localitygis runtime script and stylesheet to the page header (once)."""
    header = figure.header
    if "lgis_runtime" in header._children:
        return
    header.add_child(Element(f"<style>{PAGE_CSS}</style>"), name="lgis_css")
    header.add_child(Element(f"<script>{RUNTIME_JS}</script>"), name="lgis_runtime")


# --------------------------------------------------------------------------- layers


class GeoJsonLayer(MacroElement):
    """A GeoJSON layer whose features carry their own style, tooltip and popup HTML.

    Feature properties: ``_s`` Leaflet style, ``_t`` tooltip HTML, ``_p`` popup HTML,
    ``_n`` searchable name HTML, ``_l`` label HTML (point features), ``_r`` radius in
    metres (point features drawn as circles).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
            style: lgis.style, onEachFeature: lgis.bind, pointToLayer: lgis.point,
            interactive: {{ this.interactive }}
        });
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% if this.search_kind %}
        (function (map, group) {
            var idx = lgis.index(map);
            group.eachLayer(function (l) {
                var p = l.feature.properties;
                if (!p._n) { return; }
                idx.push({t: p._n, k: {{ this.search_kind }}, key: p._n.toLowerCase(),
                    go: function () {
                        if (!map.hasLayer(group)) { map.addLayer(group); }
                        var still = {animate: false};
                        if (l.getBounds) {
                          map.fitBounds(l.getBounds(), L.extend({maxZoom: 13}, still));
                        } else {
                          map.setView(l.getLatLng(), Math.max(map.getZoom(), 14), still);
                        }
                        l.openPopup();
                    }});
            });
        })({{ this._parent.get_name() }}, {{ this.get_name() }});
        {% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: str,
        *,
        name: str,
        show: bool = True,
        interactive: bool = True,
        search_kind: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "LgisLayer"
        self.data = data
        self.layer_name = name
        self.show = show
        self.interactive = "true" if interactive else "false"
        self.search_kind = script_json(search_kind) if search_kind else None


class AssetLayer(JSCSSMixin, MacroElement):
    """Assets built in the browser from one compact array, filtered by category and partner.

    ``data`` keys: ``rows`` (``[lat, lon, category_index, partner_index, name_html,
    *field_values_html]``), ``cats`` (``[label_html, colour]``), ``partners`` (name HTML),
    ``pgroup`` (partner -> filter index), ``groups`` (filter label HTML), ``fields``
    (field label HTML), ``cluster`` (bool).
    """

    default_js: ClassVar[list[tuple[str, str]]] = [
        ("leaflet.markercluster.js", CDN["markercluster_js"])
    ]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("MarkerCluster.css", CDN["markercluster_css"]),
        ("MarkerCluster.Default.css", CDN["markercluster_default_css"]),
    ]

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map) {
          var D = {{ this.data }};
          var rows = D.rows, n = rows.length;
          if (!map.getPane('lgisAssets')) { map.createPane('lgisAssets').style.zIndex = 450; }
          var renderer = L.canvas({padding: 0.5, pane: 'lgisAssets'});
          var group = D.cluster ? L.markerClusterGroup({chunkedLoading: true,
              showCoverageOnHover: false, maxClusterRadius: 45, disableClusteringAtZoom: 16})
            : L.featureGroup();
          var markers = new Array(n);
          function popup(i) {
            var r = rows[i];
            var h = '<div class="lgis-pop"><h4>' + r[4] + '</h4><div class="lgis-sub">' +
              D.cats[r[2]][0] + ' · ' + D.partners[r[3]] + '</div><table>';
            for (var j = 0; j < D.fields.length; j++) {
              var v = r[5 + j];
              if (v !== null && v !== '') {
                h += '<tr><th>' + D.fields[j] + '</th><td>' + v + '</td></tr>';
              }
            }
            return h + '</table></div>';
          }
          for (var i = 0; i < n; i++) {
            var r = rows[i];
            var m = L.circleMarker([r[0], r[1]], {radius: 6, color: '#ffffff', weight: 1.2,
              fillColor: D.cats[r[2]][1], fillOpacity: 0.95, renderer: renderer});
            m._lgisI = i;
            markers[i] = m;
          }
          group.on('click', function (e) {
            var i = e.layer._lgisI;
            if (i === undefined) { return; }
            L.popup({maxWidth: 360}).setLatLng(e.layer.getLatLng()).setContent(popup(i))
              .openOn(map);
          });
          group.on('mouseover', function (e) {
            var l = e.layer;
            if (l._lgisI === undefined) { return; }
            if (!l.getTooltip()) { l.bindTooltip(rows[l._lgisI][4], {direction: 'top'}); }
            l.openTooltip();
          });
          var catOn = D.cats.map(function () { return true; });
          var parOn = D.groups.map(function () { return true; });
          var pending = null;
          function refresh() {
            pending = null;
            var vis = [];
            for (var i = 0; i < n; i++) {
              if (catOn[rows[i][2]] && parOn[D.pgroup[rows[i][3]]]) { vis.push(markers[i]); }
            }
            group.clearLayers();
            if (group.addLayers) { group.addLayers(vis); }
            else { for (var k = 0; k < vis.length; k++) { group.addLayer(vis[k]); } }
          }
          function schedule() { if (pending === null) { pending = setTimeout(refresh, 0); } }
          function filter(flags, k) {
            var g = L.layerGroup();
            g.on('add', function () { flags[k] = true; schedule(); });
            g.on('remove', function () { flags[k] = false; schedule(); });
            return g;
          }
          var cats = D.cats.map(function (c, k) { return filter(catOn, k); });
          var partners = D.groups.map(function (c, k) { return filter(parOn, k); });
          refresh();
          {% if this.show %}group.addTo(map);{% endif %}
          cats.forEach(function (g) { g.addTo(map); });
          partners.forEach(function (g) { g.addTo(map); });
          function go(e) {
            var r = rows[e.i];
            map.setView([r[0], r[1]], Math.max(map.getZoom(), 16), {animate: false});
            L.popup({maxWidth: 360}).setLatLng([r[0], r[1]]).setContent(popup(e.i)).openOn(map);
          }
          var idx = lgis.index(map);
          for (var s = 0; s < n; s++) {
            idx.push({t: rows[s][4], k: D.cats[rows[s][2]][0], key: rows[s][4].toLowerCase(),
              i: s, go: go});
          }
          return {group: group, cats: cats, partners: partners, markers: markers};
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: Mapping[str, object], *, show: bool = True) -> None:
        super().__init__()
        self._name = "LgisAssets"
        self.data = script_json(data)
        self.show = show


# --------------------------------------------------------------------------- controls


class BaseLayers(MacroElement):
    """A plain background (no network needed) and an optional OpenStreetMap tile layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {
          plain: L.layerGroup(),
          osm: L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {maxZoom: 19,
            attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">' +
              'OpenStreetMap</a> contributors'})
        };
        {{ this.get_name() }}.{{ 'osm' if this.tiles else 'plain' }}
          .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, tiles: bool = False) -> None:
        super().__init__()
        self._name = "LgisBase"
        self.tiles = tiles


class GroupedLayers(JSCSSMixin, MacroElement):
    """The layer control: base layers plus named groups of overlays (escaped label HTML)."""

    default_js: ClassVar[list[tuple[str, str]]] = [
        ("leaflet.groupedlayercontrol.min.js", CDN["grouped_js"])
    ]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("leaflet.groupedlayercontrol.min.css", CDN["grouped_css"])
    ]

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control.groupedLayers(
          { {% for label, expr in this.bases -%}
              {{ label }}: {{ expr }}{{ "," if not loop.last }}
            {%- endfor %} },
          { {% for group, items in this.groups %}{{ group }}: {
              {% for label, expr in items -%}
                {{ label }}: {{ expr }}{{ "," if not loop.last }}
              {%- endfor %}
            }{{ "," if not loop.last }}{% endfor %} },
          {collapsed: {{ this.collapsed }}, position: 'topright'}
        ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        bases: Sequence[tuple[str, str]],
        groups: Sequence[tuple[str, Sequence[tuple[str, str]]]],
        *,
        collapsed: bool,
    ) -> None:
        super().__init__()
        self._name = "LgisLayerControl"
        self.bases = [(script_json(label), expr) for label, expr in bases]
        self.groups = [
            (script_json(group), [(script_json(label), expr) for label, expr in items])
            for group, items in groups
            if items
        ]
        self.collapsed = "true" if collapsed else "false"


class HtmlControl(MacroElement):
    """A Leaflet control showing fixed (already escaped) HTML: legend or title."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
          var C = L.Control.extend({
            options: {position: {{ this.position }}},
            onAdd: function () {
              var div = L.DomUtil.create('div', {{ this.css_class }});
              div.innerHTML = {{ this.html }};
              L.DomEvent.disableClickPropagation(div);
              L.DomEvent.disableScrollPropagation(div);
              return div;
            }
          });
          new C().addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "LgisHtmlControl"
        self.html = script_json(html)
        self.position = script_json(position)
        self.css_class = script_json(css_class)


class Attribution(MacroElement):
    """Add the data attribution (escaped HTML) to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix(
          '<a href="https://leafletjs.com">Leaflet</a>');
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "LgisAttribution"
        self.html = script_json(html)


class SearchBox(MacroElement):
    """A search box over the names every searchable layer registered (parishes, assets...)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
          var Search = L.Control.extend({
            options: {position: 'topleft'},
            onAdd: function () {
              var div = L.DomUtil.create('div', 'lgis-search leaflet-bar');
              var input = L.DomUtil.create('input', 'lgis-search-input', div);
              input.type = 'search';
              input.placeholder = {{ this.placeholder }};
              input.setAttribute('aria-label', {{ this.placeholder }});
              var list = L.DomUtil.create('ul', 'lgis-results', div);
              L.DomEvent.disableClickPropagation(div);
              L.DomEvent.disableScrollPropagation(div);
              var timer = null;
              function choose(e) {
                list.innerHTML = '';
                var tmp = document.createElement('div');
                tmp.innerHTML = e.t;
                input.value = tmp.textContent;
                setTimeout(function () { e.go(e); }, 0);  // after this click has finished
              }
              function run() {
                list.innerHTML = '';
                var q = lgis.esc(input.value.trim()).toLowerCase();
                if (q.length < 2) { return; }
                var idx = lgis.index(map), found = 0;
                for (var i = 0; i < idx.length && found < 12; i++) {
                  var e = idx[i];
                  if (e.key.indexOf(q) === -1) { continue; }
                  var li = L.DomUtil.create('li', 'lgis-hit', list);
                  li.innerHTML = e.t + ' <small>' + e.k + '</small>';
                  li.tabIndex = 0;
                  li.addEventListener('click', choose.bind(null, e));
                  found++;
                }
                if (!found) {
                  var none = L.DomUtil.create('li', 'lgis-none', list);
                  none.textContent = 'No match';
                }
              }
              input.addEventListener('input', function () {
                clearTimeout(timer); timer = setTimeout(run, 100);
              });
              input.addEventListener('keydown', function (ev) {
                if (ev.key === 'Enter') {
                  clearTimeout(timer); run();
                  var first = list.querySelector('li.lgis-hit');
                  if (first) { first.click(); }
                }
              });
              return div;
            }
          });
          new Search().addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, placeholder: str = "Search parishes and assets") -> None:
        super().__init__()
        self._name = "LgisSearch"
        self.placeholder = script_json(placeholder)


class MiniMap(JSCSSMixin, MacroElement):
    """An overview minimap drawn from locality outlines, so it needs no tiles."""

    default_js: ClassVar[list[tuple[str, str]]] = [("Control.MiniMap.min.js", CDN["minimap_js"])]
    default_css: ClassVar[list[tuple[str, str]]] = [("Control.MiniMap.min.css", CDN["minimap_css"])]

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        new L.Control.MiniMap(
          L.geoJSON({{ this.data }}, {style: lgis.style, interactive: false}),
          {toggleDisplay: true, position: 'bottomleft', width: 150, height: 150,
           zoomLevelOffset: -3, aimingRectOptions: {color: '#c0392b', weight: 2}}
        ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: str) -> None:
        super().__init__()
        self._name = "LgisMiniMap"
        self.data = data
