/* The admin's autocomplete boxes (select2) named by their field's label.

   select2 names its combobox after the text it shows, which is empty until something is
   chosen, so screen readers announce an unnamed box (WCAG 4.1.2). Once the admin has set the
   boxes up (in its jQuery ready handler; this script, deferred, queues its own after it), each
   combobox is named by the field's label followed by its current choice. */
(function () {
  "use strict";

  function name(select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    var box = select.nextElementSibling;
    if (!label || !box || !box.classList.contains("select2")) return;
    if (!label.id) label.id = select.id + "_label";
    var combobox = box.querySelector('[role="combobox"]');
    var shown = box.querySelector(".select2-selection__rendered");
    if (combobox) {
      var parts = [label.id];
      if (shown && shown.id) parts.push(shown.id);
      combobox.setAttribute("aria-labelledby", parts.join(" "));
    }
    if (shown) shown.setAttribute("aria-labelledby", label.id);
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(name);
  }

  if (window.django && window.django.jQuery) {
    window.django.jQuery(nameAll);
  } else {
    window.addEventListener("load", nameAll);
  }
})();
