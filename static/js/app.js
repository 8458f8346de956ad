/* Perdes PMI: the one place that tells the user what happened after an htmx request.
 *
 * - Failed requests show a message in the small notice at the top (#flash): an expired
 *   session, no connection, or the server's own message (its <h1> and first paragraph).
 * - Buttons show that work is in progress ("Menyimpan…", "Menyiapkan PDF…").
 * - After a swap, the notice or the first error of the new content is scrolled into view and
 *   focused, so a phone user sees the result of a save where he is.
 * Loaded as a static file (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";

  var MESSAGES = {
    session: "Sesi berakhir — silakan masuk lagi. Isian yang belum tersimpan akan hilang bila halaman dimuat ulang.",
    offline: "Tidak ada sambungan; data belum tersimpan. Periksa jaringan lalu coba lagi.",
    timeout: "Server tidak menjawab; data mungkin belum tersimpan. Coba lagi.",
    generic: "Permintaan gagal. Coba lagi."
  };
  var BUSY_DEFAULT = "Memproses…";

  function flash() { return document.getElementById("flash"); }

  function showFlash(text, tone, link) {
    var box = flash();
    if (!box) { return; }
    box.textContent = "";
    box.className = "flash notice " + (tone || "bad");
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      a.setAttribute("hx-boost", "false");
      box.appendChild(a);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "secondary flash-close";
    close.textContent = "Tutup";
    close.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(close);
    box.hidden = false;
    box.focus({ preventScroll: true });
  }

  function loginLink() {
    var base = document.body.getAttribute("data-login-url") || "";
    var here = window.location.pathname + window.location.search;
    return { href: base + "?next=" + encodeURIComponent(here), text: "Masuk lagi" };
  }

  function serverMessage(xhr) {
    var text = (xhr && xhr.responseText) || "";
    if (!text) { return ""; }
    try {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var node = doc.querySelector("[data-message]") || doc.querySelector("[role=alert] p") ||
        doc.querySelector("main p") || doc.querySelector("p");
      return node ? node.textContent.trim() : "";
    } catch (e) {
      return "";
    }
  }

  /* ---- failures ---- */
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status === 401) {
      showFlash(MESSAGES.session, "bad", loginLink());
      return;
    }
    showFlash(serverMessage(xhr) || MESSAGES.generic + " (" + xhr.status + ")", "bad");
  });
  document.addEventListener("htmx:sendError", function () { showFlash(MESSAGES.offline, "bad"); });
  document.addEventListener("htmx:timeout", function () { showFlash(MESSAGES.timeout, "bad"); });

  /* ---- busy buttons ---- */
  function setBusy(el, text) {
    if (!el || el.getAttribute("aria-busy") === "true") { return; }
    el.setAttribute("data-idle-text", el.textContent);
    el.textContent = text;
    el.setAttribute("aria-busy", "true");
    if (el.tagName === "BUTTON") { el.disabled = true; }
  }
  function clearBusy(el) {
    if (!el || el.getAttribute("aria-busy") !== "true") { return; }
    el.textContent = el.getAttribute("data-idle-text") || el.textContent;
    el.removeAttribute("aria-busy");
    if (el.tagName === "BUTTON") { el.disabled = false; }
  }
  function submitterOf(evt) {
    var cfg = evt.detail.requestConfig || {};
    var trig = cfg.triggeringEvent;
    if (trig && trig.submitter) { return trig.submitter; }
    var elt = evt.detail.elt;
    if (elt && elt.tagName === "FORM") { return elt.querySelector("button[type=submit], button:not([type])"); }
    if (elt && (elt.tagName === "BUTTON" || elt.tagName === "A")) { return elt; }
    return null;
  }
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var btn = submitterOf(evt);
    if (btn && (btn.tagName === "BUTTON" || btn.hasAttribute("data-busy"))) {
      evt.detail.perdesBusy = btn;
      setBusy(btn, btn.getAttribute("data-busy") || (evt.detail.requestConfig.verb === "get" ? BUSY_DEFAULT : "Menyimpan…"));
    }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.perdesBusy) { clearBusy(evt.detail.perdesBusy); }
    var box = flash();
    if (box && evt.detail.successful && !box.hidden && box.classList.contains("bad")) { box.hidden = true; }
  });
  /* Downloads are plain links (the browser saves the file): show the wait, then restore. */
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a[data-busy]");
    if (!link || link.getAttribute("aria-busy") === "true") { return; }
    setBusy(link, link.getAttribute("data-busy"));
    window.setTimeout(function () { clearBusy(link); }, 4000);
  });
  /* Plain (non-htmx) form posts still say that work is in progress. */
  document.addEventListener("submit", function (evt) {
    var btn = evt.submitter;
    if (btn && btn.hasAttribute("data-busy") && !evt.defaultPrevented) {
      window.setTimeout(function () { setBusy(btn, btn.getAttribute("data-busy")); }, 0);
    }
  });

  /* ---- after a swap: show the outcome where the user is ---- */
  function outcomeIn(root) {
    if (!root || !root.querySelector) { return null; }
    return root.querySelector("[data-outcome]") ||
      root.querySelector(".error-summary") ||
      root.querySelector("[aria-invalid=true]") ||
      root.querySelector(".notice[role=status], .notice[role=alert]");
  }
  function reveal(node) {
    if (!node) { return; }
    if (!node.matches("a, button, input, select, textarea, [tabindex]")) {
      node.setAttribute("tabindex", "-1");
    }
    node.scrollIntoView({ block: "center" });
    node.focus({ preventScroll: true });
  }
  var revealed = false;
  document.addEventListener("htmx:afterSettle", function (evt) {
    var root = evt.target;  // each settled element: the new one after an outerHTML swap
    if (revealed || !root || !root.isConnected || root.id === "preview") { return; }
    if (root.closest && root.closest("#preview")) { return; }  // the live preview keeps focus where it is
    var node = outcomeIn(root === document.body ? document.getElementById("isi") : root);
    if (!node && root.matches && root.matches("[data-outcome], .notice")) { node = root; }
    if (!node && root === document.body) { window.scrollTo(0, 0); return; }  // a new whole page
    if (node) {
      revealed = true;
      window.setTimeout(function () { revealed = false; }, 0);
      reveal(node);
    }
  });
  /* A whole page loaded without htmx (JavaScript on, first load or a plain POST): the same. */
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("isi");
    var node = main && main.querySelector("[data-outcome]");
    if (node) { reveal(node); }
  });

  /* ---- the Pasal editor: insert the chosen clause reference at the cursor of the last
     focused text box (without JavaScript the tokens are listed to copy) ---- */
  var lastText = null;
  document.addEventListener("focusin", function (evt) {
    if (evt.target.matches && evt.target.matches("textarea[data-ref-target]")) { lastText = evt.target; }
  });
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-insert-ref]");
    if (!btn) { return; }
    evt.preventDefault();
    var pick = document.getElementById(btn.getAttribute("data-insert-ref"));
    var box = lastText && lastText.isConnected ? lastText : document.querySelector("textarea[data-ref-target]");
    if (!pick || !box) { return; }
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    box.value = box.value.slice(0, start) + pick.value + box.value.slice(end);
    box.focus();
    box.setSelectionRange(start + pick.value.length, start + pick.value.length);
  });

  /* ---- the live preview sends what changed (perdes/drafting/preview_delta.py): each refresh
     posts the fingerprint of every part shown; the answer puts <template data-keep="i[-j]">
     where those parts stay, and they are copied back in before htmx swaps ---- */
  var CRC = [];
  for (var n = 0; n < 256; n++) {
    var c = n;
    for (var k = 0; k < 8; k++) { c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; }
    CRC.push(c >>> 0);
  }
  function hex8(v) { return ("0000000" + (v >>> 0).toString(16)).slice(-8); }
  function canonical(node, out) {
    if (node.nodeType === 3) { out.push(node.data); return; }
    if (node.nodeType !== 1) { return; }
    out.push("<" + node.localName);
    for (var i = 0; i < node.attributes.length; i++) {
      out.push(" " + node.attributes[i].name + '="' + node.attributes[i].value + '"');
    }
    out.push(">");
    for (var ch = node.firstChild; ch; ch = ch.nextSibling) { canonical(ch, out); }
    out.push("</" + node.localName + ">");
  }
  function fingerprint(node) {
    var out = [];
    canonical(node, out);
    var bytes = new TextEncoder().encode(out.join(""));
    var crc = 0xFFFFFFFF, a = 1, b = 0;
    for (var i = 0; i < bytes.length; i++) {
      crc = CRC[(crc ^ bytes[i]) & 0xFF] ^ (crc >>> 8);
      a = (a + bytes[i]) % 65521;
      b = (b + a) % 65521;
    }
    return hex8(crc ^ 0xFFFFFFFF) + hex8(b * 65536 + a);
  }
  function previewParts(root) {
    var found = [];
    (function walk(node) {
      for (var el = node.firstElementChild; el; el = el.nextElementSibling) {
        if (el.localName === "article" || el.localName === "section") { walk(el); } else { found.push(el); }
      }
    })(root);
    return found;
  }
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt || elt.id !== "preview" || evt.detail.verb !== "post") { return; }
    var parts = previewParts(elt);
    if (!parts.length || elt.hasAttribute("data-preview-whole")) {
      elt.removeAttribute("data-preview-whole");
      return;
    }
    evt.detail.perdesParts = parts;
    evt.detail.parameters.pratinjau_punya = parts.map(fingerprint).join(",");
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var parts = evt.detail.requestConfig && evt.detail.requestConfig.perdesParts;
    var text = evt.detail.serverResponse;
    if (!parts || typeof text !== "string" || text.indexOf("data-keep") < 0) { return; }
    var box = document.createElement("template");
    box.innerHTML = text;
    var slots = box.content.querySelectorAll("template[data-keep]");
    for (var i = 0; i < slots.length; i++) {
      var span = slots[i].getAttribute("data-keep").split("-");
      var first = parseInt(span[0], 10), last = parseInt(span[span.length - 1], 10);
      if (!(first >= 0 && last >= first && last < parts.length)) {
        evt.detail.shouldSwap = false;  // cannot be rebuilt: ask for the whole preview
        evt.detail.elt.setAttribute("data-preview-whole", "");
        htmx.trigger(evt.detail.elt, "perdesPreviewWhole");
        return;
      }
      var copies = document.createDocumentFragment();
      for (var j = first; j <= last; j++) {
        if (j > first) { copies.appendChild(document.createTextNode("\n")); }
        copies.appendChild(parts[j].cloneNode(true));
      }
      slots[i].replaceWith(copies);
    }
    evt.detail.serverResponse = box.innerHTML;
  });

  /* ---- the print page's button ---- */
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-print]");
    if (btn) { evt.preventDefault(); window.print(); }
  });
})();
