// Small enhancements; every page works without them. No inline scripts anywhere.
(function () {
  "use strict";

  function announce(button, message) {
    const status = button.parentElement.querySelector(".copy-status");
    if (status) status.textContent = message;
  }

  async function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  document.addEventListener("DOMContentLoaded", function () {
    // "Copy citation" buttons: shown only when scripting works.
    document.querySelectorAll(".copy-button").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", async function () {
        const target = document.getElementById(button.dataset.copyTarget);
        try {
          await copy(target.textContent.trim().replace(/\s+/g, " "));
          announce(button, button.dataset.copied);
        } catch (error) {
          announce(button, String(error));
        }
      });
    });

    // Paragraph links: following one highlights the paragraph (CSS :target); clicking one
    // also copies its full address.
    document.querySelectorAll("a.para-link").forEach(function (link) {
      link.addEventListener("click", function () {
        copy(link.href).catch(function () {});
      });
    });
  });
})();

// A PDF being prepared: check quietly every ten seconds, and fetch it once it is ready
// (no page refresh while the reader is on the page).
(function () {
  const pending = document.querySelector("[data-pdf-poll]");
  if (!pending || !window.fetch) return;
  const url = pending.dataset.pdfPoll;
  const check = function () {
    fetch(url, { method: "HEAD", cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 200) window.location.href = url;
        else if (response.status === 202) window.setTimeout(check, 10000);
      })
      .catch(function () { window.setTimeout(check, 30000); });
  };
  window.setTimeout(check, 10000);
})();

// Moments written in UTC (<time data-local-label="your time" datetime="...Z">): add the
// reader's own time zone, in the page's language.
(function () {
  if (!window.Intl || !Intl.DateTimeFormat) return;
  const lang = document.documentElement.lang || undefined;
  document.querySelectorAll("time[data-local-label]").forEach(function (element) {
    const moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment.getTime())) return;
    let zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone || zone === "UTC" || zone === "Etc/UTC") return;
    // (dateStyle and timeStyle cannot be combined with timeZoneName.)
    const local = new Intl.DateTimeFormat(lang, {
      year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit",
      timeZoneName: "short",
    }).format(moment);
    const note = document.createElement("span");
    note.className = "local-time";
    note.textContent = " (" + element.dataset.localLabel + ": " + local + ")";
    element.after(note);
  });
})();

// "Changed since you last read it": this browser remembers, for each section, the newest
// edition in which it was read (localStorage only: nothing is sent, no cookie); when an
// edition after that one changed the section's text, the note links to exactly that change.
(function () {
  const note = document.querySelector("[data-read-key]");
  if (!note) return;
  const STORE = "guidelines:last-read";
  const NUMBER = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;  // as the site's addresses
  const parse = function (number) {
    const parts = NUMBER.exec(String(number));
    return parts ? [Number(parts[1]), Number(parts[2])] : null;
  };
  const later = function (a, b) {  // a after b
    return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
  };
  let kept;
  try {
    kept = window.localStorage.getItem(STORE);
  } catch (error) {
    return;  // storage refused (private mode): no note, nothing kept
  }
  let read = {};
  try {
    read = JSON.parse(kept || "{}");
  } catch (error) { /* damaged: started again */ }
  if (!read || typeof read !== "object" || Array.isArray(read)) read = {};
  const key = note.dataset.readKey;
  const shown = note.dataset.readEdition;
  const here = parse(shown);
  const last = typeof read[key] === "string" ? parse(read[key]) : null;
  if (!here) return;
  if (last) {
    const changed = note.dataset.changedIn.split(" ").map(parse).filter(Boolean);
    if (changed.some(function (c) { return later(c, last) && !later(c, here); })) {
      note.querySelector("[data-read-last]").textContent = read[key];
      note.querySelector("[data-read-change]").href =
        note.dataset.editionsUrl + read[key] + "/compare/" + shown + "/sections/" + key + "/";
      note.hidden = false;
    }
  }
  if (!last || later(here, last)) {
    read[key] = shown;
    try {
      window.localStorage.setItem(STORE, JSON.stringify(read));
    } catch (error) { /* full or refused: the note simply will not show next time */ }
  }
})();

// Glossary terms in the text (modules/glossary.py): the definition shows on hover and keyboard
// focus by the stylesheet alone; here a tap shows it first (the next tap follows the link to
// the glossary), Escape closes it (WCAG 1.4.13), and it is kept inside the screen.
(function () {
  "use strict";
  let pointer = "mouse";

  function place(term) {
    const tip = term.querySelector(".term__tip");
    if (!tip) return;
    tip.style.left = "";
    const box = tip.getBoundingClientRect();
    const room = document.documentElement.clientWidth - 8;
    if (box.right > room) tip.style.left = -Math.min(box.right - room, box.left - 8) + "px";
  }

  function closeAll(except) {
    document.querySelectorAll(".term--open").forEach(function (term) {
      if (term !== except) term.classList.remove("term--open");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".term").forEach(function (term) {
      const word = term.querySelector(".term__word");
      function show() {
        term.classList.remove("term--dismissed");
        place(term);
      }
      term.addEventListener("mouseenter", show);
      word.addEventListener("focus", show);
      word.addEventListener("click", function (event) {
        // A keyboard's Enter (detail 0) and a mouse click follow the link at once.
        if (event.detail === 0 || pointer === "mouse") return;
        if (!term.classList.contains("term--open")) {
          event.preventDefault();
          closeAll(term);
          term.classList.add("term--open");
          show();
        }
      });
    });
    document.addEventListener("pointerdown", function (event) {
      pointer = event.pointerType || "mouse";
      if (!event.target.closest(".term")) closeAll(null);
    }, true);
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      document.querySelectorAll(".term").forEach(function (term) {
        term.classList.remove("term--open");
        term.classList.add("term--dismissed");
      });
    });
  });
})();
