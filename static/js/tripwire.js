/* The tripwire: this browser remembers the last fingerprint of the record it
 * saw (entry number and hash, in localStorage). On each visit where the
 * record has grown, it fetches the entries added since and recomputes the
 * chain from the remembered head. If the remembered head is no longer part
 * of the history, it says so, calmly, and points to the copies.
 *
 * A tripwire, not a guarantee: the server that could change the record also
 * sends this script. A copy kept off the server is the guarantee.
 *
 * It only runs where crypto.subtle exists (https, or this machine itself).
 * On plain http the page and this script can be changed by anyone on the
 * network path, and so can what this browser remembers, so a check there
 * would promise more than it can keep: it says so once and points to copies.
 */
(function () {
  "use strict";

  var KEY = "amends.tripwire.v1";
  var HTTP_NOTED = "amends.tripwire.http-noted";
  var box = document.getElementById("tripwire");
  if (!box || !window.AmendsChain) return;

  var store = null;
  try {
    store = window.localStorage;
    store.getItem(KEY);
  } catch (err) {
    return; // Storage is off (private mode, policy): nothing to remember with.
  }

  function remembered() {
    try {
      var value = JSON.parse(store.getItem(KEY) || "null");
      if (value && typeof value.seq === "number" && typeof value.hash === "string") return value;
    } catch (err) { /* unreadable: start again */ }
    return null;
  }

  function remember(seq, hash) {
    try {
      store.setItem(KEY, JSON.stringify({ seq: seq, hash: hash }));
    } catch (err) { /* storage full or off: the next visit starts again */ }
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function show(state, title, text, withReset) {
    box.textContent = "";
    box.setAttribute("data-state", state);
    var p = el("p");
    p.appendChild(el("strong", title));
    p.appendChild(document.createTextNode(" " + text + " "));
    p.appendChild(el("a", "Go to My copy", { href: "/copy" }));
    box.appendChild(p);
    if (withReset) {
      var button = el("button", "Watch from the record as it is now", { type: "button", "class": "secondary" });
      button.addEventListener("click", function () {
        remember(Number(box.getAttribute("data-seq")), box.getAttribute("data-hash"));
        box.hidden = true;
        box.setAttribute("data-state", "reset");
      });
      box.appendChild(button);
    }
    box.hidden = false;
  }

  function warn(seen, detail) {
    show("changed", "The record has changed since this browser last saw it.",
      "When this browser last looked, entry " + seen.seq + " had the fingerprint " + seen.hash.slice(0, 12) +
      "; " + detail + " That should never happen to a record nobody can edit. It may have been rewritten " +
      "outside the app. Compare a copy you took earlier with a new one to see exactly what differs.", true);
  }

  var pageSeq = Number(box.getAttribute("data-seq"));
  var pageHash = box.getAttribute("data-hash") || "";
  if (!(pageSeq >= 0) || pageHash.length !== 64) return;

  var subtle = window.isSecureContext && window.crypto && window.crypto.subtle;
  if (!subtle) {
    if (!store.getItem(HTTP_NOTED)) {
      show("needs-https", "This browser cannot watch the record here.",
        "Checking that history has not changed needs a secure (https) connection, and this one is plain http. " +
        "Your copies are the safeguard: take one now and then, and keep it.", false);
      try { store.setItem(HTTP_NOTED, "1"); } catch (err) { /* shown again next time */ }
    }
    return;
  }

  var seen = remembered();
  if (!seen) {
    remember(pageSeq, pageHash);
    box.setAttribute("data-state", "started");
    return;
  }
  if (seen.seq === pageSeq && seen.hash === pageHash) {
    box.setAttribute("data-state", "same");
    return;
  }
  if (pageSeq < seen.seq) {
    warn(seen, "now the record ends at entry " + pageSeq + ", so entries this browser saw are gone.");
    return;
  }

  var chain = window.AmendsChain;

  function fetchFrom(seq) {
    return fetch("/record/since?seq=" + encodeURIComponent(seq), {
      credentials: "same-origin",
      headers: { accept: "application/json" }
    }).then(function (response) {
      if (!response.ok || !/json/.test(response.headers.get("content-type") || "")) {
        throw new Error("the record could not be fetched (" + response.status + ")");
      }
      return response.json();
    });
  }

  /* Walks from the remembered head to the newest entry, a page at a time. */
  function check() {
    return fetchFrom(seen.seq).then(function (first) {
      if (seen.seq === 0) {
        if (seen.hash !== chain.ZERO_HASH) {
          warn(seen, "but an empty record has no such fingerprint.");
          return null;
        }
        return step(first.entries, first.more, 0, chain.ZERO_HASH, null);
      }
      var anchor = first.anchor;
      if (!anchor) {
        warn(seen, "now there is no entry " + seen.seq + " at all.");
        return null;
      }
      if (anchor.hash !== seen.hash) {
        warn(seen, "now entry " + seen.seq + " has the fingerprint " + String(anchor.hash).slice(0, 12) + ".");
        return null;
      }
      // The anchor must still match its own fingerprint, and every entry
      // after it must follow on from it.
      return step([anchor].concat(first.entries), first.more, anchor.seq - 1, anchor.prev_hash, null);
    });
  }

  function step(entries, more, fromSeq, fromHash, fromAt) {
    return chain.verifyChain(entries, { fromSeq: fromSeq, fromHash: fromHash, fromAt: fromAt })
      .then(function (result) {
        if (!result.ok) {
          warn(seen, "now the history after it does not hold together: " + result.problem.message);
          return null;
        }
        var last = entries.length ? entries[entries.length - 1]
          : { seq: fromSeq, hash: fromHash, at: fromAt };
        if (!more || !entries.length) return last;
        return fetchFrom(last.seq).then(function (next) {
          if (!next.anchor || next.anchor.hash !== last.hash) {
            warn(seen, "the record changed while this browser was reading it.");
            return null;
          }
          return step(next.entries, next.more, last.seq, last.hash, last.at);
        });
      });
  }

  check().then(function (last) {
    if (last) {
      remember(last.seq, last.hash);
      box.setAttribute("data-state", "followed");
    }
  }).catch(function () {
    // A network hiccup is not a rewrite: say nothing and try next visit.
    box.setAttribute("data-state", "unreachable");
  });
})();
