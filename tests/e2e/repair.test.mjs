// The repair path, played by Sam and Alex in two browser contexts. Each
// chapter starts from its own fresh server, prepared over HTTP up to where
// the chapter begins, so one failure does not hide the rest.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPerson, checkA11y, screenshots, testClock } from './lib/browser.mjs';
import { preparePair, signIn } from './lib/prepare.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A prepared pair with a browser context for each, and clean-up. */
async function chapter(run) {
  const { server, sam, alex } = await preparePair();
  const samBrowser = await newPerson(browser);
  const alexBrowser = await newPerson(browser);
  try {
    await signIn(samBrowser.context, server, sam);
    await signIn(alexBrowser.context, server, alex);
    await run({ server, sam, alex, samPage: samBrowser.page, alexPage: alexBrowser.page });
  } finally {
    await samBrowser.context.close();
    await alexBrowser.context.close();
    await server.stop();
  }
}

/** Axe check and screenshots at phone and desktop width. */
async function look(page, name) {
  await checkA11y(page, name);
  await screenshots(page, name);
}

const BREACH = {
  title: 'I hid the messages',
  what_happened: 'For two months I kept messages with my ex from Alex, and deleted them.',
  happened_on: '2026-01-10',
  seriousness: 'serious',
  broke_trust: '1',
  first_telling: 'yes',
};

/** Over HTTP: Sam records a self-disclosed breach and Alex confirms it. */
async function recordedBreach({ sam, alex }) {
  const { location } = await sam.submit('/breaches', BREACH);
  const id = location.split('/').pop();
  await alex.submit(`/breaches/${id}/disclosure`, { choice: 'confirmed' });
  return id;
}

/** Over HTTP: … and understanding is reached in one round. */
async function understoodBreach(people) {
  const id = await recordedBreach(people);
  await people.alex.submit(`/breaches/${id}/impact`, { text: 'I stopped believing what you told me.' });
  await people.sam.submit(`/breaches/${id}/explanation`, {
    what_and_why: 'I hid them because I was afraid of the conversation.',
    their_feelings: 'Foolish, and alone in it.',
  });
  await people.alex.submit(`/breaches/${id}/understanding`, { choice: 'understood' });
  return id;
}

test('Sam records a breach of their own and Alex confirms it was a first telling', async () => {
  await chapter(async ({ server, samPage, alexPage }) => {
    await samPage.goto(server.baseUrl + '/breaches');
    await look(samPage, 'repair-list-empty');
    await samPage.getByRole('link', { name: 'Record a breach' }).click();
    await samPage.getByLabel('I did', { exact: true }).check();
    await samPage.getByLabel(/telling Alex about this for the first time/).check();
    await samPage.getByLabel('A short title').fill(BREACH.title);
    await samPage.getByLabel('What happened').fill(BREACH.what_happened);
    await samPage.getByLabel('When it happened').fill(BREACH.happened_on);
    await samPage.getByLabel(/A serious break/).check();
    await look(samPage, 'repair-new');
    await samPage.getByRole('button', { name: 'Record this breach' }).click();
    await samPage.waitForURL(/\/breaches\/\d+$/);
    const url = samPage.url();
    assert.match(await samPage.locator('main').innerText(), /The breach was recorded/);
    assert.match(await samPage.locator('main').innerText(), /You broke trust here; Alex was hurt/);

    await alexPage.goto(url);
    const main = alexPage.locator('main');
    assert.match(await main.innerText(), /Sam says they are telling you about this for the first time/);
    assert.match(await main.innerText(), /What is waiting/);
    await look(alexPage, 'repair-breach-disclosure');
    await alexPage.getByRole('button', { name: 'Yes, this is the first I heard of it' }).click();
    await alexPage.waitForURL(url);
    assert.match(await main.innerText(), /Sam owned up first/);

    await samPage.goto(server.baseUrl + '/breaches');
    const list = await samPage.locator('main').innerText();
    assert.match(list, /Open \(1\)/);
    assert.match(list, /I hid the messages/);
    assert.match(list, /Owned up first/);
    await look(samPage, 'repair-list');
  });
});

test('both write their sides, one "not yet" round, then Alex feels understood', async () => {
  await chapter(async (people) => {
    const { server, samPage, alexPage } = people;
    const id = await recordedBreach(people);
    const url = `${server.baseUrl}/breaches/${id}`;

    await alexPage.goto(url);
    await alexPage.getByRole('link', { name: 'Write how this affected you' }).click();
    await alexPage.getByLabel('How it affected you').fill('I stopped believing what you told me, and I check your phone in my head all day.');
    await look(alexPage, 'repair-impact');
    await alexPage.getByRole('button', { name: 'Share this with Sam' }).click();
    await alexPage.waitForURL(url);

    await samPage.goto(url);
    await samPage.getByRole('link', { name: 'Write your side' }).click();
    assert.match(await samPage.locator('main').innerText(), /I check your phone in my head/);
    await samPage.getByLabel('What you did, and why').fill('I hid the messages because I was afraid of the conversation.');
    await samPage.getByLabel('How you understand Alex felt').fill('Angry with me.');
    await look(samPage, 'repair-explanation');
    await samPage.getByRole('button', { name: 'Share this with Alex' }).click();
    await samPage.waitForURL(url);

    await alexPage.goto(url);
    await alexPage.getByRole('link', { name: 'Answer: do they understand?' }).click();
    await alexPage.getByLabel('Not yet', { exact: true }).check();
    await alexPage.getByLabel('A note').fill('It was less anger than feeling foolish for trusting you.');
    await look(alexPage, 'repair-understanding-answer');
    await alexPage.getByRole('button', { name: 'Send my answer' }).click();
    await alexPage.waitForURL(url);

    await samPage.goto(url);
    await samPage.getByRole('link', { name: 'Try again' }).click();
    assert.match(await samPage.locator('main').innerText(), /feeling foolish for trusting you/);
    await samPage.getByLabel('How you understand Alex felt').fill('Foolish for having trusted me, and alone with it.');
    await samPage.getByRole('button', { name: 'Share this with Alex' }).click();
    await samPage.waitForURL(url);

    await alexPage.goto(url);
    await alexPage.getByRole('link', { name: 'Answer: do they understand?' }).click();
    await alexPage.getByLabel('Yes, you understand').check();
    await alexPage.getByRole('button', { name: 'Send my answer' }).click();
    await alexPage.waitForURL(url);

    await samPage.goto(url);
    const text = await samPage.locator('#understanding').innerText();
    assert.ok(text.indexOf('Round 1') < text.indexOf('Round 2'), 'rounds stay in order');
    assert.match(text, /Not yet\./);
    assert.match(text, /Yes, you understand\./);
    await look(samPage, 'repair-breach-understood');
  });
});

test('the apology: a hint in the preview, rewritten, sealed, opened, "not ready", and the 3-day hold', async () => {
  await chapter(async (people) => {
    const { server, samPage, alexPage } = people;
    const id = await understoodBreach(people);
    const url = `${server.baseUrl}/breaches/${id}`;

    await samPage.goto(url);
    await samPage.getByRole('link', { name: 'Write an apology' }).click();
    await look(samPage, 'repair-apology-form');
    const textarea = samPage.getByLabel('Your apology');
    await textarea.fill('I am sorry, but I was scared of losing you.');
    await samPage.getByRole('button', { name: 'Preview', exact: true }).click();
    assert.ok(await samPage.locator('.hint-mark').count() >= 1, 'the hint is marked in the preview');
    assert.match(await samPage.locator('.preview').innerText(), /Justifying/);
    assert.equal(await textarea.inputValue(), 'I am sorry, but I was scared of losing you.', 'the text stays in the form');
    await look(samPage, 'repair-apology-preview-hint');

    const sincere = 'I hid those messages from you for two months, and I am sorry. It made you doubt yourself and everything I said. I will answer any question you ask, and show you anything you want to see.';
    await textarea.fill(sincere);
    await samPage.getByRole('button', { name: 'Preview again' }).click();
    assert.match(await samPage.locator('.preview').innerText(), /No hints for this text/);
    await samPage.getByLabel('I take responsibility, in the first person').check();
    await samPage.getByLabel('I name the harm it did').check();
    await samPage.getByLabel('I offer to repair it').check();
    await look(samPage, 'repair-apology-preview-clear');
    await samPage.getByRole('button', { name: 'Send to Alex, sealed' }).click();
    await samPage.waitForURL(url);
    assert.match(await samPage.locator('#apology').innerText(), /Sealed; Alex has not opened it yet/);

    await alexPage.goto(url);
    assert.doesNotMatch(await alexPage.locator('main').innerText(), /I hid those messages/, 'sealed until opened');
    await look(alexPage, 'repair-apology-sealed');
    await alexPage.getByRole('button', { name: 'Open the apology' }).click();
    await alexPage.waitForURL(/\/apologies\/\d+$/);
    assert.match(await alexPage.locator('main').innerText(), /I hid those messages/);
    await alexPage.getByLabel('Received — I am not ready yet').check();
    await alexPage.getByLabel('A note for Sam (optional)').fill('I read it. I need some time.');
    await look(alexPage, 'repair-apology-open');
    await alexPage.getByRole('button', { name: 'Send my answer' }).click();
    await alexPage.waitForURL(url);

    await samPage.goto(url);
    const apology = samPage.locator('#apology');
    assert.match(await apology.innerText(), /Received — I am not ready yet/);
    assert.match(await apology.innerText(), /a new one can be sent from/);
    assert.equal(await samPage.getByRole('link', { name: 'Write a new apology' }).count(), 0);
    await look(samPage, 'repair-apology-hold');

    await testClock.advance(server.baseUrl, 3 * 24 * 3600 + 60);
    await samPage.reload();
    assert.doesNotMatch(await apology.innerText(), /a new one can be sent from/);
    assert.equal(await samPage.getByRole('link', { name: 'Write a new apology' }).count(), 1);
  });
});

test('Sam asks what would help, and Alex answers with two requests', async () => {
  await chapter(async (people) => {
    const { server, samPage, alexPage } = people;
    const id = await understoodBreach(people);
    const url = `${server.baseUrl}/breaches/${id}`;

    await samPage.goto(url);
    await samPage.getByRole('link', { name: 'Ask Alex' }).click();
    assert.match(await samPage.locator('main').innerText(), /What can I do to regain your trust\?/);
    await samPage.getByLabel('Anything you want to add (optional)').fill('Whatever it is, I want to hear it.');
    await look(samPage, 'repair-ask');
    await samPage.getByRole('button', { name: 'Ask Alex' }).click();
    await samPage.waitForURL(url);

    await alexPage.goto(url);
    await alexPage.getByRole('link', { name: 'Answer with a request' }).click();
    await alexPage.getByLabel('A request').fill('Tell me when you hear from your ex, the same day.');
    await look(alexPage, 'repair-requests');
    await alexPage.getByRole('button', { name: 'Add this request' }).click();
    await alexPage.waitForURL(url);
    await alexPage.getByRole('link', { name: 'Add another request' }).click();
    await alexPage.getByLabel('A request').fill('No locked phone between us for now.');
    await alexPage.getByRole('button', { name: 'Add this request' }).click();
    await alexPage.waitForURL(url);

    await samPage.goto(url);
    const asking = samPage.locator('#asking');
    const text = await asking.innerText();
    assert.match(text, /Tell me when you hear from your ex/);
    assert.match(text, /No locked phone between us/);
    assert.equal(await asking.locator('.request-status').count(), 2);
    assert.match(text, /Not in an agreement yet/);
    await look(samPage, 'repair-breach-requests');
  });
});

test('both commit to repair, and the breach moves to "being repaired"', async () => {
  await chapter(async (people) => {
    const { server, samPage, alexPage } = people;
    const id = await recordedBreach(people);
    const url = `${server.baseUrl}/breaches/${id}`;

    await samPage.goto(url);
    await samPage.getByRole('button', { name: 'Propose committing to repair' }).click();
    await samPage.waitForURL(url);
    assert.match(await samPage.locator('#commitment').innerText(), /Waiting for Alex to answer/);

    await alexPage.goto(url);
    assert.match(await alexPage.locator('.waiting').innerText(), /Answer Sam's proposal/);
    await look(alexPage, 'repair-commit-proposed');
    await alexPage.getByRole('button', { name: "Yes, let's commit to repair" }).click();
    await alexPage.waitForURL(url);
    assert.match(await alexPage.locator('#commitment').innerText(), /The repair is under way/);

    await samPage.goto(url);
    assert.match(await samPage.locator('main').innerText(), /Being repaired/);
    await look(samPage, 'repair-breach-committed');
    await samPage.goto(server.baseUrl + '/breaches');
    assert.match(await samPage.locator('main').innerText(), /Being repaired \(1\)/);
    await look(samPage, 'repair-list-being-repaired');
  });
});
