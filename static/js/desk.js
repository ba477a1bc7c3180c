// Small behaviours of the staff pages, without inline script (Content-Security-Policy: script-src 'self').
// Event delegation: works for content htmx swaps in later.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-action]");
  if (!target) return;
  var action = target.getAttribute("data-action");
  if (action === "print") {
    event.preventDefault();
    window.print();
  } else if (action === "back") {
    event.preventDefault();
    history.back();
  } else if (action === "fill-applicant") {
    // The returning citizen's details offered by the applicant lookup (dossiers/partials/applicant_found.html).
    event.preventDefault();
    var fields = {id_full_name: "fullName", id_phone: "phone", id_email: "email", id_address: "address"};
    Object.keys(fields).forEach(function (id) {
      var input = document.getElementById(id);
      var value = target.dataset[fields[id]];
      if (input && value !== undefined) input.value = value;
    });
    var alert = target.closest(".alert");
    if (alert) alert.remove();
  }
});
