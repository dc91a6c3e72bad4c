// What-if weights on an index page: post the weights to the API and redraw the ranking table.
// Without JavaScript the form submits GET to the page and the server recomputes.
(function () {
  "use strict";
  var form = document.getElementById("what-if-form");
  var table = document.getElementById("ranking-table");
  if (!form || !table) return;
  var status = document.getElementById("ranking-status");
  var slug = form.dataset.slug;
  var year = form.dataset.year === "" ? null : Number(form.dataset.year);
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-code]"));
  var texts = null;
  var timer = null;
  var counter = 0;

  function fetchText(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.text();
    });
  }

  function inputsText() {
    if (!texts) {
      var parts = [fetchText("/indices/" + slug + "/definition.yaml"), fetchText("/indices/" + slug + "/data.csv")];
      if (form.dataset.hasMeta === "true") parts.push(fetchText("/indices/" + slug + "/meta.csv"));
      texts = Promise.all(parts);
    }
    return texts;
  }

  function readWeights() {
    var weights = {};
    var bad = null;
    inputs.forEach(function (input) {
      var value = input.value.trim() === "" ? NaN : Number(input.value);
      var ok = isFinite(value) && value >= 0;
      input.setAttribute("aria-invalid", ok ? "false" : "true");
      if (!ok && bad === null) bad = input;
      weights[input.dataset.code] = value;
    });
    return bad ? { error: bad } : { weights: weights };
  }

  function redraw(results) {
    var byUnit = {};
    results.forEach(function (r) {
      if (year === null || r.Time === null || r.Time === year) byUnit[r.uCode] = r;
    });
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    rows.forEach(function (row) {
      var r = byUnit[row.dataset.unit];
      row.querySelector(".rank").textContent = r && r.rank !== null ? String(r.rank) : "";
      row.querySelector(".score").textContent = r && r.score !== null ? r.score.toFixed(2) : "";
    });
    rows.sort(function (a, b) {
      var ra = byUnit[a.dataset.unit], rb = byUnit[b.dataset.unit];
      var x = ra && ra.rank !== null ? ra.rank : Infinity, y = rb && rb.rank !== null ? rb.rank : Infinity;
      return x - y || (a.dataset.unit < b.dataset.unit ? -1 : 1);
    });
    rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
  }

  function recompute() {
    var read = readWeights();
    if (read.error) {
      status.textContent = form.dataset.msgInvalid + " " + read.error.labels[0].textContent;
      return;
    }
    var mine = ++counter;
    table.setAttribute("aria-busy", "true");
    inputsText().then(function (parts) {
      var body = { definition: parts[0], data: parts[1], weights: read.weights };
      if (parts.length > 2) body.meta = parts[2];
      return fetch("/api/v1/indices/what-if", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body)
      });
    }).then(function (r) {
      return r.json().then(function (json) {
        if (!r.ok) throw new Error(json.detail || String(r.status));
        return json;
      });
    }).then(function (json) {
      if (mine !== counter) return;
      redraw(json.results);
      status.textContent = form.dataset.msgUpdated;
      table.dataset.whatIf = JSON.stringify(read.weights);
    }).catch(function (err) {
      if (mine === counter) status.textContent = form.dataset.msgError + " " + err.message;
    }).then(function () {
      if (mine === counter) table.removeAttribute("aria-busy");
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(recompute, 250);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    recompute();
  });
}());
