// The record's chain rules in JavaScript (static/js/chain.js) and the offline
// checker page (static/checker/check.html). Needs Chromium, not the server.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './lib/server.mjs';
import { launch, newPerson, checkA11y, screenshots } from './lib/browser.mjs';

const chainJs = await readFile(path.join(repoRoot, 'static', 'js', 'chain.js'), 'utf8');
const template = await readFile(path.join(repoRoot, 'static', 'checker', 'check.html'), 'utf8');
const vectors = JSON.parse(await readFile(path.join(repoRoot, 'tests', 'vectors', 'ledger-chain.json'), 'utf8'));

/** Runs chain.js as a browser would, against a stand-in window. */
function loadChain({ withSubtle = true } = {}) {
  const fakeWindow = withSubtle ? { crypto: globalThis.crypto } : {};
  // Shadow `crypto` and `module` so the script sees only what a page would.
  new Function('window', 'crypto', 'module', chainJs)(fakeWindow, withSubtle ? globalThis.crypto : undefined, undefined);
  assert.ok(fakeWindow.AmendsChain, 'chain.js defines window.AmendsChain');
  return fakeWindow.AmendsChain;
}

/** Builds a copy's checker page exactly as the export does. */
function buildCheckerPage(entries) {
  const embedded = JSON.stringify(entries).replace(/</g, '\\u003c');
  const withChain = template.replace('/*AMENDS_CHAIN_JS*/', () => chainJs);
  assert.notEqual(withChain, template, 'the template has the chain.js marker');
  const page = withChain.replace('"__AMENDS_THIS_COPY__"', () => embedded);
  assert.notEqual(page, withChain, 'the template has the this-copy marker');
  return page;
}

const toJsonl = (entries) => entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
const clone = (x) => JSON.parse(JSON.stringify(x));

for (const withSubtle of [true, false]) {
  describe(`chain.js in node (${withSubtle ? 'crypto.subtle' : 'built-in SHA-256 fallback'})`, () => {
    const chain = loadChain({ withSubtle });

    test('encodes every vector entry to the expected bytes', () => {
      vectors.entries.forEach((entry, i) => {
        assert.equal(Buffer.from(chain.encodeEntry(entry)).toString('hex'), vectors.preimages_hex[i], `entry ${entry.seq}`);
      });
    });

    test('reproduces every vector hash', async () => {
      for (const entry of [...vectors.entries, vectors.newer_entry]) {
        assert.equal(await chain.hashEntry(entry), entry.hash, `entry ${entry.seq}`);
      }
    });

    test('finds the vector chain intact', async () => {
      const result = await chain.verifyChain(vectors.entries);
      const last = vectors.entries.at(-1);
      assert.deepEqual(result, { ok: true, count: vectors.entries.length, head: last.hash, problem: null });
    });

    test('continues from a known head', async () => {
      const [first, ...rest] = vectors.entries;
      const result = await chain.verifyChain([...rest, vectors.newer_entry], {
        fromSeq: first.seq, fromHash: first.hash, fromAt: first.at,
      });
      assert.equal(result.ok, true, JSON.stringify(result.problem));
      assert.equal(result.head, vectors.newer_entry.hash);
      const wrongStart = await chain.verifyChain(rest, { fromSeq: 1, fromHash: 'a'.repeat(64) });
      assert.deepEqual([wrongStart.problem.seq, wrongStart.problem.reason], [2, 'prev_hash']);
    });

    for (const tampered of vectors.tampered) {
      test(`reports tampering at the right entry: ${tampered.name}`, async () => {
        const result = await chain.verifyChain(tampered.entries);
        assert.equal(result.ok, false, tampered.why);
        assert.equal(result.problem.seq, tampered.expect.seq, tampered.why);
        assert.equal(result.problem.reason, tampered.expect.reason, tampered.why);
        assert.match(result.problem.message, new RegExp(`Entry ${tampered.expect.seq}\\b`));
        const position = tampered.entries.findIndex((e) => e.seq === tampered.expect.seq);
        assert.equal(result.count, position, 'the entries before the problem count as checked');
      });
    }

    for (const c of vectors.prefix) {
      test(`compares copies: ${c.name}`, () => {
        const result = chain.comparePrefix(vectors.entries, c.new);
        assert.equal(result.isPrefix, c.expect.isPrefix);
        assert.equal(result.missing, c.expect.missing);
        assert.equal(result.firstDifference?.seq ?? null, c.expect.firstDifferenceSeq);
        assert.equal(result.oldCount, vectors.entries.length);
        assert.equal(result.newCount, c.new.length);
      });
    }

    test('reads record.jsonl and names the line that is not JSON', () => {
      const text = toJsonl(vectors.entries);
      assert.deepEqual(chain.parseRecord(text), vectors.entries);
      assert.deepEqual(chain.parseRecord(text.replace(/\n/g, '\r\n')), vectors.entries);
      const lines = text.trimEnd().split('\n');
      lines[2] = lines[2].slice(0, 30);
      assert.throws(() => chain.parseRecord(lines.join('\n')), (err) => err.line === 3 && /Line 3\b/.test(err.message));
      assert.throws(() => chain.parseRecord('[1,2]\n'), /Line 1\b/);
    });

    test('calls a damaged entry damaged rather than failing', async () => {
      const entries = clone(vectors.entries);
      delete entries[1].body;
      const result = await chain.verifyChain(entries);
      assert.deepEqual([result.problem.seq, result.problem.reason], [2, 'malformed']);
    });
  });
}

describe('the checker page in Chromium', () => {
  let browser;
  let dir;
  let page;
  const chain = loadChain();

  before(async () => {
    browser = await launch();
    dir = await mkdtemp(path.join(tmpdir(), 'amends-checker-'));
    const file = path.join(dir, 'check.html');
    await writeFile(file, buildCheckerPage(vectors.entries));
    ({ page } = await newPerson(browser));
    const problems = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) problems.push(`the page asked the network for ${req.url()}`);
    });
    page.problems = problems;
    await page.goto(pathToFileURL(file).href);
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const verdict = (id) => page.locator(`#${id}`);
  async function chooseNewer(name, text) {
    await page.setInputFiles('#newer-file', { name, mimeType: 'application/x-ndjson', buffer: Buffer.from(text, 'utf8') });
  }

  test('says this copy is intact, with its count and head', async () => {
    const box = verdict('this-verdict');
    await box.and(page.locator('[data-verdict="intact"]')).waitFor();
    assert.equal(await box.getAttribute('role'), 'status');
    const text = await box.innerText();
    assert.match(text, /intact/i);
    assert.match(text, new RegExp(`${vectors.entries.length} entries`));
    assert.match(text, new RegExp(vectors.entries.at(-1).hash.slice(0, 12)));
    assert.deepEqual(page.problems, []);
  });

  test('is accessible and readable', async () => {
    await checkA11y(page, 'checker, this copy intact');
    await screenshots(page, 'checker-intact');
  });

  test('says a newer copy with one more entry continues this one', async () => {
    await chooseNewer('record.jsonl', toJsonl([...vectors.entries, vectors.newer_entry]));
    const box = verdict('compare-verdict');
    await box.and(page.locator('[data-verdict="prefix"]')).waitFor();
    assert.match(await box.innerText(), /unchanged/i);
    assert.match(await box.innerText(), /adds 1 entry/);
    await verdict('newer-verdict').and(page.locator('[data-verdict="intact"]')).waitFor();
    assert.match(await verdict('newer-verdict').innerText(), /6 entries/);
  });

  test('names the first entry a rewritten newer copy changed, and shows both versions', async () => {
    // Change entry 2's body and recompute the chain from there, as someone with
    // the database could: the newer copy is whole, but history differs.
    const rewritten = clone([...vectors.entries, vectors.newer_entry]);
    rewritten[1].body = '{"display_name":"Someone else"}';
    for (let i = 1; i < rewritten.length; i++) {
      rewritten[i].prev_hash = rewritten[i - 1].hash;
      rewritten[i].hash = await chain.hashEntry(rewritten[i]);
    }
    assert.equal((await chain.verifyChain(rewritten)).ok, true, 'the rewritten chain is itself whole');

    await chooseNewer('record.jsonl', toJsonl(rewritten));
    const box = verdict('compare-verdict');
    await box.and(page.locator('[data-verdict="differs"]')).waitFor();
    assert.match(await box.innerText(), /Entry 2\b/);
    await verdict('newer-verdict').and(page.locator('[data-verdict="intact"]')).waitFor();

    const table = page.locator('#difference table');
    assert.match(await table.locator('caption').innerText(), /Entry 2\b/);
    const bodyRow = table.locator('tr.differs', { hasText: 'Content' });
    assert.match(await bodyRow.innerText(), /Zoë — 東京/);
    assert.match(await bodyRow.innerText(), /Someone else/);
    assert.equal(await table.locator('tbody tr').count(), 8, 'every field is shown');
    await checkA11y(page, 'checker, newer copy differs');
    await screenshots(page, 'checker-differs');
  });

  test('says when entries are missing from the newer copy', async () => {
    await chooseNewer('record.jsonl', toJsonl(vectors.entries.slice(0, 3)));
    const box = verdict('compare-verdict');
    await box.and(page.locator('[data-verdict="missing"]')).waitFor();
    assert.match(await box.innerText(), /Entries 4 to 5 are gone/);
    assert.equal(await page.locator('#difference table').count(), 0);
  });

  test('names the line of a file that is not a record', async () => {
    await chooseNewer('notes.txt', toJsonl(vectors.entries.slice(0, 2)) + 'this is not json\n');
    const box = verdict('compare-verdict');
    await box.and(page.locator('[data-verdict="unreadable"]')).waitFor();
    assert.match(await box.innerText(), /Line 3\b/);
    assert.deepEqual(page.problems, []);
  });

  test('finds a broken copy broken, naming the entry', async () => {
    const broken = vectors.tampered.find((t) => t.name === 'body_changed');
    const file = path.join(dir, 'broken.html');
    await writeFile(file, buildCheckerPage(broken.entries));
    const { context: otherContext, page: other } = await newPerson(browser);
    try {
      await other.goto(pathToFileURL(file).href);
      const box = other.locator('#this-verdict[data-verdict="broken"]');
      await box.waitFor();
      assert.match(await box.innerText(), new RegExp(`entry ${broken.expect.seq}\\b`));
      await checkA11y(other, 'checker, this copy broken');
    } finally {
      await otherContext.close();
    }
  });

  test('keeps text that looks like markup as text', async () => {
    const entries = clone(vectors.entries);
    entries.push({ ...vectors.newer_entry, body: '{"text":"</script><b>not bold</b>"}' });
    entries[5].hash = await chain.hashEntry(entries[5]);
    const file = path.join(dir, 'markup.html');
    await writeFile(file, buildCheckerPage(entries));
    const { context: otherContext, page: other } = await newPerson(browser);
    try {
      await other.goto(pathToFileURL(file).href);
      await other.locator('#this-verdict[data-verdict="intact"]').waitFor();
      assert.equal(await other.locator('b').count(), 0);
    } finally {
      await otherContext.close();
    }
  });
});
