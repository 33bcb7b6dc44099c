/* The surroundings map (F-SURR-1): campuses (boundary or point) with the restricted radius round them, premises by
   kind, violations in red. Data from json_script "surroundings-map-data"; no inline script (CSP). Tiles only where
   the deployment names a server inside its network (data-tiles); without one the vectors draw on a plain ground. */
(function () {
  "use strict";

  var KIND_COLOURS = {
    rental_house: "#6c757d", internet_cafe: "#6f42c1", game_hall: "#fd7e14", video_hall: "#20c997",
    dance_hall: "#d63384", bar: "#795548", other: "#495057"
  };
  var VIOLATION = "#dc3545";

  var el = document.getElementById("surroundings-map");
  var holder = document.getElementById("surroundings-map-data");
  if (!el || !holder || !window.L) { return; }
  var data = JSON.parse(holder.textContent);

  // No fades or zoom animations for whoever asks the system for reduced motion (WCAG 2.3.3).
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map(el, { zoomControl: true, attributionControl: false, fadeAnimation: !still,
    zoomAnimation: !still, markerZoomAnimation: !still });
  if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }

  // A local plane at a campus (metres east, north), for the outline at the radius round its boundary.
  function plane(lat0, lng0) {
    var m = 111132.954 - 559.822 * Math.cos(2 * lat0 * Math.PI / 180);
    var n = 111412.84 * Math.cos(lat0 * Math.PI / 180);
    return {
      xy: function (p) { return [(p[1] - lng0) * n, (p[0] - lat0) * m]; },
      ll: function (x, y) { return [lat0 + y / m, lng0 + x / n]; }
    };
  }

  function hull(points) {  // Andrew's monotone chain, counter-clockwise
    var pts = points.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    function cross(o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }
    var lower = [], upper = [], i;
    for (i = 0; i < pts.length; i++) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], pts[i]) <= 0) { lower.pop(); }
      lower.push(pts[i]);
    }
    for (i = pts.length - 1; i >= 0; i--) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], pts[i]) <= 0) { upper.pop(); }
      upper.push(pts[i]);
    }
    upper.pop(); lower.pop();
    return lower.concat(upper);
  }

  // Every point within r metres of the (convex hull of the) boundary: each edge moved out by r, arcs at the corners.
  function buffer(boundary, r) {
    var pl = plane(boundary[0][0], boundary[0][1]);
    var h = hull(boundary.map(pl.xy));
    var out = [];
    for (var i = 0; i < h.length; i++) {
      var prev = h[(i + h.length - 1) % h.length], cur = h[i], next = h[(i + 1) % h.length];
      var a0 = Math.atan2(cur[1] - prev[1], cur[0] - prev[0]) - Math.PI / 2;
      var a1 = Math.atan2(next[1] - cur[1], next[0] - cur[0]) - Math.PI / 2;
      while (a1 < a0) { a1 += 2 * Math.PI; }
      for (var a = a0; a <= a1 + 1e-9; a += Math.PI / 36) {
        out.push(pl.ll(cur[0] + r * Math.cos(a), cur[1] + r * Math.sin(a)));
      }
    }
    return out;
  }

  var bounds = [];
  var radiusStyle = { color: VIOLATION, weight: 1, dashArray: "4 4", fill: false, interactive: false };
  data.units.forEach(function (u) {
    var label = document.createElement("a");
    label.href = u.url; label.textContent = u.name;
    if (u.boundary && u.boundary.length >= 3) {
      L.polygon(u.boundary, { color: "#0d6efd", weight: 2, fillOpacity: 0.15 }).bindPopup(label).addTo(map);
      L.polygon(buffer(u.boundary, data.radius_m), radiusStyle).addTo(map);
      if (!data.focus || u.id === data.focus) { u.boundary.forEach(function (p) { bounds.push(p); }); }
    } else {
      L.circle([u.lat, u.lng], Object.assign({ radius: data.radius_m }, radiusStyle)).addTo(map);
    }
    L.circleMarker([u.lat, u.lng], { radius: 7, color: "#fff", weight: 2, fillColor: "#0d6efd", fillOpacity: 1,
                                    className: "hx-campus-marker" })
      .bindTooltip(u.name, { direction: "top", offset: [0, -6] }).bindPopup(label).addTo(map);
    if (!data.focus || u.id === data.focus) { bounds.push([u.lat, u.lng]); }
  });

  var labels = data.labels || {};
  data.premises.forEach(function (p) {
    var colour = KIND_COLOURS[p.kind] || KIND_COLOURS.other;
    var marker = L.circleMarker([p.lat, p.lng], {
      radius: p.violation ? 9 : 6, color: p.violation ? VIOLATION : "#fff", weight: p.violation ? 3 : 2,
      fillColor: p.violation ? VIOLATION : colour, fillOpacity: p.status === "operating" ? 0.95 : 0.35,
      className: p.violation ? "hx-violation-marker" : "hx-premises-marker"
    });
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.name;
    box.appendChild(title);
    var metres = p.distance_m !== null ? (labels.distance || "%(d)s m").replace("%(d)s", p.distance_m) : "";
    [p.kind_label, p.unit ? p.unit + (metres ? " · " + metres : "") : "",
     p.violation ? labels.violation : p.status_label].forEach(function (line) {
      if (!line) { return; }
      var div = document.createElement("div");
      div.textContent = line;
      box.appendChild(div);
    });
    marker.bindPopup(box).bindTooltip(p.name, { direction: "top", offset: [0, -6] }).addTo(map);
    bounds.push([p.lat, p.lng]);
  });

  if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 }); }
  else { map.setView([30.28, 120.13], 14); }
}());
