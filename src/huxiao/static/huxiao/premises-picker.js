/* Where is it? (F-SURR-1) A click on the small map beside the premises form sets its latitude and longitude;
   typing them moves the pin. Campuses are drawn for orientation. No inline script (CSP); no tiles unless the
   deployment names a server inside its network (data-tiles). The inputs stay the form's truth. */
(function () {
  "use strict";
  document.querySelectorAll(".js-premises-picker").forEach(function (el) {
    var holder = document.getElementById(el.dataset.units);
    var lat = document.getElementById(el.dataset.lat);
    var lng = document.getElementById(el.dataset.lng);
    if (!holder || !lat || !lng || !window.L) { return; }
    var units = JSON.parse(holder.textContent);
    // No fades or zoom animations for whoever asks the system for reduced motion (WCAG 2.3.3).
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var map = L.map(el, { attributionControl: false, fadeAnimation: !still,
      zoomAnimation: !still, markerZoomAnimation: !still });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    var bounds = [];
    units.forEach(function (u) {
      if (u.boundary && u.boundary.length >= 3) {
        L.polygon(u.boundary, { color: "#0d6efd", weight: 2, fillOpacity: 0.15, interactive: false }).addTo(map);
      }
      L.circleMarker([u.lat, u.lng], { radius: 5, color: "#fff", weight: 2, fillColor: "#0d6efd", fillOpacity: 1 })
        .bindTooltip(u.name, { direction: "top" }).addTo(map);
      bounds.push([u.lat, u.lng]);
    });
    var pin = null;
    function place(p) {
      if (pin) { pin.setLatLng(p); } else {
        pin = L.circleMarker(p, { radius: 8, color: "#dc3545", weight: 3, fillColor: "#dc3545", fillOpacity: 0.6,
                                  className: "hx-picker-pin" }).addTo(map);
      }
    }
    function fromInputs() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { place([a, b]); return [a, b]; }
      return null;
    }
    var start = fromInputs();
    if (start) { map.setView(start, 17); }
    else if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); }
    else { map.setView([30.28, 120.13], 14); }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lng.value = e.latlng.lng.toFixed(6);
      place(e.latlng);
    });
    [lat, lng].forEach(function (input) { input.addEventListener("input", fromInputs); });
    // In a closed <details> the map has no size until it opens.
    var details = el.closest("details");
    if (details) { details.addEventListener("toggle", function () { map.invalidateSize(); var p = fromInputs();
      if (p) { map.setView(p, 17); } else if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); } }); }
  });
}());
