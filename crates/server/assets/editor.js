// The post-mortem editor, enhanced: live blameless-language check while typing, adding and
// removing list rows in place, and a warning before leaving with unsaved changes. Without
// this script the page works the same through the form; it only saves round trips.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  ready(function () {
    var form = document.getElementById("editor");
    if (!form) return;
    var tokenInput = form.querySelector('input[name="csrf_token"]');
    var token = tokenInput ? tokenInput.value : "";
    var readOnly = !form.querySelector('button[name="action"][value="save"]');
    var dirty = false;
    var timers = new WeakMap();

    // Character ranges of a finding from its 1-based line/column (characters, end exclusive).
    function range(lineStarts, length, f) {
      if (f.line < 1 || f.end_line < 1 || f.line > lineStarts.length || f.end_line > lineStarts.length) return null;
      var start = lineStarts[f.line - 1] + f.column - 1;
      var end = lineStarts[f.end_line - 1] + f.end_column - 1;
      return start < end && end <= length ? [start, end] : null;
    }

    function renderPreview(preview, text, findings) {
      preview.textContent = "";
      if (!findings.length) { preview.hidden = true; return; }
      var chars = Array.from(text);
      var lineStarts = [0];
      chars.forEach(function (c, i) { if (c === "\n") lineStarts.push(i + 1); });
      var spans = findings
        .map(function (f) { var r = range(lineStarts, chars.length, f); return r && { start: r[0], end: r[1], f: f }; })
        .filter(Boolean)
        .sort(function (a, b) { return a.start - b.start || a.end - b.end; });
      var heading = document.createElement("p");
      heading.className = "lint-heading";
      heading.textContent = "Wording to look at (blameless-language check)";
      var para = document.createElement("p");
      para.className = "lint-text";
      var at = 0;
      spans.forEach(function (s) {
        if (s.start < at) return;
        para.appendChild(document.createTextNode(chars.slice(at, s.start).join("")));
        var mark = document.createElement("mark");
        mark.className = "lint";
        mark.title = s.f.rule + ": " + s.f.suggestion;
        mark.textContent = chars.slice(s.start, s.end).join("");
        para.appendChild(mark);
        at = s.end;
      });
      para.appendChild(document.createTextNode(chars.slice(at).join("")));
      var list = document.createElement("ul");
      list.className = "lint-findings";
      findings.forEach(function (f) {
        var item = document.createElement("li");
        item.className = "lint-finding";
        var rule = document.createElement("span");
        rule.className = "badge lint-rule";
        rule.textContent = f.rule;
        item.appendChild(rule);
        item.appendChild(document.createTextNode(" “" + f.matched + "” — try: " + f.suggestion + " "));
        var details = document.createElement("details");
        var summary = document.createElement("summary");
        summary.textContent = "Why it matters";
        var why = document.createElement("p");
        why.textContent = f.why;
        details.appendChild(summary);
        details.appendChild(why);
        item.appendChild(details);
        list.appendChild(item);
      });
      preview.appendChild(heading);
      preview.appendChild(para);
      preview.appendChild(list);
      preview.hidden = false;
    }

    function lintSoon(area) {
      var preview = document.getElementById(area.id + "-lint");
      if (!preview) return;
      clearTimeout(timers.get(area));
      timers.set(area, setTimeout(function () {
        var text = area.value;
        if (!text.trim()) { renderPreview(preview, text, []); return; }
        fetch("/api/v1/lint", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
          body: JSON.stringify({ text: text })
        })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (findings) {
            // Only show findings for the text still in the box.
            if (findings && area.value === text) renderPreview(preview, text, findings);
          })
          .catch(function () { /* the check is a hint; the saved page shows it too */ });
      }, 700));
    }

    form.addEventListener("input", function (e) {
      // The live editor's texts save as they are typed (assets/live.js).
      if (e.target.closest(".live-text")) return;
      dirty = true;
      if (e.target.matches("textarea[data-section]")) lintSoon(e.target);
      // Editing a merged text means choosing it.
      if (e.target.matches('textarea[name^="merged."]')) {
        var choice = document.getElementById(e.target.id.replace(/-merged$/, "-use-merged"));
        if (choice) choice.checked = true;
      }
    });
    // A live text changed (by anyone): its plain field follows it, and is checked.
    form.addEventListener("hindsight:text", function (e) { lintSoon(e.target); });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (dirty && !readOnly) { e.preventDefault(); e.returnValue = ""; }
    });

    // Renumbers a copied row: ids, labels, data-section paths and row values.
    function renumber(row, from, to) {
      var idPattern = new RegExp("-" + from + "(-|$)");
      row.id = row.id.replace(idPattern, "-" + to + "$1");
      row.querySelectorAll("*").forEach(function (el) {
        ["id", "for", "aria-describedby"].forEach(function (name) {
          var v = el.getAttribute(name);
          if (v) el.setAttribute(name, v.replace(idPattern, "-" + to + "$1"));
        });
        var section = el.getAttribute("data-section");
        if (section) el.setAttribute("data-section", section.replace("[" + from + "]", "[" + to + "]"));
        if (el.name === "rec_item") el.value = el.value.replace(/^\d+:/, to + ":");
        if (el.name === "dc_remove" || el.name === "rec_remove") el.value = String(to);
      });
      row.querySelectorAll(".row-label, .remove-row").forEach(function (el) {
        el.textContent = el.textContent.replace(/\d+$/, String(to + 1));
      });
    }

    // (Listened for on the form: the live editor may put the lists in again.)
    form.addEventListener("click", function (e) {
      var button = e.target.closest("[data-add-row]");
      if (!button) return;
      var list = document.getElementById(button.getAttribute("data-add-row"));
      var rows = list.querySelectorAll(":scope > .row-item");
      if (!rows.length) return;
      var last = rows[rows.length - 1];
      var from = Number(last.id.split("-").pop());
      var copy = last.cloneNode(true);
      renumber(copy, from, rows.length);
      copy.hidden = false;
      // A copy of a row the live editor shows: the plain field again, without the row's id.
      copy.querySelectorAll(".live-text").forEach(function (host) { host.remove(); });
      copy.querySelectorAll('input[name="dc_id"], input[name="rec_id"]').forEach(function (i) { i.value = ""; });
      copy.querySelectorAll("textarea").forEach(function (t) {
        t.value = "";
        t.defaultValue = "";
        t.hidden = false;
        t.disabled = false;
        t.removeAttribute("data-live-text");
      });
      copy.querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = false; });
      copy.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; });
      copy.querySelectorAll(".lint-preview").forEach(function (p) { p.textContent = ""; p.hidden = true; });
      last.after(copy);
      dirty = true;
      // For the live editor (assets/live.js): a new row, to share its text.
      copy.dispatchEvent(new CustomEvent("hindsight:row", { bubbles: true }));
      var first = copy.querySelector(".live-text .cm-content") || copy.querySelector("textarea");
      if (first) first.focus();
    });

    form.addEventListener("click", function (e) {
      var button = e.target.closest(".remove-row");
      if (!button) return;
      var row = button.closest(".row-item");
      var box = row.querySelector('input[name="dc_remove"], input[name="rec_remove"]');
      if (box) box.checked = true;
      row.hidden = true;
      dirty = true;
      var next = row.parentElement.querySelector("[data-add-row]") || form.querySelector('button[value="save"]');
      if (next) next.focus();
    });
  });
})();
