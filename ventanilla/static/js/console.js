/* Agent console: keyboard shortcuts, canned replies, bulk action values, presence hints.
   Everything works without it; this only makes the work faster. */
(function () {
  "use strict";

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  /* ---- queues: j / k move, Enter opens, x selects ---- */
  var current = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-queue] tr[data-row]")); }
  function focusRow(index) {
    var list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row, i) { row.classList.toggle("is-active", i === current); });
    var link = list[current].querySelector("a[data-open]");
    if (link) link.focus({ preventScroll: true });
    list[current].scrollIntoView({ block: "nearest" });
  }

  /* ---- case page ---- */
  function composer(kind) {
    var form = document.querySelector("[data-composer]");
    if (!form) return false;
    var radio = form.querySelector("input[name=kind][value=" + kind + "]");
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var text = form.querySelector("textarea[name=text]");
    form.scrollIntoView({ block: "center" });
    if (text) text.focus();
    return true;
  }
  function openPanel(name) {
    var panel = document.getElementById("panel-" + name);
    if (!panel) return false;
    panel.open = true;
    panel.scrollIntoView({ block: "center" });
    var field = panel.querySelector("textarea, input:not([type=hidden]), select");
    if (field) field.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key, done = false;
    if (key === "j") { focusRow(current + 1); done = rows().length > 0; }
    else if (key === "k") { focusRow(current - 1); done = rows().length > 0; }
    else if (key === "Enter" && current >= 0 && !event.target.closest("a, button")) {
      var link = rows()[current] && rows()[current].querySelector("a[data-open]");
      if (link) { window.location.href = link.href; done = true; }
    }
    else if (key === "x" && current >= 0) {
      var box = rows()[current] && rows()[current].querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; done = true; }
    }
    else if (key === "r") { done = composer("public"); }
    else if (key === "n") { done = composer("internal"); }
    else if (key === "e") { done = openPanel("escalate"); }
    else if (key === "?") {
      var help = document.getElementById("kbd-help");
      if (help && help.showModal) { help.showModal(); done = true; }
    }
    if (done) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    /* canned replies: insert the rendered text at the cursor */
    if (target.matches("[data-canned]")) {
      var option = target.selectedOptions[0];
      var text = document.querySelector("[data-composer] textarea[name=text]");
      if (option && option.dataset.text && text) {
        var at = text.selectionStart || text.value.length;
        text.value = text.value.slice(0, at) + option.dataset.text + text.value.slice(at);
        text.focus();
      }
      target.value = "";
    }
    /* bulk actions: enable only the value control of the chosen action */
    if (target.matches("[data-bulk] select[name=action]")) {
      var bar = target.closest("[data-bulk]");
      bar.querySelectorAll(".queue__value").forEach(function (control) {
        var on = control.dataset.for === target.value;
        control.disabled = !on;
        control.hidden = !on;
      });
    }
    /* status change: the planned date only matters for "Planificado" */
    if (target.matches("select[name$=to_status], select[name$=next_status]")) { whenStatus(target); }
    /* composer: label the button for what it does */
    if (target.matches("[data-composer] input[name=kind]")) {
      var form = target.closest("[data-composer]");
      form.classList.toggle("is-note", target.value === "internal");
    }
  });

  /* saved views: save the filters the queue shows now (htmx keeps the address up to date) */
  document.addEventListener("submit", function (event) {
    var params = event.target.querySelector && event.target.querySelector("[data-saved-params]");
    if (!params) return;
    var search = new URLSearchParams(window.location.search);
    search.delete("after");
    params.value = search.toString();
  });

  /* presence: tell the server when I am writing; keep "seen" for the newer-message check */
  document.addEventListener("htmx:configRequest", function (event) {
    var presence = event.detail.elt;
    if (!presence || presence.id !== "presence") return;
    var text = document.querySelector("[data-composer] textarea[name=text]");
    var seen = document.querySelector("[data-composer] [data-seen]");
    if (text && text.value.trim()) event.detail.parameters.composing = "1";
    if (seen) event.detail.parameters.seen = seen.value;
  });

  function whenStatus(select) {
    var form = select.closest("form");
    form.querySelectorAll("[data-when-status]").forEach(function (box) {
      box.hidden = box.dataset.whenStatus !== select.value && !box.querySelector(".errorlist");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[name$=to_status], select[name$=next_status]").forEach(whenStatus);
    document.querySelectorAll("[data-bulk] .queue__value").forEach(function (control) { control.hidden = true; });
    var checked = document.querySelector("[data-composer] input[name=kind]:checked");
    if (checked && checked.value === "internal") checked.closest("[data-composer]").classList.add("is-note");
  });
  document.addEventListener("htmx:afterSwap", function () {
    current = -1;
    document.querySelectorAll("[data-bulk] .queue__value").forEach(function (control) {
      if (control.disabled) control.hidden = true;
    });
  });
})();
