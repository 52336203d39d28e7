// Progressive enhancement only: every page works without this file.
// After a failed save, move keyboard focus to the first field with an error.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
});
