// The printable access log report: open the browser's print dialog once the page has loaded, and
// again from the "Print again" button. Without JavaScript the browser's own print command works.
document.addEventListener("DOMContentLoaded", function () {
  var again = document.querySelector("[data-print]");
  if (again) { again.addEventListener("click", function () { window.print(); }); }
  if (document.querySelector("[data-autoprint]")) { window.print(); }
});
