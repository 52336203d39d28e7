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
