// Each keeps a copy: downloading one through the page, checking it offline
// from disk, comparing it with a newer and a tampered one, the tripwire after
// a database rewrite (and its silence after ordinary activity), and closing
// an account. Each chapter starts its own server, prepared over HTTP.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import AdmZip from 'adm-zip';
import { startServer, repoRoot } from './lib/server.mjs';
import { launch, newPerson, checkA11y, screenshots } from './lib/browser.mjs';

const PASSWORD = 'correct walnut lantern ferry';
const chainJs = await readFile(path.join(repoRoot, 'static', 'js', 'chain.js'), 'utf8');

function loadChain() {
  const fakeWindow = { crypto: globalThis.crypto };
  new Function('window', 'crypto', 'module', chainJs)(fakeWindow, globalThis.crypto, undefined);
  return fakeWindow.AmendsChain;
}
const chain = loadChain();

/** A form POST as a page of the app sends it; returns the raw response. */
async function post(baseUrl, pathname, fields, cookie) {
  return fetch(baseUrl + pathname, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: baseUrl,
      'sec-fetch-site': 'same-origin',
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
}

function sessionCookie(response) {
  const line = response.headers.getSetCookie().find((c) => c.startsWith('amends_session='));
  assert.ok(line, `a session cookie (status ${response.status})`);
  return line.split(';')[0];
}

/** Sam sets up, Alex joins by invite; returns both cookies. */
async function preparePair(server) {
  const setup = new URL(await server.waitForSetupLink());
  const sam = sessionCookie(await post(server.baseUrl, setup.pathname, {
    name: 'Sam', password: PASSWORD, password_again: PASSWORD, time_zone: 'Europe/Berlin',
  }));
  const invitePage = await (await post(server.baseUrl, '/invite', {}, sam)).text();
  const join = invitePage.match(/\/join\/[A-Za-z0-9_-]+/)[0];
  const alex = sessionCookie(await post(server.baseUrl, join, {
    name: 'Alex', password: PASSWORD, password_again: PASSWORD,
  }));
  return { sam, alex };
}

/** A browser context signed in with the given session cookie. */
async function signedIn(browser, server, cookie, options) {
  const person = await newPerson(browser, options);
  const [name, value] = cookie.split('=');
  await person.context.addCookies([{ name, value, url: server.baseUrl }]);
  return person;
}

/** Takes a copy over HTTP (as the page's form does). */
async function takeCopyOverHttp(server, cookie) {
  const page = await (await fetch(server.baseUrl + '/copy', { headers: { cookie } })).text();
  const once = page.match(/name="once" value="([0-9a-f]{32})"/)[1];
  const response = await post(server.baseUrl, '/copy', { once }, cookie);
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

async function recordSince(server, cookie, seq) {
  const res = await fetch(`${server.baseUrl}/record/since?seq=${seq}`, { headers: { cookie } });
  assert.equal(res.status, 200);
  return res.json();
}

async function wholeRecord(server, cookie) {
  const out = [];
  let seq = 0;
  for (;;) {
    const page = await recordSince(server, cookie, seq);
    out.push(...page.entries);
    if (!page.more) return out;
    seq = out.at(-1).seq;
  }
}

/** Runs SQL on the server's database with the sqlite3 command line tool. */
function sql(server, statements) {
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.dataDir, 'amends.db')], {
    input: statements,
  });
}

/** Rewrites entry `seq`'s body and recomputes every later hash, as someone
 *  holding the database file could; the chain stays whole on its own. */
async function rewriteHistory(server, cookie, seq, body) {
  const entries = await wholeRecord(server, cookie);
  const i0 = entries.findIndex((e) => e.seq === seq);
  entries[i0].body = body;
  const updates = ['DROP TRIGGER IF EXISTS ledger_refuses_update;', 'BEGIN;'];
  for (let i = i0; i < entries.length; i++) {
    if (i > 0) entries[i].prev_hash = entries[i - 1].hash;
    entries[i].hash = await chain.hashEntry(entries[i]);
    const hex = Buffer.from(entries[i].body, 'utf8').toString('hex');
    updates.push(`UPDATE ledger SET body = X'${hex}', prev_hash = '${entries[i].prev_hash}', hash = '${entries[i].hash}' WHERE seq = ${entries[i].seq};`);
  }
  updates.push('COMMIT;');
  sql(server, updates.join('\n'));
  assert.equal((await chain.verifyChain(entries)).ok, true, 'the rewrite is whole on its own');
}

function unzipTo(buffer, dir) {
  const zip = new AdmZip(buffer);
  zip.extractAllTo(dir, true);
  return zip.getEntries().map((e) => e.entryName);
}

describe('taking a copy and checking it offline', () => {
  let server;
  let browser;
  let cookies;
  let dir;
  let sam;

  before(async () => {
    server = await startServer();
    browser = await launch();
    cookies = await preparePair(server);
    dir = await mkdtemp(path.join(tmpdir(), 'amends-copies-'));
    sam = await signedIn(browser, server, cookies.sam, { acceptDownloads: true });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the My copy page is accessible and says what the copy is for', async () => {
    await sam.page.goto(server.baseUrl + '/copy');
    assert.equal(await sam.page.locator('nav a[aria-current="page"]').innerText(), 'My copy');
    const text = await sam.page.locator('main').innerText();
    assert.match(text, /tripwire, not a guarantee/);
    assert.match(text, /Your copy is the guarantee/);
    await checkA11y(sam.page, 'my copy');
    await screenshots(sam.page, 'copies-my-copy');
  });

  test('one click downloads the copy, named with the date and the head', async () => {
    await sam.page.goto(server.baseUrl + '/copy');
    const [download] = await Promise.all([
      sam.page.waitForEvent('download'),
      sam.page.getByRole('button', { name: 'Download my copy' }).click(),
    ]);
    const name = download.suggestedFilename();
    assert.match(name, /^amends-\d{4}-\d{2}-\d{2}-[0-9a-f]{12}\.zip$/);
    const file = path.join(dir, name);
    await download.saveAs(file);
    const files = unzipTo(await readFile(file), path.join(dir, 'old'));
    for (const wanted of ['record.jsonl', 'manifest.json', 'check.html', 'archive/index.html', 'markdown/index.md']) {
      assert.ok(files.includes(wanted), `${wanted} in ${files}`);
    }
    const record = chain.parseRecord(await readFile(path.join(dir, 'old', 'record.jsonl'), 'utf8'));
    assert.equal(record.at(-1).kind, 'copy.taken', 'the copy holds its own taking');
    assert.equal(record.at(-1).hash.slice(0, 12), name.slice(-16, -4));
    // The page the browser is on now shows the new entry in its footer.
    await sam.page.goto(server.baseUrl + '/copy');
    assert.match(await sam.page.locator('main').innerText(), /Sam took a copy/);
  });

  test('its check.html, opened from disk, says the copy is intact', async () => {
    const { page } = sam;
    const problems = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(pathToFileURL(path.join(dir, 'old', 'check.html')).href);
    const box = page.locator('#this-verdict');
    await box.and(page.locator('[data-verdict="intact"]')).waitFor();
    assert.match(await box.innerText(), /intact/);
    assert.deepEqual(problems, []);
    await checkA11y(page, 'a copy\'s checker');
    await screenshots(page, 'copies-checker-intact');
  });

  test('the readable archive opens from disk and reads plainly', async () => {
    const { page } = sam;
    await page.goto(pathToFileURL(path.join(dir, 'old', 'archive', 'index.html')).href);
    assert.match(await page.locator('h1').innerText(), /Our record/);
    await checkA11y(page, 'archive index');
    await screenshots(page, 'copies-archive-index');
    await page.getByRole('link', { name: 'Sam', exact: true }).click();
    assert.match(await page.locator('main').innerText(), /Sam set up Amends and created the first account/);
    await checkA11y(page, 'archive page');
    await screenshots(page, 'copies-archive-person');
  });

  test('a newer copy after more activity continues the old one', async () => {
    const newer = await takeCopyOverHttp(server, cookies.alex);
    unzipTo(newer, path.join(dir, 'new'));
    const { page } = sam;
    await page.goto(pathToFileURL(path.join(dir, 'old', 'check.html')).href);
    await page.locator('#this-verdict[data-verdict="intact"]').waitFor();
    await page.setInputFiles('#newer-file', path.join(dir, 'new', 'record.jsonl'));
    const box = page.locator('#compare-verdict');
    await box.and(page.locator('[data-verdict="prefix"]')).waitFor();
    assert.match(await box.innerText(), /adds 1 entry/);
    await page.locator('#newer-verdict[data-verdict="intact"]').waitFor();
  });

  test('a tampered newer copy is caught, naming the entry', async () => {
    const text = await readFile(path.join(dir, 'new', 'record.jsonl'), 'utf8');
    const entries = chain.parseRecord(text);
    entries[2].body = entries[2].body.replace('Alex', 'Alec');
    assert.match(entries[2].body, /Alec/);
    const tampered = path.join(dir, 'tampered.jsonl');
    await writeFile(tampered, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const { page } = sam;
    await page.setInputFiles('#newer-file', tampered);
    const box = page.locator('#compare-verdict');
    await box.and(page.locator('[data-verdict="differs"]')).waitFor();
    assert.match(await box.innerText(), /Entry 3\b/);
    const newer = page.locator('#newer-verdict[data-verdict="broken"]');
    await newer.waitFor();
    assert.match(await newer.innerText(), /entry 3\b/);
    await checkA11y(page, 'checker, tampered newer copy');
    await screenshots(page, 'copies-checker-tampered');
  });
});

describe('the tripwire', () => {
  let server;
  let browser;
  let cookies;

  before(async () => {
    server = await startServer();
    browser = await launch();
    cookies = await preparePair(server);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const state = (page) => page.locator('#tripwire').getAttribute('data-state');
  async function settled(page) {
    await page.waitForFunction(() => {
      const box = document.getElementById('tripwire');
      return box && box.hasAttribute('data-state');
    });
    return state(page);
  }

  test('stays silent after ordinary new activity, then warns after a rewrite', async () => {
    const sam = await signedIn(browser, server, cookies.sam);
    await sam.page.goto(server.baseUrl + '/');
    assert.equal(await settled(sam.page), 'started');
    await sam.page.goto(server.baseUrl + '/copy');
    assert.equal(await settled(sam.page), 'same');

    await takeCopyOverHttp(server, cookies.alex);
    await sam.page.goto(server.baseUrl + '/');
    assert.equal(await settled(sam.page), 'followed');
    assert.equal(await sam.page.locator('#tripwire').isHidden(), true);

    await rewriteHistory(server, cookies.alex, 2, '{"name":"Alex","via":"someone else"}');
    await sam.page.goto(server.baseUrl + '/');
    assert.equal(await settled(sam.page), 'changed');
    const box = sam.page.locator('#tripwire');
    assert.equal(await box.isVisible(), true);
    assert.equal(await box.getAttribute('role'), 'alert');
    const text = await box.innerText();
    assert.match(text, /The record has changed since this browser last saw it/);
    assert.equal(await box.getByRole('link', { name: 'Go to My copy' }).getAttribute('href'), '/copy');
    await checkA11y(sam.page, 'tripwire warning');
    await screenshots(sam.page, 'copies-tripwire-warning');

    // It keeps warning until the person chooses to watch from now on.
    await sam.page.goto(server.baseUrl + '/copy');
    assert.equal(await settled(sam.page), 'changed');
    await box.getByRole('button', { name: /Watch from the record as it is now/ }).click();
    await sam.page.goto(server.baseUrl + '/');
    assert.equal(await settled(sam.page), 'same');
    await sam.context.close();
  });

  test('says once, on plain http, that the check needs https', async () => {
    const alex = await signedIn(browser, server, cookies.alex);
    await alex.context.addInitScript(() => {
      Object.defineProperty(window, 'isSecureContext', { get: () => false });
    });
    await alex.page.goto(server.baseUrl + '/');
    assert.equal(await settled(alex.page), 'needs-https');
    assert.match(await alex.page.locator('#tripwire').innerText(), /needs a secure \(https\) connection/);
    await checkA11y(alex.page, 'tripwire on http');
    await alex.page.goto(server.baseUrl + '/copy');
    await alex.page.waitForLoadState('load');
    assert.equal(await alex.page.locator('#tripwire').isHidden(), true, 'said only once');
    await alex.context.close();
  });
});

describe('closing an account', () => {
  let server;
  let browser;
  let cookies;

  before(async () => {
    server = await startServer();
    browser = await launch();
    cookies = await preparePair(server);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Sam closes his account after being offered his copy', async () => {
    const sam = await signedIn(browser, server, cookies.sam);
    const { page } = sam;
    await page.goto(server.baseUrl + '/copy');
    await page.getByRole('link', { name: 'Close my account…' }).click();
    assert.equal(new URL(page.url()).pathname, '/account/close');
    assert.equal(await page.getByRole('button', { name: 'Download my copy' }).count(), 1, 'the copy is offered first');
    await checkA11y(page, 'close my account');
    await screenshots(page, 'copies-close');

    await page.getByRole('button', { name: 'Close my account' }).click();
    assert.equal(await page.locator('#password[aria-invalid="true"]').count(), 1);
    await checkA11y(page, 'close my account, no password');

    await page.getByLabel('Your password, to confirm').fill(PASSWORD);
    await page.getByRole('button', { name: 'Close my account' }).click();
    await page.waitForURL(/\/login/);
    assert.match(await page.locator('.flash').innerText(), /Your account is closed/);

    await page.getByLabel('Your name').fill('Sam');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.locator('#login-error').innerText(), /do not match/);
    await sam.context.close();
  });

  test('Alex is told calmly, and can put the notice away', async () => {
    const alex = await signedIn(browser, server, cookies.alex);
    const { page } = alex;
    await page.goto(server.baseUrl + '/');
    const notice = page.locator('.departure');
    assert.match(await notice.innerText(), /Sam closed their account on/);
    await checkA11y(page, 'notice that Sam left');
    await screenshots(page, 'copies-departure-notice');
    await notice.getByRole('button', { name: 'Put this notice away' }).click();
    await page.waitForURL(server.baseUrl + '/');
    assert.equal(await page.locator('.departure').count(), 0);
    const record = await wholeRecord(server, cookies.alex);
    assert.equal(record.at(-1).kind, 'account.closed');
    assert.equal((await chain.verifyChain(record)).ok, true);
    await alex.context.close();
  });
});
