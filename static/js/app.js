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
    var type = (xhr.getResponseHeader && xhr.getResponseHeader("Content-Type")) || "";
    // the upload limit's 413 is plain Indonesian text (not so other plain answers, e.g. a 500)
    if (xhr.status === 413 && type.indexOf("text/plain") === 0) { return text.trim().slice(0, 300); }
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

  /* ---- a file over the upload limit is refused as soon as it is chosen, not after minutes
     of sending it on a slow connection (input[type=file][data-max-bytes], the server's
     limit; the server still checks) ---- */
  function megabytes(n) { return (Math.round(n / 104857.6) / 10).toString().replace(".", ","); }
  var SMALLER = "Perkecil berkasnya (mis. pindai dengan resolusi lebih rendah) lalu pilih lagi.";
  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]") || !input.files) { return; }
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (!(max > 0)) { return; }
    for (var i = 0; i < input.files.length; i++) {
      if (input.files[i].size > max) {
        showFlash("Berkas \u201c" + input.files[i].name + "\u201d terlalu besar (" +
          megabytes(input.files[i].size) + " MB): paling besar " + megabytes(max) + " MB. " + SMALLER, "bad");
        input.value = "";
        return;
      }
    }
    // the files of one form are sent together, and the server's limit is for them all
    var total = 0, fields = input.form ? input.form.querySelectorAll("input[type=file]") : [input];
    for (var f = 0; f < fields.length; f++) {
      for (var j = 0; fields[f].files && j < fields[f].files.length; j++) { total += fields[f].files[j].size; }
    }
    if (total > max) {
      showFlash("Berkas-berkas formulir ini bersama-sama " + megabytes(total) + " MB: paling besar " +
        megabytes(max) + " MB sekaligus. Kirim sebagian dahulu, atau perkecil berkasnya.", "bad");
      input.value = "";
    }
  });

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

  /* ---- scripts that only some pages need (js/drafting.js on the drafting pages). Such a page
     names each with <link rel="preload" as="script" data-page-script href="/static/…">: the
     browser fetches it early, and app.js runs it once, after a first load as after an htmx
     navigation (htmx drops the <script> tags of the pages it swaps in: allowScriptTags is
     off) ---- */
  var pageScripts = {};
  function runPageScripts() {
    var links = document.querySelectorAll("link[data-page-script]");
    for (var i = 0; i < links.length; i++) {
      var src = links[i].getAttribute("href") || "";
      if (src.indexOf("/static/") !== 0 || pageScripts[src]) { continue; }
      pageScripts[src] = true;
      var script = document.createElement("script");
      script.src = src;
      document.head.appendChild(script);
    }
  }
  runPageScripts();
  document.addEventListener("htmx:load", runPageScripts);

  /* ---- a page's own stylesheet (pages.css, drafting.css) arriving with an htmx navigation:
     the browser applies it only once it has loaded, so until then the new page's content is
     kept hidden (html.styles-pending, app.css) instead of shown unstyled on a slow
     connection; it shows at the latest after STYLE_WAIT_MS, loaded or not. A first load
     needs none of this: a stylesheet met while parsing holds the rendering itself ---- */
  var STYLE_WAIT_MS = 4000;
  var styleHold = 0;
  function holdUntilStyled(root) {
    var links = root && root.querySelectorAll ? root.querySelectorAll("link[rel=stylesheet]") : [];
    var pending = [];
    for (var i = 0; i < links.length; i++) { if (!links[i].sheet) { pending.push(links[i]); } }
    if (!pending.length) { return; }  // a swap bringing no new stylesheet leaves a hold alone
    var hold = ++styleHold, waiting = pending.length;
    function show() {
      if (hold === styleHold) { document.documentElement.classList.remove("styles-pending"); }
    }
    function arrived() { waiting -= 1; if (waiting === 0) { show(); } }
    pending.forEach(function (link) {
      link.addEventListener("load", arrived, { once: true });
      link.addEventListener("error", arrived, { once: true });
    });
    document.documentElement.classList.add("styles-pending");
    window.setTimeout(show, STYLE_WAIT_MS);
  }
  document.addEventListener("htmx:afterSwap", function (evt) { holdUntilStyled(evt.detail.target); });

  /* ---- a link to a part of a page opens the closed <details> around it ----
     (a checklist item on the village page is one closed line: /desa/…#butir-x opens it) */
  function openTarget() {
    var id = window.location.hash.slice(1);
    var el = id ? document.getElementById(decodeURIComponent(id)) : null;
    if (!el) { return; }
    var body = el.querySelector && el.querySelector(":scope > details");
    if (body) { body.open = true; }
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
    el.scrollIntoView();
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
  document.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.detail.target === document.body) { openTarget(); }
  });

  /* ---- the print page's button ---- */
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-print]");
    if (btn) { evt.preventDefault(); window.print(); }
  });
})();
