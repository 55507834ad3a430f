/* The triage desk (feedback/triage.py).

   The list: while the focus is in it (never elsewhere, WCAG 2.1.4), J or ArrowDown moves to
   the next item, K or ArrowUp to the previous one, X ticks the item, Enter on an item opens
   its decision page.
   The decision page: choosing a response template fills the two responses; text already
   typed is replaced only when the editor confirms. Without this script, the server uses the
   template for responses left empty. */
(function () {
  "use strict";

  var TYPING = /^(INPUT|TEXTAREA|SELECT)$/;

  function typing(target) {
    if (!TYPING.test(target.tagName)) return false;
    return !(target.tagName === "INPUT" && target.type === "checkbox");
  }

  function setUpList(list) {
    list.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
      var item = event.target.closest(".triage-item");
      if (!item) return;
      var key = event.key;
      var to = null;
      if (key === "j" || key === "J" || key === "ArrowDown") {
        to = item.nextElementSibling;
      } else if (key === "k" || key === "K" || key === "ArrowUp") {
        to = item.previousElementSibling;
      } else if (key === "x" || key === "X") {
        var box = item.querySelector('input[type="checkbox"]');
        if (box) box.click();
        event.preventDefault();
        return;
      } else if (key === "Enter" && event.target === item) {
        window.location.assign(item.getAttribute("data-decide"));
        event.preventDefault();
        return;
      } else {
        return;
      }
      event.preventDefault();
      if (to) {
        to.focus();
        to.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function setUpTemplates(form) {
    var data = document.getElementById("response-templates");
    var select = form.querySelector("#id_template");
    if (!data || !select) return;
    var templates = JSON.parse(data.textContent);
    var english = form.querySelector("#id_response_en");
    var russian = form.querySelector("#id_response_ru");
    select.addEventListener("change", function () {
      var chosen = templates[select.value];
      if (!chosen) return;
      var typed = english.value.trim() || russian.value.trim();
      var same = english.value === chosen.en && russian.value === chosen.ru;
      if (same) return;
      if (typed && !window.confirm(form.getAttribute("data-replace"))) return;
      english.value = chosen.en;
      russian.value = chosen.ru;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-triage-list]");
    if (list) setUpList(list);
    var form = document.querySelector("form.decide__form");
    if (form) setUpTemplates(form);
  });
})();
