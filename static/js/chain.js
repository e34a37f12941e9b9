/* The record's chain rules, for browsers.
 *
 * The same rules as src/ledger, written a second time so a copy of the record
 * can be checked with nothing but a browser, offline, from the file itself.
 * tests/vectors/ledger-chain.json keeps the two implementations in step.
 *
 * A plain script on purpose: no modules and no build step, so it works when
 * served under script-src 'self' and when pasted into a page opened from disk.
 * It defines window.AmendsChain and, under Node, module.exports.
 */
(function (root) {
  "use strict";

  var DOMAIN_TAG = "amends.ledger.v1";
  var ZERO_HASH = "0000000000000000000000000000000000000000000000000000000000000000";
  var AT_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
  var FIELDS = ["seq", "at", "author", "kind", "subject", "body", "prev_hash", "hash"];

  var utf8 = new TextEncoder();

  /* Each field as an 8-byte big-endian length, then its UTF-8 bytes, in the
   * order the Rust side hashes them. */
  function encodeEntry(entry) {
    var author = entry.author === null || entry.author === undefined ? "" : String(entry.author);
    var parts = [DOMAIN_TAG, String(entry.seq), entry.prev_hash, entry.at, author,
      entry.kind, entry.subject, entry.body].map(function (text) {
      return utf8.encode(String(text));
    });
    var total = parts.reduce(function (sum, p) { return sum + 8 + p.length; }, 0);
    var out = new Uint8Array(total);
    var view = new DataView(out.buffer);
    var at = 0;
    parts.forEach(function (p) {
      view.setUint32(at, Math.floor(p.length / 4294967296));
      view.setUint32(at + 4, p.length >>> 0);
      out.set(p, at + 8);
      at += 8 + p.length;
    });
    return out;
  }

  function toHex(bytes) {
    var hex = "";
    for (var i = 0; i < bytes.length; i++) {
      hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return hex;
  }

  /* SHA-256 for browsers that hide crypto.subtle from pages opened from disk.
   * Slower than the built-in one, and only used when that is missing. */
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function sha256Plain(bytes) {
    var bitLen = bytes.length * 8;
    var padded = new Uint8Array(((bytes.length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[bytes.length] = 0x80;
    var pv = new DataView(padded.buffer);
    pv.setUint32(padded.length - 8, Math.floor(bitLen / 4294967296));
    pv.setUint32(padded.length - 4, bitLen >>> 0);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (var off = 0; off < padded.length; off += 64) {
      for (var i = 0; i < 16; i++) w[i] = pv.getUint32(off + i * 4);
      for (i = 16; i < 64; i++) {
        var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    var ov = new DataView(out.buffer);
    for (i = 0; i < 8; i++) ov.setUint32(i * 4, h[i] >>> 0);
    return out;
  }

  function subtleCrypto() {
    var c = root.crypto || (typeof crypto !== "undefined" ? crypto : null);
    return c && c.subtle ? c.subtle : null;
  }

  /* The entry's hash as lowercase hex: a Promise of a string. */
  function hashEntry(entry) {
    var bytes = encodeEntry(entry);
    var subtle = subtleCrypto();
    if (!subtle) return Promise.resolve(toHex(sha256Plain(bytes)));
    return subtle.digest("SHA-256", bytes).then(function (digest) {
      return toHex(new Uint8Array(digest));
    });
  }

  function isCount(n) {
    return typeof n === "number" && Math.floor(n) === n && n >= 0 && n <= 9007199254740991;
  }

  /* Names the first field that is missing or of the wrong type, or null. */
  function malformedField(entry) {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return "whole entry";
    if (!isCount(entry.seq) || entry.seq < 1) return "number (seq)";
    if (typeof entry.at !== "string" || !AT_FORM.test(entry.at)) return "time (at)";
    if (entry.author !== null && !isCount(entry.author)) return "author";
    var texts = ["kind", "subject", "body", "prev_hash", "hash"];
    for (var i = 0; i < texts.length; i++) {
      if (typeof entry[texts[i]] !== "string") return texts[i];
    }
    return null;
  }

  function problem(seq, reason, message) {
    return { seq: seq, reason: reason, message: message };
  }

  /* Checks entries in order and stops at the first one that breaks the chain.
   * options.fromSeq / fromHash / fromAt continue from an already trusted head.
   * Resolves to { ok, count, head, problem }: count and head describe the
   * entries that checked out; problem is null or { seq, reason, message }
   * where reason is one of "malformed", "seq", "prev_hash", "time", "hash",
 * checked in that order (the same order as src/ledger/chain.rs). */
  function verifyChain(entries, options) {
    var opts = options || {};
    var expectSeq = (opts.fromSeq || 0) + 1;
    var prevHash = opts.fromHash || ZERO_HASH;
    var prevAt = opts.fromAt || null;
    var head = opts.fromHash || null;
    var count = 0;
    var list = Array.isArray(entries) ? entries : [];

    function done(p) {
      return { ok: p === null, count: count, head: head, problem: p };
    }

    function step(i) {
      if (i >= list.length) return Promise.resolve(done(null));
      var e = list[i];
      var bad = malformedField(e);
      if (bad) {
        var seqForBad = e && isCount(e.seq) ? e.seq : expectSeq;
        return Promise.resolve(done(problem(seqForBad, "malformed",
          "Entry " + (i + 1) + " in the file is damaged or incomplete: its " + bad +
          " is missing or not in the expected form.")));
      }
      if (e.seq !== expectSeq) {
        return Promise.resolve(done(problem(e.seq, "seq",
          "Entry " + e.seq + " is out of place: entry " + expectSeq + " should come here. " +
          "Entries are missing or out of order.")));
      }
      if (e.prev_hash !== prevHash) {
        return Promise.resolve(done(problem(e.seq, "prev_hash", expectSeq === 1
          ? "Entry 1 should be the very first entry, but it points back to an earlier one."
          : "Entry " + e.seq + " does not link to the entry before it. One of the two was " +
            "changed, or something between them was removed.")));
      }
      if (prevAt !== null && e.at < prevAt) {
        return Promise.resolve(done(problem(e.seq, "time",
          "Entry " + e.seq + " is dated earlier than the entry before it. Times in the " +
          "record never go backwards.")));
      }
      return hashEntry(e).then(function (actual) {
        if (actual !== e.hash) {
          return done(problem(e.seq, "hash",
            "Entry " + e.seq + " does not match its own fingerprint: something in it was " +
            "changed after it was written."));
        }
        count += 1;
        head = e.hash;
        prevHash = e.hash;
        prevAt = e.at;
        expectSeq += 1;
        return step(i + 1);
      });
    }

    return step(0);
  }

  function sameEntry(a, b) {
    for (var i = 0; i < FIELDS.length; i++) {
      var f = FIELDS[i];
      var x = a ? a[f] : undefined;
      var y = b ? b[f] : undefined;
      if (x === undefined) x = null;
      if (y === undefined) y = null;
      if (x !== y) return false;
    }
    return true;
  }

  /* Is the older copy an exact beginning of the newer one? Compares entries
   * position by position, every field. firstDifference names the first shared
   * position that differs (by the older copy's seq); missing is true when the
   * newer copy has fewer entries than the older one. */
  function comparePrefix(oldEntries, newEntries) {
    var olds = oldEntries || [];
    var news = newEntries || [];
    var shared = Math.min(olds.length, news.length);
    var firstDifference = null;
    for (var i = 0; i < shared; i++) {
      if (!sameEntry(olds[i], news[i])) {
        var o = olds[i];
        firstDifference = {
          seq: o && o.seq !== undefined ? o.seq : i + 1,
          old: o,
          new: news[i]
        };
        break;
      }
    }
    var missing = news.length < olds.length;
    return {
      isPrefix: firstDifference === null && !missing,
      oldCount: olds.length,
      newCount: news.length,
      firstDifference: firstDifference,
      missing: missing
    };
  }

  /* Reads record.jsonl: one entry per line, blank lines ignored. Throws an
   * Error naming the first line that is not an entry (error.line holds it). */
  function parseRecord(text) {
    var lines = String(text).replace(/^\uFEFF/, "").split("\n");
    var entries = [];
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].replace(/\r$/, "");
      if (line.trim() === "") continue;
      var value;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw lineError(i + 1, "is not valid JSON, so it cannot be read as an entry");
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw lineError(i + 1, "is valid JSON but not an entry");
      }
      entries.push(value);
    }
    return entries;
  }

  function lineError(line, what) {
    var err = new Error("Line " + line + " of the file " + what + ". " +
      "Is this the record.jsonl file from a copy of the record?");
    err.line = line;
    return err;
  }

  var api = {
    ZERO_HASH: ZERO_HASH,
    encodeEntry: encodeEntry,
    hashEntry: hashEntry,
    verifyChain: verifyChain,
    comparePrefix: comparePrefix,
    parseRecord: parseRecord
  };
  root.AmendsChain = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
