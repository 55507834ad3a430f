/* Language tabs for the translated fields of the back office's forms (title, body, summary,
   reason: one field per language, from django-modeltranslation).

   This replaces modeltranslation's own tabs (jQuery UI), which put a link inside each tab
   (nested interactive controls) and an unlabelled language switch (WCAG 4.1.2). Here each
   tab is the link itself (role="tab", href="#tab_id_<field>"), in a labelled tablist; arrow
   keys, Home and End move between a field's languages, as the ARIA tabs pattern says; a
   labelled switch above the form shows one language in every field at once. A field with an
   error opens on its language, and its tab says so. A language shown read-only (the English
   text, to a translator) has its tab too. Without this script every field is shown,
   each labelled with its language. */
(function () {
  "use strict";

  var FIELD_ID = /^id_(.+)_([a-z]{2})$/;
  var LANGUAGE_MARK = / \[[a-z-]+\]/;

  function texts() {
    var node = document.getElementById("language-tabs-text");
    return node ? JSON.parse(node.textContent) : { languages: {} };
  }

  function containerOf(field) {
    return field.closest(".fieldBox") || field.closest(".form-row");
  }

  // Translated fields by name ("body": its English and Russian rows), in the site's language
  // order. A language shown read-only (the English text to a translator) is a tab as well.
  function groupFields(languages) {
    var groups = [];
    var byName = {};
    document.querySelectorAll("input.mt, textarea.mt, select.mt").forEach(function (field) {
      if (field.closest(".empty-form, .tabular")) return;
      var match = FIELD_ID.exec(field.id);
      if (!match || !containerOf(field) || byName[match[1]]) return;
      byName[match[1]] = { name: match[1], members: [] };
      groups.push(byName[match[1]]);
    });
    groups.forEach(function (group) {
      languages.forEach(function (language) {
        var id = "id_" + group.name + "_" + language;
        var field = document.getElementById(id);
        var container = field
          ? containerOf(field)
          : document.querySelector(".form-row.field-" + group.name + "_" + language);
        if (container) group.members.push({ language: language, id: id, container: container });
      });
    });
    return groups.filter(function (group) {
      return group.members.length > 1;
    });
  }

  function stripLanguage(label) {
    label.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) node.textContent = node.textContent.replace(LANGUAGE_MARK, "");
    });
  }

  function activate(group, index, focus) {
    group.tabs.forEach(function (tab, i) {
      var active = i === index;
      tab.setAttribute("aria-selected", active ? "true" : "false");
      tab.tabIndex = active ? 0 : -1;
      group.panels[i].hidden = !active;
    });
    if (focus) group.tabs[index].focus();
  }

  function build(group, words) {
    var first = group.members[0].container;
    var label = first.querySelector("label");
    var wrapper = document.createElement("div");
    var list = document.createElement("div");
    wrapper.className = "language-tabs";
    list.className = "language-tabs__list";
    list.setAttribute("role", "tablist");
    if (label) {
      stripLanguage(label);
      list.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
    }
    first.parentNode.insertBefore(wrapper, first);
    wrapper.appendChild(list);
    group.tabs = [];
    group.panels = [];
    var opened = 0;
    group.members.forEach(function (member, index) {
      var panelId = "tab_" + member.id;
      var tab = document.createElement("a");
      var panel = document.createElement("div");
      var own = member.container.querySelector("label");
      if (own && own !== label) stripLanguage(own);
      tab.id = "tablink_" + member.id;
      tab.href = "#" + panelId;
      tab.className = "language-tabs__tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panelId);
      tab.setAttribute("lang", member.language);
      tab.textContent = words.languages[member.language] || member.language;
      if (member.container.classList.contains("errors")) {
        var note = document.createElement("span");
        note.className = "language-tabs__error";
        note.textContent = " (" + words.error + ")";
        tab.appendChild(note);
        tab.classList.add("language-tabs__tab--error");
        if (!opened) opened = index + 1;
      }
      panel.id = panelId;
      panel.className = "language-tabs__panel";
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.appendChild(member.container);
      list.appendChild(tab);
      wrapper.appendChild(panel);
      group.tabs.push(tab);
      group.panels.push(panel);
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        activate(group, index, true);
      });
    });
    list.addEventListener("keydown", function (event) {
      var current = group.tabs.indexOf(document.activeElement);
      if (current < 0) return;
      var last = group.tabs.length - 1;
      var to = {
        ArrowRight: current === last ? 0 : current + 1,
        ArrowLeft: current === 0 ? last : current - 1,
        Home: 0,
        End: last,
      }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      activate(group, to, true);
    });
    activate(group, opened ? opened - 1 : 0, false);
  }

  function addSwitch(groups, words) {
    var languages = [];
    groups.forEach(function (group) {
      group.members.forEach(function (member) {
        if (languages.indexOf(member.language) < 0) languages.push(member.language);
      });
    });
    var main = document.querySelector("#content-main");
    if (!main) return;
    var row = document.createElement("p");
    var label = document.createElement("label");
    var select = document.createElement("select");
    row.className = "language-tabs__switch";
    select.id = "language-tabs-switch";
    label.htmlFor = select.id;
    label.textContent = words.switch + " ";
    languages.forEach(function (language) {
      var option = document.createElement("option");
      option.value = language;
      option.textContent = words.languages[language] || language;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      groups.forEach(function (group) {
        group.members.forEach(function (member, index) {
          if (member.language === select.value) activate(group, index, false);
        });
      });
    });
    row.appendChild(label);
    row.appendChild(select);
    main.insertBefore(row, main.firstChild);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.body.classList.contains("change-form")) return;
    var words = texts();
    var groups = groupFields(Object.keys(words.languages));
    if (!groups.length) return;
    groups.forEach(function (group) {
      build(group, words);
    });
    addSwitch(groups, words);
  });
})();
