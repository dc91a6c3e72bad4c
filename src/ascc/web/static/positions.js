// The form where a focal point records its member state's position: show (and require) the
// reservation text only for a reservation or an objection and the clearance date only for
// ad referendum. Without JavaScript every field is shown and the server checks what is needed.
(function () {
  "use strict";
  var form = document.getElementById("position-form");
  if (!form) return;
  var parts = form.querySelectorAll("[data-kinds]");

  function update() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : "";
    Array.prototype.forEach.call(parts, function (part) {
      var on = part.getAttribute("data-kinds").split(" ").indexOf(kind) >= 0;
      part.hidden = !on;
      Array.prototype.forEach.call(part.querySelectorAll("input, textarea"), function (field) {
        field.required = on;
        field.disabled = !on;
      });
    });
  }

  form.addEventListener("change", update);
  update();
})();
