// Live preview of Markdown fields in the editors' back office. The server renders and
// sanitises the text exactly as publication will, so what editors see is what readers get.
(function () {
  "use strict";
  const FIELDS = /^id_(body|summary)_[a-z]{2}$/;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function previewUrl() {
    // .../admin/modules/section/12/change/ or .../add/ -> .../admin/modules/section/preview/
    const match = window.location.pathname.match(/^(.*\/admin\/[^/]+\/[^/]+\/)/);
    return match ? match[1] + "preview/" : null;
  }

  function attach(textarea, url) {
    const panel = document.createElement("div");
    panel.className = "markdown-preview";
    panel.setAttribute("aria-live", "polite");
    const heading = document.createElement("p");
    heading.className = "markdown-preview__label";
    heading.textContent = textarea.dataset.previewLabel || "Preview";
    const body = document.createElement("div");
    body.className = "markdown-preview__body";
    body.lang = textarea.id.slice(-2);
    panel.append(heading, body);
    textarea.closest(".form-row").append(panel);

    let timer = null;
    let controller = null;
    async function refresh() {
      if (controller) controller.abort();
      controller = new AbortController();
      const data = new FormData();
      data.append("text", textarea.value);
      try {
        const response = await fetch(url, {
          method: "POST",
          body: data,
          headers: { "X-CSRFToken": csrfToken() },
          credentials: "same-origin",
          signal: controller.signal,
        });
        const payload = await response.json();
        // The server returns sanitised HTML only.
        body.innerHTML = response.ok ? payload.html : "";
        if (!response.ok) body.textContent = payload.error || response.statusText;
      } catch (error) {
        if (error.name !== "AbortError") body.textContent = String(error);
      }
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    const url = previewUrl();
    if (!url) return;
    document.querySelectorAll("textarea").forEach(function (textarea) {
      if (FIELDS.test(textarea.id)) attach(textarea, url);
    });
  });
})();
