// Upload of a focal point's data file with progress: the form is posted with
// "Accept: text/event-stream" and the server streams "progress" events while it reads, checks and
// stores the file, then "done" (stored as drafts) or "problems" (the complete report; nothing
// stored). Without JavaScript the form posts normally and the page comes back with the result.
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
    var head = table.createTHead().insertRow();
    [d.hFile, d.hLine, d.hColumn, d.hReason].forEach(function (h) {
      var th = cell("th", h);
      th.scope = "col";
      head.appendChild(th);
    });
    var body = table.createTBody();
    data.problems.forEach(function (pr) {
      var row = body.insertRow();
      [pr.file, pr.line, pr.column, pr.reason].forEach(function (v) { row.appendChild(cell("td", v)); });
    });
    result.appendChild(table);
  }

  function handle(event, data) {
    if (event === "progress") {
      if (data.total) {
        bar.value = Math.round(100 * data.done / data.total);
        status.textContent = (data.stage === "write" ? d.msgWrite : d.msgRead) + " " + data.done + " / " + data.total;
      }
    } else if (event === "done") {
      bar.value = 100;
      status.textContent = d.msgDone + " " + data.file + " — " + data.inserted + " " + d.msgNew + ", " +
        data.revised + " " + d.msgRevised + ", " + data.unchanged + " " + d.msgUnchanged;
      // show the new drafts: the page is built by the server
      setTimeout(function () { window.location.reload(); }, 800);
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
