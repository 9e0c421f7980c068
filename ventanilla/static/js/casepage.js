/* Console case page (casepage): the forms of the case's actions load when their panel first
   opens (htmx, hx-trigger="toggle once"); this script readies a loaded form: the planned date
   shows only for "Planificado", and the first field takes the focus.
   Without JavaScript each panel holds a link to a page with the form. */
(function () {
  "use strict";

  function whenStatus(select) {
    var form = select.closest("form");
    if (!form) return;
    form.querySelectorAll("[data-when-status]").forEach(function (box) {
      box.hidden = box.dataset.whenStatus !== select.value && !box.querySelector(".errorlist");
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    var panel = slot && slot.closest && slot.closest("details[data-on-demand]");
    if (!panel) return;
    slot.querySelectorAll("select[name$=to_status]").forEach(whenStatus);
    if (!panel.open) return;
    var field = slot.querySelector("textarea, input:not([type=hidden]), select");
    if (field) field.focus();
  });

  /* a panel that failed to load keeps its link to the form's page */
  function failed(event) {
    var panel = event.detail.elt;
    if (panel && panel.matches && panel.matches("details[data-on-demand]")) {
      panel.classList.add("is-failed");
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
