/* zonegraph: filters of the left-to-right flow page. Bands are hidden by chain: a chain shows when
 * every chosen filter matches it. No data enters the page from here; no network requests. */
(function () {
  "use strict";
  var bands = Array.prototype.slice.call(document.querySelectorAll("#sankey path.band"));
  var selects = Array.prototype.slice.call(document.querySelectorAll(".sankey-filters select"));
  var declared = document.getElementById("show-declared"), realised = document.getElementById("show-realised");
  var count = document.getElementById("sankey-count");
  function apply() {
    var want = {};
    selects.forEach(function (s) { if (s.value) want[s.getAttribute("data-key")] = s.value; });
    var modes = {declared: declared.checked, realised: realised.checked};
    var chains = {}, shown = {};
    bands.forEach(function (b) {
      var ok = modes[b.getAttribute("data-mode")] && Object.keys(want).every(function (k) { return b.getAttribute("data-" + k) === want[k]; });
      b.style.display = ok ? "" : "none";
      chains[b.getAttribute("data-chain")] = true;
      if (ok) shown[b.getAttribute("data-chain")] = true;
    });
    var n = Object.keys(shown).length, total = Object.keys(chains).length;
    count.textContent = n + " / " + total + " chains";
    window.zgSankey = {chains: total, shown: n, bands: bands.length};
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  declared.addEventListener("change", apply);
  realised.addEventListener("change", apply);
  apply();
})();
