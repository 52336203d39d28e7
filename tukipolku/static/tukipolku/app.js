// Progressive enhancement only: every page works without this file.
// After a failed save, move keyboard focus to the first field with an error.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
});

// A keyboard shortcut shown next to its field (data-shortcut="/"): the key moves focus there, unless
// one is typing in a field already.
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
  var target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
  var field = document.querySelector("[data-shortcut='" + event.key.replace(/'/g, "") + "']");
  if (field && event.key.length === 1) {
    event.preventDefault();
    field.focus();
    if (field.select) { field.select(); }
  }
});

// On narrow screens (app.css, below 40em) the header menu folds behind its "Menu" button, which says
// whether the menu is open (aria-expanded). Without this file the button stays hidden and the menu open.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".menu-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) { return; }
  button.hidden = false;
  document.documentElement.classList.add("has-menu-toggle");
  function setOpen(open) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
  button.addEventListener("click", function () { setOpen(button.getAttribute("aria-expanded") !== "true"); });
  // Escape closes the open menu and puts focus back on its button.
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && button.offsetParent !== null) {
      setOpen(false);
      button.focus();
    }
  });
});

// An intake form's consent part: the help box follows the partners ticked ("team's work only" or
// "also a consent to share"), and the sharing details show only when a partner is ticked. Without
// JavaScript the page shows the box for the state it was sent in, and every field.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-consent-scope]").forEach(function (scope) {
    var boxes = scope.querySelectorAll("input[type='checkbox'][name$='share_with']");
    var details = scope.querySelector("[data-scope-details]");
    function update() {
      var some = Array.prototype.some.call(boxes, function (box) { return box.checked; });
      scope.querySelector("[data-scope='team']").hidden = some;
      scope.querySelector("[data-scope='partners']").hidden = !some;
      if (details && !details.querySelector("[aria-invalid='true']")) { details.hidden = !some; }
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  });
});
