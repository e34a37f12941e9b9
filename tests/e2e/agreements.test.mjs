// Agreements in two browsers: Sam and Alex co-write one (with a refused
// concurrent save, then resolved), both sign, print their copy as a PDF,
// record kept and broken with confirmation and disputes, see the pattern
// flag, and amend it while the old version stays readable. Each chapter
// starts from its own server, prepared over HTTP, so one failure does not
// hide the rest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './lib/server.mjs';
import { launch, newPerson, checkA11y, screenshots, testClock } from './lib/browser.mjs';
import { preparePair, signIn } from './lib/prepare.mjs';

const TITLE = 'Evenings and honesty';

function today(offsetDays = 0) {
  // The pair's zone is Europe/Berlin; en-CA formats as YYYY-MM-DD.
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return d.toLocaleDateString('en-CA', { timeZone: 'Europe/Berlin' });
}

/** Clicks something that submits a form and waits for the next page. */
async function submit(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  return response;
}

/** Both people in their own browser contexts, signed in. */
async function twoBrowsers(browser, server, sam, alex) {
  const s = await newPerson(browser);
  const a = await newPerson(browser);
  await signIn(s.context, server, sam);
  await signIn(a.context, server, alex);
  return { s: s.page, a: a.page, contexts: [s.context, a.context] };
}

/** A signed agreement made over HTTP: returns its id. */
async function signedOverHttp(sam, alex, rows) {
  const fields = { title: TITLE, body: 'We talk every evening.', ends_on: '', action: 'save' };
  rows.forEach((r, i) => {
    fields[`c${i}_owner`] = r.owner;
    fields[`c${i}_text`] = r.text;
    fields[`c${i}_kind`] = r.kind;
    fields[`c${i}_from`] = today();
  });
  const created = await sam.submit('/agreements', fields);
  const id = created.location.split('/').pop();
  const page = (await sam.get(`/agreements/${id}`)).text;
  const revision = page.match(/name="revision" value="(\d+)"/)[1];
  await sam.submit(`/agreements/${id}/propose`, { revision });
  await sam.submit(`/agreements/${id}/sign`, { revision });
  await alex.submit(`/agreements/${id}/sign`, { revision });
  return id;
}

test('Sam and Alex write an agreement together, one save is refused and resolved, both sign, and the copy prints', async () => {
  const { server, sam, alex } = await preparePair();
  const browser = await launch();
  try {
    const { s, a } = await twoBrowsers(browser, server, sam, alex);

    // Sam starts the draft.
    await s.goto(server.baseUrl + '/agreements');
    await checkA11y(s, 'agreements, empty');
    await submit(s, s.getByRole('link', { name: 'Start an agreement' }));
    await s.getByLabel('Title').fill(TITLE);
    await s.getByLabel('What you agree on').fill('We talk **every** evening, phones away.');
    await s.locator('#c0_text').fill('Call at nine');
    await s.locator('#c0_kind').selectOption('daily');
    await s.locator('#c1_text').fill('I will not hide messages');
    await s.locator('#c1_kind').selectOption('standing');
    await checkA11y(s, 'new agreement form');
    await screenshots(s, 'agreements-new');
    await submit(s, s.getByRole('button', { name: 'Save the draft' }));
    assert.match(await s.locator('main').innerText(), /Your draft is saved/);
    const id = new URL(s.url()).pathname.split('/').pop();

    // Both open the editing form at the same time.
    await a.goto(`${server.baseUrl}/agreements/${id}/edit`);
    await s.goto(`${server.baseUrl}/agreements/${id}/edit`);
    await a.getByLabel('What you agree on').fill('We talk every evening, phones away, for twenty minutes.');
    await submit(a, a.getByRole('button', { name: 'Save a new revision' }));
    assert.match(await a.locator('main').innerText(), /Saved as revision 2/);

    // Sam saves on the old revision: refused, Alex's change shown, Sam's text kept.
    await s.getByLabel('What you agree on').fill('We talk every evening, phones away, and we listen.');
    const refused = await submit(s, s.getByRole('button', { name: 'Save a new revision' }));
    assert.equal(refused.status(), 409);
    const conflict = s.locator('#conflict');
    assert.match(await conflict.innerText(), /Alex saved a change while you were editing/);
    const inserted = await conflict.locator('ins').allInnerTexts();
    assert.ok(inserted.some((t) => t.includes('twenty')), `Alex's words are marked as added: ${inserted}`);
    assert.equal(await s.getByLabel('What you agree on').inputValue(), 'We talk every evening, phones away, and we listen.');
    await checkA11y(s, 'edit form after a refused save');
    await screenshots(s, 'agreements-conflict');
    // Resolved: Sam brings in Alex's words and saves again.
    await s.getByLabel('What you agree on').fill('We talk every evening, phones away, for twenty minutes, and we listen.');
    await submit(s, s.getByRole('button', { name: 'Save a new revision' }));
    assert.match(await s.locator('main').innerText(), /Saved as revision 3/);

    // Alex sees what Sam changed since the revision Alex last read.
    await a.goto(`${server.baseUrl}/agreements/${id}`);
    assert.match(await a.locator('.changes').innerText(), /and we listen/);
    await checkA11y(a, 'agreement with changes');
    await screenshots(a, 'agreements-changes');

    // Proposed and signed by both.
    await submit(a, a.getByRole('button', { name: /Propose revision 3/ }));
    await submit(a, a.getByRole('button', { name: 'Sign revision 3' }));
    await s.goto(`${server.baseUrl}/agreements`);
    assert.match(await s.locator('main').innerText(), /is proposed for signing/);
    await s.goto(`${server.baseUrl}/agreements/${id}`);
    await submit(s, s.getByRole('button', { name: 'Sign revision 3' }));
    assert.match(await s.locator('main').innerText(), /Version 1 is now in force/);
    await checkA11y(s, 'agreement in force');
    await screenshots(s, 'agreements-in-force');

    // The print view, and the copy as a PDF.
    await s.goto(`${server.baseUrl}/agreements/${id}/versions/1/print`);
    const text = await s.locator('main').innerText();
    assert.ok(text.includes(TITLE), 'the print view names the agreement');
    assert.match(text, /Sam/);
    assert.match(text, /Alex/);
    assert.match(text, /entry #\d+/);
    await checkA11y(s, 'print view');
    await screenshots(s, 'agreements-print');
    const outDir = path.join(repoRoot, 'target');
    await mkdir(outDir, { recursive: true });
    for (const format of ['A4', 'Letter']) {
      const file = path.join(outDir, `agreement-print-${format}.pdf`);
      await s.emulateMedia({ media: 'print' });
      await s.pdf({ path: file, format, printBackground: false });
      const info = await stat(file);
      assert.ok(info.size > 2000, `${format} PDF has content (${info.size} bytes)`);
      const head = (await readFile(file)).subarray(0, 5).toString('latin1');
      assert.equal(head, '%PDF-');
      if (existsSync('/usr/bin/pdftotext')) {
        const pdfText = execFileSync('/usr/bin/pdftotext', [file, '-']).toString('utf8');
        assert.ok(pdfText.includes(TITLE), `the ${format} PDF holds the title`);
      }
    }
    await s.emulateMedia({ media: 'screen' });
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('Sam records kept and Alex confirms; breaks are self-reported, observed, disputed, and a second raises the pattern flag', async () => {
  const { server, sam, alex } = await preparePair();
  const browser = await launch();
  try {
    const id = await signedOverHttp(sam, alex, [
      { owner: '1', text: 'Call at nine', kind: 'daily' },
      { owner: '1', text: 'I will not hide messages', kind: 'standing' },
    ]);
    const { s, a } = await twoBrowsers(browser, server, sam, alex);
    await s.goto(`${server.baseUrl}/agreements/${id}`);
    await submit(s, s.getByRole('link', { name: 'Call at nine' }).first());
    const dailyUrl = s.url();
    assert.match(await s.locator('main').innerText(), /Due today/);
    await checkA11y(s, 'commitment, due today');

    // Sam records today as kept.
    await submit(s, s.getByRole('link', { name: /^Record/ }).first());
    await s.getByLabel('I kept it').check();
    await s.getByLabel('A note (optional)').fill('We talked at nine.');
    await checkA11y(s, 'record form');
    await submit(s, s.getByRole('button', { name: 'Record it' }));
    assert.match(await s.locator('main').innerText(), /waiting for confirmation/);

    // Alex sees it waiting and confirms.
    await a.goto(`${server.baseUrl}/agreements`);
    await submit(a, a.getByRole('link', { name: /recorded “Call at nine” as kept/ }));
    await checkA11y(a, 'record page, to confirm');
    await submit(a, a.getByRole('button', { name: 'Confirm it was kept' }));
    await a.goto(dailyUrl);
    assert.match(await a.locator('main').innerText(), /Kept · confirmed/);
    await screenshots(a, 'commitment-daily');

    // The standing commitment: Sam self-reports a break.
    await s.goto(`${server.baseUrl}/agreements/${id}`);
    await submit(s, s.getByRole('link', { name: 'I will not hide messages' }).first());
    const standingUrl = s.url();
    await submit(s, s.getByRole('link', { name: 'Record a break' }));
    await s.getByLabel(/I broke it/).check();
    await s.getByLabel('A note (optional)').fill('I deleted a message from my brother.');
    await submit(s, s.getByRole('button', { name: 'Record it' }));
    assert.match(await s.locator('main').innerText(), /Broken · self-reported/);

    // A day later Alex records a break they saw; Sam disputes it.
    await testClock.advance(server.baseUrl, 86_400);
    await a.goto(standingUrl);
    await submit(a, a.getByRole('link', { name: 'Record a break' }));
    await a.getByLabel(/I saw it broken/).check();
    await a.getByLabel('A note (optional)').fill('Your phone was face down all evening.');
    await submit(a, a.getByRole('button', { name: 'Record it' }));
    await s.goto(`${server.baseUrl}/agreements`);
    await submit(s, s.getByRole('link', { name: /recorded a break of “I will not hide messages”/ }));
    await s.getByLabel(/A note/).fill('It was face down because I was cooking.');
    await submit(s, s.getByRole('button', { name: 'Dispute it' }));
    assert.match(await s.locator('main').innerText(), /listed for your next conversation/);
    await s.goto(standingUrl);
    let page = await s.locator('main').innerText();
    assert.match(page, /Disputed/);
    assert.doesNotMatch(page, /A pattern/, 'a disputed break does not count');
    await a.goto(`${server.baseUrl}/agreements`);
    assert.match(await a.locator('main').innerText(), /to settle together/);
    await checkA11y(a, 'agreements list with a dispute');

    // Another day, Sam self-reports a second break: a pattern.
    await testClock.advance(server.baseUrl, 86_400);
    await s.goto(standingUrl);
    await submit(s, s.getByRole('link', { name: 'Record a break' }));
    await s.getByLabel(/I broke it/).check();
    await submit(s, s.getByRole('button', { name: 'Record it' }));
    page = await s.locator('main').innerText();
    assert.match(page, /A pattern/);
    assert.match(page, /broken twice within 30 days/);
    await checkA11y(s, 'commitment with a pattern');
    await screenshots(s, 'commitment-pattern');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('an amendment is proposed and signed while the old version stays readable', async () => {
  const { server, sam, alex } = await preparePair();
  const browser = await launch();
  try {
    const id = await signedOverHttp(sam, alex, [{ owner: '2', text: 'I will say when I am upset', kind: 'standing' }]);
    const { s, a } = await twoBrowsers(browser, server, sam, alex);
    await a.goto(`${server.baseUrl}/agreements/${id}`);
    await submit(a, a.getByRole('button', { name: 'Start an amendment' }));
    assert.match(await a.locator('main').innerText(), /This is an amendment/);
    await a.getByLabel('What you agree on').fill('We talk every evening, and on Sundays we walk.');
    await submit(a, a.getByRole('button', { name: 'Save a new revision' }));
    await submit(a, a.getByRole('button', { name: /Propose revision/ }));
    await submit(a, a.getByRole('button', { name: /Sign revision/ }));

    // Until Sam signs, version 1 is in force.
    await s.goto(`${server.baseUrl}/agreements/${id}`);
    let text = await s.locator('main').innerText();
    assert.match(text, /In force · version 1/);
    assert.match(text, /on Sundays we walk/);
    await checkA11y(s, 'agreement with an amendment waiting');
    await screenshots(s, 'agreements-amendment');
    await submit(s, s.getByRole('button', { name: /Sign revision/ }));
    text = await s.locator('main').innerText();
    assert.match(text, /Version 2 is now in force/);

    // Version 1 stays readable, with its own text and signatures.
    await s.goto(`${server.baseUrl}/agreements/${id}/versions/1`);
    text = await s.locator('main').innerText();
    assert.match(text, /We talk every evening\./);
    assert.doesNotMatch(text, /Sundays/);
    assert.match(text, /Signed by both/);
    await checkA11y(s, 'version 1');
    await screenshots(s, 'agreements-version-1');
  } finally {
    await browser.close();
    await server.stop();
  }
});
