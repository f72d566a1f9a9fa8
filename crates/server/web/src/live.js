// The live editor: each narrative section of the post-mortem becomes a CodeMirror editor
// bound to one text of the post-mortem's Yjs document, kept in step with everyone else's
// over the y-websocket protocol (GET /api/v1/postmortems/{id}/live). The page says who is
// here and whether it is connected; edits made offline merge when the connection returns.
// The text of each damage-control action and recommendation is shared the same way, under
// the row's id; a row added here gets an id at once, so its text is shared before it is
// saved. Comments in the discussion beside it are anchored to words of a text, marked in
// the editor and followed as the text around them changes; selecting words offers them to
// the new-comment form. A save made elsewhere updates the fields nobody is editing here,
// the two lists (when they were not changed here), the completeness list and the review
// card. Without this script (or without WebSocket) the page is the plain form it was.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import * as awarenessProtocol from "y-protocols/awareness";
import * as decoding from "lib0/decoding";
import { EditorState } from "@codemirror/state";
import { Decoration, EditorView, drawSelection, keymap } from "@codemirror/view";
import { defaultKeymap } from "@codemirror/commands";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";

const MESSAGE_AWARENESS = 1;
const MESSAGE_AUTH = 2;
// The server's news about the post-mortem outside the texts (JSON): saved, discussion.
const MESSAGE_NEWS = 100;

// The form's structured fields, each with how the post-mortem (as the API answers it)
// holds its value, as the form writes it.
const TRISTATE = function (v) { return v === true ? "yes" : v === false ? "no" : ""; };
const TEXT = function (v) { return v === null || v === undefined ? "" : String(v); };
const STRUCTURED = {
  "impact.data_lost": TRISTATE,
  "impact.users_affected": TEXT,
  "impact.access_lost_minutes": TEXT,
  "impact.productivity_lost_hours": TEXT,
  "impact.revenue_impact": TEXT,
  "root_cause.certainty": TEXT,
  "root_cause.component": TEXT,
  "root_cause.legacy_code": TRISTATE,
  "root_cause.must_fix": TRISTATE,
  owner: TEXT,
  due_date: TEXT,
};
function valueIn(postmortem, key) {
  if (key === "owner" || key === "due_date") return STRUCTURED[key](postmortem[key]);
  const [section, field] = key.split(".");
  return STRUCTURED[key](postmortem.sections[section] && postmortem.sections[section][field]);
}

// How long a save waits for the server to confirm it holds every change sent before.
const SAVE_WAIT_MS = 3000;

function ready(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}

// Relative positions (where a comment's words start and end) in and out of base64.
function encodePosition(position) {
  return btoa(String.fromCharCode.apply(null, Y.encodeRelativePosition(position)));
}
function decodePosition(base64) {
  try {
    return Y.decodeRelativePosition(Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); }));
  } catch (_) {
    return null;
  }
}

// The edit that turns `from` into `to`: [start, deleted length, inserted text].
function smallestEdit(from, to) {
  let start = 0;
  while (start < from.length && start < to.length && from[start] === to[start]) start++;
  let end = 0;
  while (end < from.length - start && end < to.length - start && from[from.length - 1 - end] === to[to.length - 1 - end]) end++;
  return [start, from.length - start - end, to.slice(start, to.length - end)];
}

ready(function () {
  const form = document.getElementById("editor");
  if (!form || !form.dataset.live || !("WebSocket" in window)) return;
  // The plain fields of the shared texts, rows added since included.
  function liveAreas() {
    return Array.from(form.querySelectorAll("textarea[data-live-text]"));
  }
  const bar = form.querySelector(".live-bar");
  const status = bar && bar.querySelector(".live-status");
  const people = bar && bar.querySelector(".live-people ul");
  if (!liveAreas().length || !bar) return;
  const nonceMeta = document.querySelector('meta[name="hindsight-style-nonce"]');
  const nonce = nonceMeta ? nonceMeta.content : "";
  const readOnly = !form.querySelector('button[name="action"][value="save"]');

  const doc = new Y.Doc();
  const address = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + form.dataset.live;
  const cut = address.lastIndexOf("/");
  // Every change goes through the server, which checks who may make it: no shortcut
  // between tabs of one browser.
  const provider = new WebsocketProvider(address.slice(0, cut), address.slice(cut + 1), doc, { disableBc: true });
  const awareness = provider.awareness;
  // A state at clock 0 is the one every new client starts with, and others ignore it: say
  // something, so that this page counts as here from the start.
  awareness.setLocalState({ since: Date.now() });

  // ---- what the page says about the connection ----
  let live = false; // the editors are up (after the first sync)
  let synced = false;
  let offlineEdits = false; // changed here while not connected, not yet merged
  let refused = "";
  function say() {
    let words;
    if (refused) words = "Your last change was refused (" + refused + "). Reload the page to see the post-mortem as it is.";
    else if (!live) words = "Connecting to the live editor…";
    else if (!provider.wsconnected) words = "Offline: keep typing, your changes are kept here and merge when the connection returns.";
    else if (!synced) words = "Reconnected: merging changes…";
    else words = readOnly ? "Live: you see changes as they are typed." : "Live: your changes are saved as you type and everyone here sees them.";
    status.textContent = words;
    bar.classList.toggle("offline", live && !provider.wsconnected);
  }
  bar.hidden = false;
  say();

  provider.on("status", function () {
    if (!provider.wsconnected) synced = false;
    say();
  });
  provider.on("sync", function (isSynced) {
    synced = isSynced;
    if (isSynced) {
      offlineEdits = false;
      if (!live) goLive();
    }
    say();
  });
  doc.on("update", function (_update, origin) {
    if (origin !== provider && !provider.wsconnected) offlineEdits = true;
  });

  // A refused change: said on the page (the server names the reason).
  provider.messageHandlers[MESSAGE_AUTH] = function (_encoder, decoder) {
    if (decoding.readVarUint(decoder) === 0) {
      refused = decoding.readVarString(decoder);
      say();
    }
  };

  // The server answers every awareness message, ours too: seeing ours come back means it
  // has taken in everything sent before it.
  let echoed = 0;
  let waiting = [];
  const applyAwareness = provider.messageHandlers[MESSAGE_AWARENESS];
  provider.messageHandlers[MESSAGE_AWARENESS] = function (encoder, decoder, p, emitSynced, type) {
    const update = decoding.readVarUint8Array(decoder);
    const entries = decoding.createDecoder(update);
    for (let n = decoding.readVarUint(entries); n > 0; n--) {
      const client = decoding.readVarUint(entries);
      const clock = decoding.readVarUint(entries);
      decoding.readVarString(entries);
      if (client === doc.clientID && clock > echoed) echoed = clock;
    }
    waiting = waiting.filter(function (w) { return w.clock > echoed || (w.done(), false); });
    awarenessProtocol.applyAwarenessUpdate(awareness, update, p);
  };
  function serverHasAll() {
    return new Promise(function (resolve) {
      awareness.setLocalStateField("sent", Date.now());
      const meta = awareness.meta.get(doc.clientID);
      const clock = meta ? meta.clock : 0;
      if (clock <= echoed) return resolve(true);
      const wait = { clock: clock, done: function () { resolve(true); } };
      waiting.push(wait);
      setTimeout(function () { resolve(false); }, SAVE_WAIT_MS);
    });
  }

  // ---- saves and comments made elsewhere ----
  // This page as the server renders it now, parsed; null when it could not be had.
  function freshPage() {
    return fetch(location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { return html ? new DOMParser().parseFromString(html, "text/html") : null; });
  }
  const postmortemUrl = form.dataset.live.replace(/\/live$/, "");
  const versionField = form.querySelector('input[name="version"]');
  // Each structured field's value as last loaded: a field still at it is not being edited here.
  const structured = Object.keys(STRUCTURED)
    .map(function (key) { return form.querySelector('[name="' + key + '"]'); })
    .filter(Boolean);
  structured.forEach(function (field) { field.dataset.loaded = field.value; });
  const listsNote = document.createElement("p");
  listsNote.className = "live-note";
  listsNote.hidden = true;
  bar.appendChild(listsNote);
  // Which rows the two lists have, with their fields but not their texts (those are shared
  // texts, written back as they are typed), as last loaded.
  function listsOf(postmortem) {
    const s = postmortem.sections;
    return JSON.stringify([
      s.damage_control.map(function (a) { return [a.id, a.owner_team, a.status]; }),
      s.recommendations.map(function (r) { return [r.id, r.action_items]; }),
    ]);
  }
  let lists = null;
  // Whether a row was added, removed or changed here since the lists were loaded.
  let listsTouched = false;
  const listIds = ["damage_control", "recommendations"];
  form.addEventListener("change", function (event) {
    if (event.target.closest("fieldset.rows")) listsTouched = true;
  });
  form.addEventListener("click", function (event) {
    if (event.target.closest(".remove-row, [data-add-row]")) listsTouched = true;
  });
  let fetching = false;
  fetch(postmortemUrl, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (postmortem) {
      if (postmortem && versionField && postmortem.version === Number(versionField.value)) lists = listsOf(postmortem);
    })
    .catch(function () { /* compared from the first save on */ });
  // The two lists as the server renders them now, in place of these, their texts bound to
  // the live document again.
  function replaceLists() {
    return freshPage()
      .then(function (fresh) {
        if (!fresh || listsTouched) return false;
        const pairs = listIds.map(function (id) { return [document.getElementById(id), fresh.getElementById(id)]; });
        if (pairs.some(function (p) { return !p[0] || !p[1]; })) return false;
        pairs.forEach(function (p) {
          p[0].querySelectorAll("textarea[data-live-text]").forEach(unbind);
          p[0].replaceWith(document.adoptNode(p[1]));
          if (live) p[1].querySelectorAll("textarea[data-live-text]").forEach(bind);
        });
        return true;
      })
      .catch(function () { return false; });
  }
  // A save reached the post-mortem (version `version`): the fields nobody changed here take
  // the saved values; the form then saves on top of that version. A field changed both here
  // and there keeps the old version, so that saving it shows both to choose from.
  // The completeness list and the review card, as the server renders them now (the review
  // card not while a reason for the wording is being written in it).
  let checkedAt = versionField ? Number(versionField.value) : 0;
  function refreshChecks(version) {
    if (version <= checkedAt) return;
    checkedAt = version;
    freshPage()
      .then(function (fresh) {
        if (!fresh) return;
        [".editor-side .checklist", ".editor-side .review"].forEach(function (selector) {
          const now = document.querySelector(selector);
          const next = fresh.querySelector(selector);
          const busy = now && Array.from(now.querySelectorAll("textarea")).some(function (t) { return t.value.trim() !== ""; });
          if (now && next && !busy) now.replaceWith(next);
        });
      })
      .catch(function () { /* shown at the next save or reload */ });
  }
  function saved(version) {
    if (versionField) refreshChecks(version);
    if (!versionField || version <= Number(versionField.value) || fetching) return;
    fetching = true;
    fetch(postmortemUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (postmortem) {
        fetching = false;
        if (!postmortem || postmortem.version <= Number(versionField.value)) return;
        let clash = false;
        structured.forEach(function (field) {
          const theirs = valueIn(postmortem, field.name);
          if (field.value === field.dataset.loaded) {
            field.value = theirs;
            field.dataset.loaded = theirs;
          } else if (theirs !== field.dataset.loaded) {
            clash = true;
          }
        });
        const nowLists = listsOf(postmortem);
        const listsChanged = lists !== null && nowLists !== lists;
        if (lists === null) lists = nowLists;
        const settle = function (replaced) {
          if (listsChanged && !replaced) {
            listsNote.textContent = "Someone changed the damage-control actions or recommendations while you changed them here: save to choose what to keep, or reload the page to see theirs.";
            listsNote.hidden = false;
            clash = true;
          }
          if (listsChanged && replaced) lists = nowLists;
          if (!clash) versionField.value = String(postmortem.version);
        };
        if (listsChanged && !listsTouched) return replaceLists().then(settle);
        settle(false);
      })
      .catch(function () { fetching = false; });
  }
  // The discussion changed: shown again as the server renders it, unless a comment is being
  // written in it here (then after).
  let pendingDiscussion = null;
  function discussionChanged(comments, resolved) {
    const current = document.getElementById("discussion");
    if (!current || (Number(current.dataset.comments) === comments && Number(current.dataset.resolved) === resolved)) return;
    const busy = Array.from(current.querySelectorAll("textarea")).some(function (t) { return t.value.trim() !== ""; });
    if (busy) { pendingDiscussion = [comments, resolved]; return; }
    freshPage()
      .then(function (page) {
        const fresh = page && page.getElementById("discussion");
        if (!fresh) return;
        current.replaceWith(fresh);
        threads = readThreads();
        views.forEach(function (view) { view.dispatch({}); });
        texts.forEach(function (t) { showQuotes(t[0], t[1]); });
      })
      .catch(function () { /* shown at the next change or reload */ });
  }
  document.addEventListener("focusout", function () {
    if (pendingDiscussion) { const p = pendingDiscussion; pendingDiscussion = null; setTimeout(function () { discussionChanged(p[0], p[1]); }, 0); }
  });
  provider.messageHandlers[MESSAGE_NEWS] = function (_encoder, decoder) {
    let news;
    try {
      news = JSON.parse(new TextDecoder().decode(decoding.readVarUint8Array(decoder)));
    } catch (_) {
      return;
    }
    if (news.kind === "saved") saved(news.version);
    if (news.kind === "discussion") discussionChanged(news.comments, news.resolved);
  };

  // ---- who is here ----
  function showPeople() {
    const seen = new Map();
    awareness.getStates().forEach(function (state, client) {
      if (client === doc.clientID || !state.user || !state.user.name) return;
      seen.set(state.user.name, state.user);
    });
    people.textContent = "";
    const me = document.createElement("li");
    me.textContent = "you";
    people.appendChild(me);
    seen.forEach(function (user, name) {
      const item = document.createElement("li");
      item.className = "live-person";
      const dot = document.createElement("span");
      dot.className = "live-dot";
      dot.setAttribute("aria-hidden", "true");
      dot.style.backgroundColor = user.color || "#555";
      item.appendChild(dot);
      item.appendChild(document.createTextNode(name + (user.readOnly ? " (reading)" : "")));
      people.appendChild(item);
    });
  }
  awareness.on("change", showPeople);
  showPeople();

  // ---- the discussion's anchors ----
  // Open threads anchored in a section: their positions, and the quote the page shows.
  function readThreads() {
    return Array.from(document.querySelectorAll(".discussion .thread[data-section]:not(.resolved)"))
      .map(function (el) {
        return {
          section: el.dataset.section,
          start: decodePosition(el.dataset.start),
          end: decodePosition(el.dataset.end),
          quote: el.querySelector(".thread-quote"),
        };
      })
      .filter(function (t) { return t.start && t.end; });
  }
  let threads = readThreads();
  const views = []; // the editors
  const texts = []; // [section, ytext] of each editor
  // Where a thread's words are now in `ytext`, or null when they are gone.
  function rangeOf(thread, ytext) {
    const start = Y.createAbsolutePositionFromRelativePosition(thread.start, doc);
    const end = Y.createAbsolutePositionFromRelativePosition(thread.end, doc);
    if (!start || !end || start.type !== ytext || end.type !== ytext || start.index >= end.index) return null;
    return [start.index, end.index];
  }
  const commentMark = Decoration.mark({ class: "cm-comment" });
  function commentMarks(section, ytext) {
    return EditorView.decorations.of(function () {
      const ranges = [];
      threads.forEach(function (t) {
        const range = t.section === section && rangeOf(t, ytext);
        if (range) ranges.push(commentMark.range(range[0], range[1]));
      });
      return Decoration.set(ranges, true);
    });
  }
  function showQuotes(section, ytext) {
    const text = ytext.toString();
    threads.forEach(function (t) {
      if (t.section !== section || !t.quote) return;
      const range = rangeOf(t, ytext);
      if (range) t.quote.textContent = text.slice(range[0], range[1]);
      t.quote.classList.toggle("gone", !range);
    });
  }

  // The new-comment form takes the words selected in a section.
  function offerSelection(section, label, ytext, state) {
    const newComment = document.querySelector(".discussion .new-comment");
    if (!newComment) return;
    const field = function (name) { return newComment.querySelector('input[name="' + name + '"]'); };
    const on = newComment.querySelector(".comment-on");
    const selection = state.selection.main;
    if (selection.empty) {
      ["anchor_section", "anchor_start", "anchor_end", "anchor_quote"].forEach(function (n) { field(n).value = ""; });
      on.hidden = true;
      return;
    }
    const quote = state.sliceDoc(selection.from, selection.to).slice(0, 1000);
    field("anchor_section").value = section;
    // The start stays with the first word, the end with the last: typing just before or
    // after the words does not grow the range.
    field("anchor_start").value = encodePosition(Y.createRelativePositionFromTypeIndex(ytext, selection.from, 0));
    field("anchor_end").value = encodePosition(Y.createRelativePositionFromTypeIndex(ytext, selection.to, -1));
    field("anchor_quote").value = quote;
    on.textContent = "On " + label + ": “" + quote + "”";
    on.hidden = false;
  }

  // ---- the editors ----
  const bound = new Map(); // plain field -> its editor
  // Puts an editor bound to the shared text `area` shows in its place.
  function bind(area) {
    if (bound.has(area)) return;
    const name = area.dataset.liveText;
    const ytext = doc.getText(name);
    // Typed into the plain field before the document arrived: kept, if nobody changed
    // the text meanwhile.
    const typed = area.value.replace(/\r\n/g, "\n");
    const loaded = area.defaultValue.replace(/\r\n/g, "\n");
    if (!readOnly && typed !== loaded && ytext.toString() === loaded) {
      const [at, cutLength, put] = smallestEdit(loaded, typed);
      doc.transact(function () {
        if (cutLength) ytext.delete(at, cutLength);
        if (put) ytext.insert(at, put);
      });
    }
    const label = document.getElementById(area.id + "-label");
    const attributes = { "aria-multiline": "true" };
    if (label) attributes["aria-labelledby"] = label.id;
    const describedBy = area.getAttribute("aria-describedby");
    if (describedBy) attributes["aria-describedby"] = describedBy;
    const host = document.createElement("div");
    host.className = "live-text";
    host.style.setProperty("--rows", area.rows);
    area.after(host);
    const view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
          drawSelection(),
          EditorView.lineWrapping,
          EditorView.cspNonce.of(nonce),
          EditorView.contentAttributes.of(attributes),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          yCollab(ytext, awareness),
          commentMarks(name, ytext),
          EditorView.updateListener.of(function (update) {
            if (update.selectionSet && update.view.hasFocus) {
              offerSelection(name, label ? label.textContent : name, ytext, update.state);
            }
          }),
        ],
      }),
    });
    if (label) label.addEventListener("click", function () { view.focus(); });
    const text = [name, ytext];
    const follow = function () {
      area.value = ytext.toString();
      area.dispatchEvent(new CustomEvent("hindsight:text", { bubbles: true }));
      showQuotes(name, ytext);
    };
    views.push(view);
    texts.push(text);
    bound.set(area, { view: view, text: text, follow: follow, ytext: ytext });
    // The plain field follows the document, for the wording check and for a save made
    // while offline. A section's is not sent with the form while the editor is live; a
    // row's is (the rows are read in order), and the server takes the live text for it.
    area.hidden = true;
    if (!area.closest(".row-item")) area.disabled = true;
    area.value = ytext.toString();
    showQuotes(name, ytext);
    ytext.observe(follow);
  }
  // Takes the editor of `area` away (its row is being replaced).
  function unbind(area) {
    const b = bound.get(area);
    if (!b) return;
    b.ytext.unobserve(b.follow);
    b.view.destroy();
    views.splice(views.indexOf(b.view), 1);
    texts.splice(texts.indexOf(b.text), 1);
    bound.delete(area);
  }
  // A row added here (assets/editor.js): an id of its own, so that its text is shared at once.
  form.addEventListener("hindsight:row", function (event) {
    if (readOnly) return;
    const row = event.target;
    const area = row.querySelector("textarea");
    const idField = row.querySelector('input[name="dc_id"], input[name="rec_id"]');
    if (!area || !idField) return;
    const random = new Uint8Array(9);
    crypto.getRandomValues(random);
    idField.value = "n" + Array.from(random, function (b) { return (b % 36).toString(36); }).join("");
    area.dataset.liveText = (idField.name === "dc_id" ? "damage_control." : "recommendations.") + idField.value;
    if (live) bind(area);
  });
  function goLive() {
    live = true;
    liveAreas().forEach(bind);
    const help = form.querySelector("[data-live-help]");
    if (help) help.textContent = help.dataset.liveHelp;
    const flag = document.createElement("input");
    flag.type = "hidden";
    flag.name = "live";
    flag.value = "1";
    form.appendChild(flag);
  }

  // ---- saving the other fields ----
  // Connected: the server is asked to confirm it holds every change first, then the form
  // goes without the texts. Offline: the texts go with the form, as without this script,
  // and merge into the live document there.
  let confirmed = false;
  form.addEventListener("submit", function (event) {
    if (!live || confirmed) return;
    const flag = form.querySelector('input[name="live"]');
    if (!provider.wsconnected || !synced) {
      liveAreas().forEach(function (area) { area.disabled = false; });
      if (flag) flag.remove();
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    serverHasAll().then(function () {
      confirmed = true;
      form.requestSubmit(submitter || undefined);
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (offlineEdits && !confirmed) { event.preventDefault(); event.returnValue = ""; }
  });
});
