// Chart export on every page with charts (templates/_chart.html): the server-drawn SVG is saved as it
// is (.svg) or drawn onto a canvas and saved as PNG; the CSV link is the server's file. No library, no network: the SVG is self-contained (own <style>, no fonts
// or images to fetch), so the canvas is never tainted. Without JavaScript the "SVG" link downloads
// the same chart from the server and the PNG button stays hidden.
(function () {
  "use strict";

  function serialise(svg) {
    var text = new XMLSerializer().serializeToString(svg);
    if (text.indexOf("xmlns=\"http://www.w3.org/2000/svg\"") < 0) {
      text = text.replace("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + text;
  }

  function save(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
  }

  function toPng(svg, scale) {
    return new Promise(function (resolve, reject) {
      // a chart states its size; a map (width="100%") is drawn at its viewBox's size
      var box = svg.viewBox && svg.viewBox.baseVal;
      var width = Number(svg.getAttribute("width")) || (box && box.width) || svg.clientWidth;
      var height = Number(svg.getAttribute("height")) || (box && box.height) || svg.clientHeight;
      var url = URL.createObjectURL(new Blob([serialise(svg)], { type: "image/svg+xml" }));
      var img = new Image();
      img.onload = function () {
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#ffffff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0, width, height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob); else reject(new Error("the canvas gave no image"));
        }, "image/png");
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("the chart could not be drawn"));
      };
      img.src = url;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("figure[data-export]"), function (figure) {
    var svg = figure.querySelector("svg.ascc-chart, svg.choropleth");
    if (!svg) return;
    var name = figure.dataset.export;
    var status = figure.querySelector(".export-status");
    var svgLink = figure.querySelector("a.export-svg");
    var pngButton = figure.querySelector("button.export-png");
    if (svgLink) {
      svgLink.addEventListener("click", function (event) {
        event.preventDefault();
        save(new Blob([serialise(svg)], { type: "image/svg+xml" }), name + ".svg");
      });
    }
    if (pngButton) {
      pngButton.hidden = false;
      pngButton.addEventListener("click", function () {
        pngButton.disabled = true;
        toPng(svg, 2).then(function (blob) {
          save(blob, name + ".png");
          if (status) status.textContent = figure.dataset.msgSaved || "";
        }).catch(function (err) {
          if (status) status.textContent = (figure.dataset.msgError || "") + " " + err.message;
        }).then(function () {
          pngButton.disabled = false;
        });
      });
    }
  });
}());
