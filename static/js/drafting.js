/* Perdes PMI: what only the drafting pages need (loaded there through app.js, see
 * "scripts that only some pages need"): the Pasal editor's clause references and the live
 * preview that sends only what changed. Run once per page load, whichever version comes first.
 */
(function () {
  "use strict";
  if (window.perdesDrafting) { return; }
  window.perdesDrafting = true;

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
})();
