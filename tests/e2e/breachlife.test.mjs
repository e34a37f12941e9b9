// Living with a breach, played by Sam (who broke trust) and Alex (who was
// hurt) in two browser contexts: a question asked and answered, a repair
// action written down and seen, a trust level recorded and shared, a pause
// asked for, accepted and resumed, and trust restored. Each chapter starts
// from its own fresh server, prepared over HTTP, so one failure does not
// hide the rest.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPerson, checkA11y, screenshots } from './lib/browser.mjs';
import { preparePair, signIn } from './lib/prepare.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A prepared pair with a breach Sam broke, both committed to repair. */
async function chapter(run) {
  const { server, sam, alex } = await preparePair();
  const samBrowser = await newPerson(browser);
  const alexBrowser = await newPerson(browser);
  try {
    const { location } = await sam.submit('/breaches', {
      title: 'I hid the messages',
      what_happened: 'For two months I kept messages with my ex from Alex, and deleted them.',
      happened_on: '2026-01-10',
      seriousness: 'serious',
      broke_trust: '1',
    });
    const id = location.split('/').pop();
    await sam.submit(`/breaches/${id}/repair/propose`);
    await alex.submit(`/breaches/${id}/repair/confirm`);
    await signIn(samBrowser.context, server, sam);
    await signIn(alexBrowser.context, server, alex);
    const url = `${server.baseUrl}/breaches/${id}`;
    await run({ server, sam, alex, id, url, samPage: samBrowser.page, alexPage: alexBrowser.page });
  } finally {
    await samBrowser.context.close();
    await alexBrowser.context.close();
    await server.stop();
  }
}

/** Axe check and screenshots at phone and desktop width, light and dark. */
async function look(page, name) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await checkA11y(page, `${name} (${scheme})`);
    await screenshots(page, `breachlife-${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const text = (page) => page.locator('main').innerText();

test('Alex asks a question and Sam answers it; a follow-up comes after', async () => {
  await chapter(async ({ url, samPage, alexPage }) => {
    await alexPage.goto(url);
    await alexPage.getByRole('link', { name: 'Ask Sam a question' }).click();
    await alexPage.getByLabel('Your question').fill('Did you answer them after I asked you to stop?');
    await look(alexPage, 'questions-ask');
    await alexPage.getByRole('button', { name: 'Ask this question' }).click();
    await alexPage.waitForURL(/\/questions\/\d+$/);
    const questionUrl = alexPage.url();
    assert.match(await text(alexPage), /Your question was sent/);
    assert.match(await text(alexPage), /waited less than an hour for Sam's answer/);

    await samPage.goto(url);
    assert.match(await text(samPage), /Answer Alex's question\./);
    await samPage.goto(samPage.url().replace(/\/breaches\/.*/, '/questions'));
    assert.match(await text(samPage), /For you to answer/);
    await look(samPage, 'questions-list');
    await samPage.goto(questionUrl);
    await samPage.getByLabel('Answer Alex').fill('Yes, once, the week after. I am sorry I hid that too.');
    await look(samPage, 'questions-answer');
    await samPage.getByRole('button', { name: 'Send my answer' }).click();
    await samPage.waitForURL(questionUrl);
    assert.match(await text(samPage), /Answers are never changed/);

    await alexPage.goto(questionUrl);
    assert.match(await text(alexPage), /Yes, once, the week after/);
    await alexPage.getByLabel('Your follow-up').fill('Thank you for telling me.');
    await alexPage.getByRole('button', { name: 'Add follow-up' }).click();
    await alexPage.waitForURL(/\/questions\/\d+#follow-up-\d+$/);
    assert.match(await text(alexPage), /Thank you for telling me\./);
    await look(alexPage, 'questions-thread');
  });
});

test('Sam writes down a repair action and Alex marks it seen', async () => {
  await chapter(async ({ url, samPage, alexPage }) => {
    await samPage.goto(url);
    await samPage.getByRole('link', { name: 'Write down something you did' }).click();
    await samPage.getByLabel('What you did', { exact: true }).fill('I showed Alex my phone on Sunday without being asked.');
    await look(samPage, 'actions-log');
    await samPage.getByRole('button', { name: 'Write it down' }).click();
    await samPage.waitForURL(/\/actions$/);
    assert.match(await text(samPage), /Not marked as seen yet/);

    await alexPage.goto(url);
    assert.match(await text(alexPage), /See what Sam did to repair this/);
    await alexPage.getByRole('link', { name: /^Open the action of/ }).first().click();
    await alexPage.getByLabel('A word for Sam').fill('Thank you. That helped.');
    await look(alexPage, 'actions-seen-form');
    await alexPage.getByRole('button', { name: 'I saw this' }).click();
    await alexPage.waitForURL(/\/actions\/\d+$/);
    assert.match(await text(alexPage), /You saw this/);

    await samPage.goto(samPage.url().replace(/\/breaches\/.*/, '/actions'));
    assert.match(await text(samPage), /Alex saw this: “Thank you\. That helped\.”/);
    await look(samPage, 'actions-list');
  });
});

test('Alex records trust levels, privately, then shares them with Sam', async () => {
  await chapter(async ({ server, url, samPage, alexPage }) => {
    await alexPage.goto(url);
    await alexPage.getByLabel('Your trust today, 0 to 10').fill('12');
    await alexPage.getByRole('button', { name: 'Write it down' }).click();
    // A value outside 0–10 comes back with a message, on the trust page.
    assert.match(await text(alexPage), /whole number from 0/);
    await look(alexPage, 'trust-error');
    await alexPage.getByLabel('Your trust today, 0 to 10').fill('3');
    await alexPage.getByLabel('A note for yourself').fill('Still checking your phone in my head.');
    await alexPage.getByRole('button', { name: 'Write it down' }).click();
    await alexPage.waitForURL(url);
    assert.match(await text(alexPage), /Only you can see it/);

    await samPage.goto(url);
    assert.doesNotMatch(await text(samPage), /Still checking/);
    assert.equal(await samPage.locator('.chart-svg').count(), 0);

    await alexPage.getByRole('button', { name: 'Share with Sam' }).click();
    await alexPage.waitForURL(url);
    assert.match(await text(alexPage), /Sam can now see your trust levels/);
    assert.equal(await alexPage.locator('#trust .chart-svg').count(), 1);
    await look(alexPage, 'trust-breach-hurt');

    await samPage.goto(url);
    assert.match(await text(samPage), /Alex chose to share how much they trust you/);
    assert.equal(await samPage.locator('#trust .chart-svg').count(), 1);
    await samPage.goto(`${url}/trust`);
    assert.match(await text(samPage), /Still checking your phone in my head/);
    await look(samPage, 'trust-page-shared');

    await samPage.goto(`${server.baseUrl}/timeline`);
    const timeline = await text(samPage);
    assert.match(timeline, /Alex chose to share their trust levels/);
    assert.doesNotMatch(timeline, /Still checking/);
  });
});

test('Sam asks for a pause, Alex accepts it, and later resumes the repair', async () => {
  await chapter(async ({ url, samPage, alexPage }) => {
    await samPage.goto(url);
    await samPage.getByRole('link', { name: 'Ask for a pause' }).click();
    await samPage.getByLabel('Why you are asking').fill('My father is in hospital; I need a week.');
    await look(samPage, 'pause-request');
    await samPage.getByRole('button', { name: 'Ask Alex' }).click();
    await samPage.waitForURL(url);
    assert.match(await text(samPage), /Waiting for Alex's answer/);

    await alexPage.goto(url);
    assert.match(await text(alexPage), /Answer Sam's request for a pause/);
    await look(alexPage, 'pause-requested');
    await alexPage.getByRole('button', { name: 'Accept and pause' }).click();
    await alexPage.waitForURL(url);
    assert.match(await text(alexPage), /This repair is paused/);

    await samPage.goto(url);
    assert.match(await text(samPage), /This repair is paused since/);
    assert.match(await text(samPage), /My father is in hospital/);
    await look(samPage, 'pause-paused');

    await alexPage.getByRole('button', { name: 'Resume the repair' }).click();
    await alexPage.waitForURL(url);
    assert.match(await text(alexPage), /The repair is resumed/);
    assert.match(await text(alexPage), /Paused from .* until /);
  });
});

test('Alex says trust is restored; it is marked warmly for both, and on the timeline', async () => {
  await chapter(async ({ server, url, sam, alex, id, samPage, alexPage }) => {
    await alex.submit(`/breaches/${id}/trust`, { level: '4' });
    await alex.submit(`/breaches/${id}/trust`, { level: '8' });
    await samPage.goto(url);
    assert.doesNotMatch(await text(samPage), /Say trust is restored/);
    assert.match(await text(samPage), /Only Alex can say when trust is restored/);

    await alexPage.goto(url);
    await alexPage.getByRole('link', { name: 'Say trust is restored' }).click();
    await alexPage.getByLabel('A note for Sam').fill('Thank you for staying with it, every week.');
    await look(alexPage, 'restored-form');
    await alexPage.getByRole('button', { name: 'Say trust is restored' }).click();
    await alexPage.waitForURL(url);
    assert.match(await text(alexPage), /You said your trust in Sam is restored/);
    assert.equal(await alexPage.locator('#trust .chart-restored').count(), 1);
    await look(alexPage, 'restored-hurt');

    await samPage.goto(url);
    assert.match(await text(samPage), /Alex said their trust in you is restored/);
    assert.match(await text(samPage), /Thank you for staying with it/);
    await look(samPage, 'restored-breach');
    await samPage.goto(`${server.baseUrl}/breaches`);
    assert.match(await text(samPage), /Trust restored/);
    await samPage.goto(`${server.baseUrl}/timeline?category=trust`);
    assert.match(await text(samPage), /Alex said trust is restored after “I hid the messages”/);
    await look(samPage, 'restored-timeline');

    await alexPage.getByRole('link', { name: 'Take it back' }).click();
    await alexPage.getByRole('button', { name: 'Take it back' }).click();
    await alexPage.waitForURL(url);
    assert.match(await text(alexPage), /took it back/);
    void sam;
  });
});
