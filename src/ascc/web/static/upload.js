// Upload of a focal point's data file with progress: the form is posted with
// "Accept: text/event-stream" and the server streams "progress" events while it reads, checks and
// stores the file, then "done" (stored as drafts) or "problems" (the complete report; nothing
// stored). Without JavaScript the form posts normally and the page comes back with the result.
// Either way the result (rows accepted, or the problems table) stays on the page until the user
// leaves it: after "done" only the drafts table and the history are refreshed from the server.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.fetch || !window.TextDecoder) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var result = document.getElementById("upload-result");
  var d = form.dataset;

  function cell(tag, text) {
    var el = document.createElement(tag);
    el.textContent = text === null || text === undefined ? "" : String(text);
    return el;
  }

  function showProblems(data) {
    result.textContent = "";
    var p = cell("p", data.detail + " " + d.msgProblems);
    p.className = "error";
    p.id = "import-error";
    p.setAttribute("role", "alert");
    result.appendChild(p);
    if (!data.problems || !data.problems.length) return;
    var table = document.createElement("table");
    table.id = "problems-table";
    table.className = "stack-table";
    var labels = [d.hFile, d.hLine, d.hColumn, d.hReason];
    var head = table.createTHead().insertRow();
    labels.forEach(function (h, i) {
      var th = cell("th", h);
      th.scope = "col";
      if (i === 1) th.className = "num";
      head.appendChild(th);
    });
    var body = table.createTBody();
    data.problems.forEach(function (pr) {
      var row = body.insertRow();
      [pr.file, pr.line, pr.column, pr.reason].forEach(function (v, i) {
        var td = cell("td", v);
        td.setAttribute("data-label", labels[i]);
        if (i === 1) td.className = "num";
        row.appendChild(td);
      });
    });
    result.appendChild(table);
  }

  function showReport(data) {
    result.textContent = "";
    var box = document.createElement("div");
    box.className = "notice";
    box.id = "import-report";
    var first = document.createElement("p");
    first.appendChild(cell("strong", d.msgDone));
    first.appendChild(document.createTextNode(" " + data.file));
    var second = cell("p", d.msgRows + " ");
    var rows = cell("strong", data.rows);
    rows.id = "import-rows";
    second.appendChild(rows);
    second.appendChild(document.createTextNode(" — " + data.inserted + " " + d.msgNew + ", " + data.revised +
      " " + d.msgRevised + ", " + data.unchanged + " " + d.msgUnchanged));
    box.appendChild(first);
    box.appendChild(second);
    result.appendChild(box);
  }

  // the drafts table and the recent submissions, as the server builds them now
  function refreshDrafts() {
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["drafts-section", "history-section"].forEach(function (id) {
          var fresh = doc.getElementById(id), old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        });
      });
  }

  function handle(event, data) {
    if (event === "progress") {
      if (data.total) {
        bar.value = Math.round(100 * data.done / data.total);
        status.textContent = (data.stage === "write" ? d.msgWrite : d.msgRead) + " " + data.done + " / " + data.total;
      }
    } else if (event === "done") {
      bar.value = 100;
      bar.hidden = true;
      status.textContent = "";
      showReport(data);
      refreshDrafts();
    } else if (event === "problems") {
      bar.hidden = true;
      status.textContent = "";
      showProblems(data);
    }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    bar.hidden = false;
    bar.value = 0;
    status.textContent = d.msgRead;
    result.textContent = "";
    fetch(form.action, {
      method: "POST", body: new FormData(form), headers: { "Accept": "text/event-stream" }, credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok || !response.body) throw new Error(String(response.status));
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(function (block) {
            var event = "message", data = "";
            block.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) event = line.slice(7);
              else if (line.indexOf("data: ") === 0) data += line.slice(6);
            });
            if (data) handle(event, JSON.parse(data));
          });
          if (!chunk.done) return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      bar.hidden = true;
      status.textContent = d.msgFailed + " " + err.message;
    });
  });
}());
