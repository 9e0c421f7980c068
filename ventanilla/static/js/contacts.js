/* Contacts form: show the site or region field that the chosen portal role needs, and grey out
   section checkboxes for organization admins (they always have every section). Works without. */
(function () {
  "use strict";
  var form = document.querySelector("[data-contact-form]");
  if (!form) return;
  var site = form.querySelector("[data-scope=site]");
  var region = form.querySelector("[data-scope=region]");
  var sections = form.querySelector("[data-sections]");

  function sync() {
    var chosen = form.querySelector("input[name=role]:checked");
    var role = chosen ? chosen.value : "requester";
    if (region) region.hidden = role !== "regional_manager";
    if (site) site.hidden = role === "org_admin";
    if (sections) {
      var admin = role === "org_admin";
      sections.classList.toggle("is-disabled", admin);
      sections.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        box.disabled = admin;
      });
    }
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "role") sync();
  });
  sync();
})();
