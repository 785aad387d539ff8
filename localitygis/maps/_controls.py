"""The Leaflet pieces of a localitygis web map: layers, asset layer, legend, search, controls.

Every string these elements put into the page has been HTML-escaped by the caller (see
``_web.esc``) and every data payload is JSON made safe for a ``<script>`` element
(``_web.script_json``); the JavaScript inserts the escaped strings as HTML, never raw input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
  api.popupOptions = {maxWidth: 320, minWidth: 160, autoPanPadding: [24, 24],
    className: 'lgis-popup'};
  api.tooltipOptions = {sticky: true, direction: 'auto', opacity: 0.95,
    className: 'lgis-tip'};
  api.style = function (f) { return (f.properties && f.properties._s) || {}; };
  api.bind = function (f, layer) {
    var p = f.properties || {};
    if (p._t) { layer.bindTooltip(p._t, api.tooltipOptions); }
    if (p._p) { layer.bindPopup(p._p, api.popupOptions); }
    if (p._a) {
      layer.on('add', function () {
        var el = layer.getElement && layer.getElement();
        if (el) { el.setAttribute('role', 'img'); el.setAttribute('aria-label', p._a); }
      });
    }
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
  // Searchable entries {t: text, k: kind, key: lower-case text, go: fn} and search
  // providers (function (query, max) -> entries), e.g. the asset layer's columns.
  api.index = function (map) { return map._lgisIndex || (map._lgisIndex = []); };
  api.providers = function (map) { return map._lgisProviders || (map._lgisProviders = []); };
  // Table sources: {name: layer label, rows: function (bounds or null) -> [[name, {label:
  // value}]]}, for the table panel and the CSV download.
  api.tables = function (map) { return map._lgisTables || (map._lgisTables = []); };
  api.popupFields = function (html) {
    var out = {}, doc = new DOMParser().parseFromString(html || '', 'text/html');
    doc.querySelectorAll('tr').forEach(function (tr) {
      var th = tr.querySelector('th'), td = tr.querySelector('td');
      if (th && td) { out[th.textContent] = td.textContent; }
    });
    var sub = doc.querySelector('.lgis-sub');
    if (sub) { out['Description'] = sub.textContent; }
    return out;
  };
  // Shift a tooltip (with a margin: Leaflet positions it with a transform) so that it
  // stays inside the map, however long its text and wherever the pointer is.
  api.keepTooltipsInView = function () {
    var proto = L.Tooltip.prototype;
    if (proto._lgisFit) { return; }
    var update = proto._updatePosition;
    proto._updatePosition = function () {
      update.apply(this, arguments);
      var el = this._container, map = this._map;
      if (!el || !map) { return; }
      el.style.marginLeft = '0px';
      el.style.marginTop = '0px';
      var box = el.getBoundingClientRect(), frame = map.getContainer().getBoundingClientRect();
      var dx = 0, dy = 0;
      if (box.left < frame.left + 4) { dx = frame.left + 4 - box.left; }
      else if (box.right > frame.right - 4) { dx = frame.right - 4 - box.right; }
      if (box.top < frame.top + 4) { dy = frame.top + 4 - box.top; }
      else if (box.bottom > frame.bottom - 4) { dy = frame.bottom - 4 - box.bottom; }
      el.style.marginLeft = dx + 'px';
      el.style.marginTop = dy + 'px';
    };
    proto._lgisFit = true;
  };
  api.text = function (html) {
    return new DOMParser().parseFromString(html || '', 'text/html').body.textContent;
  };
  return api;
})();
"""

PAGE_CSS = """
.leaflet-container { background: #f4f2ec; font: 13px/1.4 "Segoe UI", Arial, sans-serif; }
.lgis-label { background: none; border: none; }
.lgis-label span { display: inline-block; transform: translate(-50%, -50%); white-space: nowrap;
  font-weight: 600; font-size: 12px; color: #1d1d1d; pointer-events: none;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.lgis-label.lgis-small span { font-weight: 400; font-size: 10px; color: #333; }
.lgis-popup .leaflet-popup-content { max-height: min(55vh, 420px); overflow-y: auto;
  overflow-wrap: anywhere; margin: 10px 12px; }
.lgis-pop h4 { margin: 0 0 2px; font-size: 15px; }
.lgis-pop .lgis-sub { color: #4a4a4a; margin-bottom: 6px; font-size: 12px; }
.lgis-pop table { border-collapse: collapse; font-size: 13px; width: 100%; }
.lgis-pop { font-size: 13px; }
.lgis-pop th { text-align: left; font-weight: 600; padding: 1px 10px 1px 0; color: #333;
  vertical-align: top; }
.lgis-pop td { text-align: right; padding: 1px 0; overflow-wrap: anywhere; }
.lgis-tip { max-width: min(300px, 70vw); white-space: normal; overflow-wrap: anywhere; }
path.leaflet-interactive:focus { outline: none; }
path.leaflet-interactive:focus-visible { stroke: #000; stroke-width: 4px; }
.lgis-legend { background: rgba(255,255,255,0.96); padding: 8px 10px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.4); max-width: 280px; max-height: 38vh; overflow: auto; }
.lgis-legend h2 { margin: 4px 0 2px; font-size: 13px; }
.lgis-legend summary { cursor: pointer; font-weight: 700; }
.lgis-legend .lgis-row { font-size: 12px; display: flex; align-items: center; margin: 1px 0; }
.lgis-legend .lgis-note { margin-top: 6px; color: #4a4a4a; font-size: 11px; }
.lgis-sw { display: inline-block; width: 16px; height: 12px; margin-right: 6px;
  border: 1px solid #555; flex: none; vertical-align: middle; box-sizing: border-box; }
.lgis-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; flex: none;
  margin-right: 5px; border: 1px solid #fff; box-shadow: 0 0 0 1px #777; vertical-align: middle; }
.lgis-title { background: rgba(255,255,255,0.96); padding: 6px 10px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.4); max-width: 40vw; }
.lgis-title h1 { margin: 0; font-size: 16px; overflow-wrap: anywhere; }
.lgis-title .lgis-scheme { color: #333; font-size: 12px; }
.lgis-title .lgis-demo { color: #a0341c; font-weight: 600; font-size: 12px; }
.lgis-title .lgis-date { display: none; }
.lgis-search { background: #fff; padding: 4px; width: 240px; max-width: 60vw; }
.lgis-search input { width: 100%; box-sizing: border-box; padding: 4px 6px;
  border: 1px solid #767676; border-radius: 3px; font-size: 13px; }
.lgis-results { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow: auto; }
.lgis-results li { padding: 3px 6px; cursor: pointer; border-top: 1px solid #eee;
  overflow-wrap: anywhere; }
.lgis-results li:hover, .lgis-results li:focus { background: #e8f0fb; }
.lgis-results li small { color: #555; margin-left: 4px; }
.leaflet-control-layers-group-name { font-weight: 700; display: block; margin: 4px 0 2px; }
.leaflet-control-layers-expanded { max-height: calc(62vh - 140px); overflow-y: auto; }
.lgis-toggle { cursor: pointer; }
.lgis-toggle .leaflet-control-layers-group-name::before { content: "\\25BE  "; }
.lgis-closed .lgis-toggle .leaflet-control-layers-group-name::before { content: "\\25B8  "; }
.lgis-closed > label:not(.leaflet-control-layers-group-label) { display: none; }
.lgis-offline { position: absolute; z-index: 1000; left: 50%; top: 10px;
  transform: translateX(-50%); background: #fff3cd; color: #3d2e00; border: 1px solid #b58900;
  padding: 6px 10px; border-radius: 4px; font-weight: 600; }
.lgis-tools { background: #fff; display: flex; flex-direction: column; }
.lgis-tools button { font: 12px "Segoe UI", Arial, sans-serif; background: #fff; color: #111;
  border: 0; border-bottom: 1px solid #ccc; padding: 5px 8px; cursor: pointer; text-align: left; }
.lgis-tools button:hover, .lgis-tools button:focus-visible { background: #e8f0fb; }
.lgis-panel { position: absolute; z-index: 1001; inset: 8% 6%; background: #fff;
  box-shadow: 0 2px 12px rgba(0,0,0,0.5); border-radius: 6px; padding: 10px 14px;
  overflow: auto; font-size: 13px; }
.lgis-panel table { border-collapse: collapse; margin-bottom: 14px; }
.lgis-panel caption { text-align: left; font-weight: 700; padding: 4px 0; }
.lgis-panel th, .lgis-panel td { border: 1px solid #ccc; padding: 2px 6px; text-align: left;
  vertical-align: top; }
.lgis-panel .lgis-close { float: right; }
@media (max-width: 600px) {
  .lgis-title { max-width: 46vw; padding: 4px 6px; }
  .lgis-title h1 { font-size: 13px; }
  .lgis-search { width: 150px; }
  .lgis-legend { max-width: 60vw; }
}
@media print {
  @page { size: landscape; margin: 10mm; }
  html, body { width: 100%; height: 100%; }
  .leaflet-control-zoom, .leaflet-control-layers, .lgis-search, .lgis-tools,
  .leaflet-control-minimap, .leaflet-control-measure, .leaflet-control-zoom-fullscreen,
  .leaflet-popup, .leaflet-tooltip, .lgis-offline, .lgis-panel { display: none !important; }
  .lgis-legend { max-height: none !important; overflow: visible !important; }
  .lgis-title .lgis-date { display: block; }
  .leaflet-control-scale, .leaflet-control-attribution { display: block !important; }
}
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
    ``_a`` accessible name (plain text), ``_n`` searchable name (plain text), ``_q`` more
    searchable text (a code), ``_l`` label HTML (point features), ``_r`` radius in metres
    (point features drawn as circles). Features with a popup are listed in the map's table
    panel and its CSV download.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
            style: lgis.style, onEachFeature: lgis.bind, pointToLayer: lgis.point,
            interactive: {{ this.interactive }}
        });
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        (function (map, group, label) {
          var kind = {{ this.search_kind or 'null' }};
          function go(l) {
            if (!map.hasLayer(group)) { map.addLayer(group); }
            var still = {animate: false};
            if (l.getBounds) {
              map.fitBounds(l.getBounds(), L.extend({maxZoom: 13}, still));
            } else {
              map.setView(l.getLatLng(), Math.max(map.getZoom(), 14), still);
            }
            l.openPopup();
          }
          lgis.tables(map).push({name: label, on: function () { return map.hasLayer(group); },
            rows: function (bounds) {
              var out = [];
              group.eachLayer(function (l) {
                var p = l.feature.properties;
                if (!p._p) { return; }
                var inside = !bounds || (l.getBounds ? bounds.intersects(l.getBounds())
                  : bounds.contains(l.getLatLng()));
                if (!inside) { return; }
                out.push([p._n || lgis.text(p._t), lgis.popupFields(p._p)]);
              });
              return out;
            }});
          if (!kind) { return; }
          var idx = lgis.index(map);
          group.eachLayer(function (l) {
            var p = l.feature.properties;
            if (!p._n) { return; }
            idx.push({t: p._n, k: kind, key: (p._n + ' ' + (p._q || '')).toLowerCase(),
                      go: function () { go(l); }});
          });
        })({{ this._parent.get_name() }}, {{ this.get_name() }}, {{ this.label }});
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
        self.label = script_json(name)
        self.show = show
        self.interactive = "true" if interactive else "false"
        self.search_kind = script_json(search_kind) if search_kind else None


class AssetLayer(JSCSSMixin, MacroElement):
    """Assets built in the browser from columns, filtered by category and partner.

    ``data`` keys (plain text, escaped by the page when shown): ``origin``, ``lat``, ``lon``
    (whole 10⁻⁵ degrees from the origin), ``cat``
    (category index), ``par`` (partner index), ``name``; ``cats`` (``[label, colour]``),
    ``partners`` (names), ``pgroup`` (partner -> filter index), ``fields`` (each
    ``{label, search, values}`` or ``{label, search, dict, codes}``), ``cluster`` (bool).
    Popups and tooltips are built when asked for; markers are drawn on a canvas.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map) {
          var D = {{ this.data }};
          var n = D.name.length, esc = lgis.esc;
          var lat = new Float64Array(n), lon = new Float64Array(n);
          for (var j = 0; j < n; j++) {
            lat[j] = D.origin[0] + D.lat[j] * 1e-5;
            lon[j] = D.origin[1] + D.lon[j] * 1e-5;
          }
          if (!map.getPane('lgisAssets')) { map.createPane('lgisAssets').style.zIndex = 450; }
          var renderer = L.canvas({padding: 0.5, pane: 'lgisAssets'});
          // clustering in chunks keeps the page responsive for very large sets; below
          // that, clustering at once is quicker to interactive
          var group = D.cluster ? L.markerClusterGroup({chunkedLoading: n > 50000,
              showCoverageOnHover: false, maxClusterRadius: 45, disableClusteringAtZoom: 16})
            : L.featureGroup();
          function value(f, i) { return f.codes ? f.dict[f.codes[i]] : f.values[i]; }
          function fields(i) {
            var out = {};
            out['Category'] = D.cats[D.cat[i]][0];
            out['Partner'] = D.partners[D.par[i]];
            D.fields.forEach(function (f) {
              var v = value(f, i);
              if (v !== null && v !== '') { out[f.label] = v; }
            });
            return out;
          }
          function popup(i) {
            var h = '<div class="lgis-pop"><h4>' + esc(D.name[i]) + '</h4><div class="lgis-sub">' +
              esc(D.cats[D.cat[i]][0]) + ' · ' + esc(D.partners[D.par[i]]) + '</div><table>';
            D.fields.forEach(function (f) {
              var v = value(f, i);
              if (v !== null && v !== '') {
                h += '<tr><th>' + esc(f.label) + '</th><td>' + esc(v) + '</td></tr>';
              }
            });
            return h + '</table></div>';
          }
          var markers = new Array(n);
          for (var i = 0; i < n; i++) {
            var m = L.circleMarker([lat[i], lon[i]], {radius: 6, color: '#ffffff',
              weight: 1.2, fillColor: D.cats[D.cat[i]][1], fillOpacity: 0.95,
              renderer: renderer});
            m._lgisI = i;
            markers[i] = m;
          }
          function open(i) {
            L.popup(lgis.popupOptions).setLatLng([lat[i], lon[i]]).setContent(popup(i))
              .openOn(map);
          }
          group.on('click', function (e) {
            if (e.layer._lgisI !== undefined) { open(e.layer._lgisI); }
          });
          group.on('mouseover', function (e) {
            var l = e.layer;
            if (l._lgisI === undefined) { return; }
            if (!l.getTooltip()) {
              l.bindTooltip(esc(D.name[l._lgisI]), lgis.tooltipOptions);
            }
            l.openTooltip();
          });
          var catOn = D.cats.map(function () { return true; });
          var parOn = D.pgroup.map(function () { return true; });
          var nGroups = Math.max.apply(null, D.pgroup.concat([-1])) + 1;
          var groupOn = [];
          for (var g = 0; g < nGroups; g++) { groupOn.push(true); }
          var pending = null;
          function shown(i) { return catOn[D.cat[i]] && groupOn[D.pgroup[D.par[i]]]; }
          function refresh() {
            pending = null;
            var vis = [];
            for (var i = 0; i < n; i++) { if (shown(i)) { vis.push(markers[i]); } }
            group.clearLayers();
            if (group.addLayers) { group.addLayers(vis); }
            else { for (var k = 0; k < vis.length; k++) { group.addLayer(vis[k]); } }
          }
          function schedule() { if (pending === null) { pending = setTimeout(refresh, 0); } }
          function filter(flags, k) {
            var f = L.layerGroup();
            // only a change of a filter redraws (adding them at start changes nothing)
            f.on('add', function () { if (!flags[k]) { flags[k] = true; schedule(); } });
            f.on('remove', function () { if (flags[k]) { flags[k] = false; schedule(); } });
            return f;
          }
          var cats = D.cats.map(function (c, k) { return filter(catOn, k); });
          var partners = groupOn.map(function (c, k) { return filter(groupOn, k); });
          refresh();
          {% if this.show %}group.addTo(map);{% endif %}
          cats.forEach(function (f) { f.addTo(map); });
          partners.forEach(function (f) { f.addTo(map); });
          var searched = D.fields.filter(function (f) { return f.search; });
          var keys = null;
          function key(i) {
            var parts = [D.name[i]];
            searched.forEach(function (f) { var v = value(f, i); if (v) { parts.push(v); } });
            return parts.join(' ').toLowerCase();
          }
          lgis.providers(map).push(function (q, max) {
            if (keys === null) {
              keys = new Array(n);
              for (var i = 0; i < n; i++) { keys[i] = key(i); }
            }
            var out = [];
            for (var j = 0; j < n && out.length < max; j++) {
              if (keys[j].indexOf(q) !== -1) {
                out.push({t: D.name[j], k: D.cats[D.cat[j]][0], go: (function (i) {
                  return function () {
                    map.setView([lat[i], lon[i]], Math.max(map.getZoom(), 16),
                      {animate: false});
                    open(i);
                  };
                })(j)});
              }
            }
            return out;
          });
          lgis.tables(map).push({name: 'Assets', on: function () { return map.hasLayer(group); },
            rows: function (bounds) {
              var out = [];
              for (var i = 0; i < n; i++) {
                if (!shown(i)) { continue; }
                if (bounds && !bounds.contains([lat[i], lon[i]])) { continue; }
                out.push([D.name[i], fields(i)]);
              }
              return out;
            }});
          return {group: group, cats: cats, partners: partners, markers: markers};
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: Mapping[str, object], *, show: bool = True) -> None:
        super().__init__()
        self._name = "LgisAssets"
        self.default_js = [("leaflet.markercluster.js", CDN["markercluster_js"])]
        self.default_css = [
            ("MarkerCluster.css", CDN["markercluster_css"]),
            ("MarkerCluster.Default.css", CDN["markercluster_default_css"]),
        ]
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
        (function (map, base) {
          var note = null;
          base.osm.on('tileerror', function () {
            if (note) { return; }
            note = L.DomUtil.create('div', 'lgis-offline', map.getContainer());
            note.setAttribute('role', 'status');
            note.textContent = 'The OpenStreetMap background needs internet and could not ' +
              'load. Choose "Plain background" in the layer control.';
          });
          base.osm.on('tileload', function () { if (note) { note.remove(); note = null; } });
          base.osm.on('remove', function () { if (note) { note.remove(); note = null; } });
        })({{ this._parent.get_name() }}, {{ this.get_name() }});
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
    """The layer control: base layers plus named groups of overlays (escaped label HTML).

    Each group's heading folds it away (click or Enter); ``closed_groups`` start folded.
    """

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
        );
        (function (control, closed) {
          var update = control._update;
          var state = {};
          closed.forEach(function (name) { state[name] = true; });
          function toggle(div, name) {
            state[name] = !state[name];
            div.classList.toggle('lgis-closed', state[name]);
            div.querySelector('.lgis-toggle').setAttribute('aria-expanded', String(!state[name]));
          }
          control._update = function () {
            update.apply(this, arguments);
            var list = this._container && this._container.querySelectorAll(
              '.leaflet-control-layers-group');
            (list || []).forEach(function (div) {
              var label = div.querySelector('.leaflet-control-layers-group-label');
              if (!label) { return; }
              var name = label.textContent;
              label.classList.add('lgis-toggle');
              label.setAttribute('role', 'button');
              label.setAttribute('tabindex', '0');
              label.setAttribute('aria-expanded', String(!state[name]));
              div.classList.toggle('lgis-closed', !!state[name]);
              label.addEventListener('click', function (e) {
                e.preventDefault(); toggle(div, name);
              });
              label.addEventListener('keydown', function (e) {
                if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(div, name); }
              });
            });
            return this;
          };
          var onAdd = control.onAdd;
          control.onAdd = function (map) {
            var c = onAdd.call(this, map);
            c.setAttribute('aria-label', 'Layers');
            var toggleLink = c.querySelector('.leaflet-control-layers-toggle');
            if (toggleLink) { toggleLink.setAttribute('aria-label', 'Layers'); }
            return c;
          };
        })({{ this.get_name() }}, {{ this.closed }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        bases: Sequence[tuple[str, str]],
        groups: Sequence[tuple[str, Sequence[tuple[str, str]]]],
        *,
        collapsed: bool,
        closed_groups: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self._name = "LgisLayerControl"
        self.default_js = [("leaflet.groupedlayercontrol.min.js", CDN["grouped_js"])]
        self.default_css = [("leaflet.groupedlayercontrol.min.css", CDN["grouped_css"])]
        self.closed = script_json(list(closed_groups))
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
    """A search box over what every searchable layer registered: names, codes, postcodes.

    The query is matched, lower-cased, against plain text (never escaped HTML), and hits are
    shown with ``textContent``.
    """

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
              list.setAttribute('aria-live', 'polite');
              L.DomEvent.disableClickPropagation(div);
              L.DomEvent.disableScrollPropagation(div);
              var timer = null;
              function choose(e) {
                list.innerHTML = '';
                input.value = e.t;
                setTimeout(function () { e.go(e); }, 0);  // after this click has finished
              }
              function hits(q) {
                var idx = lgis.index(map), found = [];
                for (var i = 0; i < idx.length && found.length < 12; i++) {
                  if (idx[i].key.indexOf(q) !== -1) { found.push(idx[i]); }
                }
                lgis.providers(map).forEach(function (search) {
                  if (found.length < 12) { found = found.concat(search(q, 12 - found.length)); }
                });
                return found;
              }
              function run() {
                list.innerHTML = '';
                var q = input.value.trim().toLowerCase();
                if (q.length < 2) { return; }
                var found = hits(q);
                found.forEach(function (e) {
                  var li = L.DomUtil.create('li', 'lgis-hit', list);
                  li.textContent = e.t + ' ';
                  var kind = L.DomUtil.create('small', '', li);
                  kind.textContent = e.k;
                  li.tabIndex = 0;
                  li.addEventListener('click', choose.bind(null, e));
                  li.addEventListener('keydown', function (ev) {
                    if (ev.key === 'Enter') { choose(e); }
                  });
                });
                if (!found.length) {
                  var none = L.DomUtil.create('li', 'lgis-none', list);
                  none.textContent = 'No match';
                }
              }
              input.addEventListener('input', function () {
                list.innerHTML = '';
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

    def __init__(
        self, *, placeholder: str = "Search names, parish codes, asset IDs, postcodes"
    ) -> None:
        super().__init__()
        self._name = "LgisSearch"
        self.placeholder = script_json(placeholder)


class MiniMap(JSCSSMixin, MacroElement):
    """An overview minimap drawn from a layer already on the page, so it needs no tiles.

    ``layer`` is the JavaScript name of that layer (its data is not written twice).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        new L.Control.MiniMap(
          L.geoJSON({{ this.layer }}.toGeoJSON(), {style: lgis.style, interactive: false}),
          {toggleDisplay: true, position: 'bottomleft', width: 150, height: 150,
           zoomLevelOffset: -3, aimingRectOptions: {color: '#c0392b', weight: 2}}
        ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: str) -> None:
        super().__init__()
        self._name = "LgisMiniMap"
        self.default_js = [("Control.MiniMap.min.js", CDN["minimap_js"])]
        self.default_css = [("Control.MiniMap.min.css", CDN["minimap_css"])]
        self.layer = layer


class Tools(JSCSSMixin, MacroElement):
    """Print, export the view as PNG, download the data on screen as CSV, and a data table.

    All work offline: the PNG is drawn by the vendored html-to-image, the CSV is built in the
    page (cells that a spreadsheet would read as a formula are prefixed with ``'``), and the
    table panel is the accessible alternative to the map (every layer's features and figures
    as HTML tables). Tooltips are kept inside the map. On narrow screens the legend starts
    folded; printing unfolds it and adds the print date.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
          lgis.keepTooltipsInView();
          var stamp = {{ this.stamp }};
          function visible() {
            var bounds = map.getBounds(), out = [];
            lgis.tables(map).forEach(function (t) {
              if (!t.on()) { return; }
              t.rows(bounds).forEach(function (r) { out.push([t.name, r[0], r[1]]); });
            });
            return out;
          }
          function cell(v) {
            var text = v === undefined || v === null ? '' : String(v);
            if (/^[=+\\-@\\t\\r]/.test(text)) { text = "'" + text; }
            return '"' + text.replace(/"/g, '""') + '"';
          }
          function columns(rows, at) {
            var cols = [];
            rows.forEach(function (r) {
              Object.keys(r[at]).forEach(function (k) {
                if (cols.indexOf(k) < 0) { cols.push(k); }
              });
            });
            return cols;
          }
          function csv() {
            var rows = visible(), cols = columns(rows, 2);
            var lines = [['Layer', 'Name'].concat(cols).map(cell).join(',')];
            rows.forEach(function (r) {
              lines.push([r[0], r[1]].concat(cols.map(function (k) { return r[2][k]; }))
                .map(cell).join(','));
            });
            lines.push(cell('Source: ' + {{ this.note }}));
            return lines.join('\\r\\n') + '\\r\\n';
          }
          function save(blob, name) {
            var a = document.createElement('a');
            a.href = URL.createObjectURL(blob);
            a.download = name;
            document.body.appendChild(a);
            a.click();
            setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
          }
          function table() {
            var old = map.getContainer().querySelector('.lgis-panel');
            if (old) { old.remove(); return; }
            var panel = L.DomUtil.create('div', 'lgis-panel', map.getContainer());
            panel.setAttribute('role', 'dialog');
            panel.setAttribute('aria-label', 'The map data as tables');
            L.DomEvent.disableClickPropagation(panel);
            L.DomEvent.disableScrollPropagation(panel);
            var close = L.DomUtil.create('button', 'lgis-close', panel);
            close.type = 'button';
            close.textContent = 'Close tables';
            close.addEventListener('click', function () { panel.remove(); });
            lgis.tables(map).forEach(function (t) {
              var rows = t.rows(null), cols = columns(rows, 1);
              if (!rows.length) { return; }
              var tab = L.DomUtil.create('table', '', panel);
              tab.createCaption().textContent = t.name + ' (' + rows.length + ')';
              var head = tab.createTHead().insertRow();
              ['Name'].concat(cols).forEach(function (c) {
                var th = document.createElement('th'); th.scope = 'col'; th.textContent = c;
                head.appendChild(th);
              });
              var body = tab.createTBody();
              rows.forEach(function (r) {
                var tr = body.insertRow();
                var th = document.createElement('th'); th.scope = 'row'; th.textContent = r[0];
                tr.appendChild(th);
                cols.forEach(function (c) { tr.insertCell().textContent = r[1][c] || ''; });
              });
            });
            close.focus();
          }
          function png() {
            var node = map.getContainer();
            return htmlToImage.toBlob(node, {filter: function (el) {
              return !(el.classList && (el.classList.contains('lgis-tools') ||
                el.classList.contains('lgis-panel')));
            }}).then(function (blob) { save(blob, 'map.png'); return blob; });
          }
          var Tools = L.Control.extend({
            options: {position: 'topleft'},
            onAdd: function () {
              var div = L.DomUtil.create('div', 'lgis-tools leaflet-bar');
              div.setAttribute('role', 'group');
              div.setAttribute('aria-label', 'Map tools');
              [['Print', function () { window.print(); }],
               ['Export view (PNG)', png],
               ['Download data on screen (CSV)', function () {
                 save(new Blob(['\\ufeff' + csv()], {type: 'text/csv'}), 'map-data.csv');
               }],
               ['Data as tables', table]].forEach(function (b) {
                var button = L.DomUtil.create('button', 'lgis-tool', div);
                button.type = 'button';
                button.textContent = b[0];
                button.addEventListener('click', b[1]);
              });
              L.DomEvent.disableClickPropagation(div);
              return div;
            }
          });
          // the expanded layer control stops above the legend, whatever their sizes
          function fitLayers() {
            var c = map.getContainer().querySelector('.leaflet-control-layers');
            var key = map.getContainer().querySelector('.lgis-legend');
            if (!c || !key) { return; }
            var room = key.getBoundingClientRect().top - c.getBoundingClientRect().top - 12;
            c.style.boxSizing = 'border-box';
            c.style.maxHeight = Math.max(120, room) + 'px';
            c.style.overflowY = 'auto';
          }
          map.lgisTools = {csv: csv, png: png, table: table, visible: visible};
          new Tools().addTo(map);
          var legend = map.getContainer().querySelector('.lgis-legend details');
          if (legend && window.matchMedia('(max-width: 600px)').matches) { legend.open = false; }
          fitLayers();
          window.addEventListener('resize', fitLayers);
          if (legend) { legend.addEventListener('toggle', fitLayers); }
          var title = map.getContainer().querySelector('.lgis-title');
          if (title) {
            var date = L.DomUtil.create('div', 'lgis-date', title);
            date.textContent = stamp;
            window.addEventListener('beforeprint', function () {
              date.textContent = stamp + ' · printed ' + new Date().toLocaleDateString('en-GB');
              if (legend) { legend.open = true; }
            });
          }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, note: str, stamp: str) -> None:
        super().__init__()
        self._name = "LgisTools"
        self.default_js = [("html-to-image.js", CDN["html_to_image_js"])]
        self.note = script_json(note)
        self.stamp = script_json(stamp)
