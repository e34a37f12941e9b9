// Living it: Sam and Alex agree on a check-in rhythm, hold a check-in and
// each write how they felt, note a good change, then find it all on the
// timeline. Each chapter starts from its own freshly prepared server.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, checkA11y, screenshots } from './lib/browser.mjs';
import { preparePair, signedInContext, postForm } from './lib/pair.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Screenshots in light and dark mode, at phone and desktop widths. */
async function lightAndDark(page, name) {
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshots(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await checkA11y(page, `${name} (dark)`);
  await screenshots(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('a check-in, a noticed change and the timeline', () => {
  let server;
  let sam;
  let alex;

  before(async () => {
    server = await startServer();
    const sessions = await preparePair(server);
    sam = await signedInContext(browser, server.baseUrl, sessions.sam);
    alex = await signedInContext(browser, server.baseUrl, sessions.alex);
  });
  after(async () => {
    await sam?.context.close();
    await alex?.context.close();
    await server?.stop();
  });

  test('Sam proposes a weekly rhythm and Alex agrees', async () => {
    const { page } = sam;
    await page.goto(server.baseUrl + '/checkins');
    await page.getByRole('link', { name: 'Check-ins' }).first().waitFor();
    await checkA11y(page, 'check-ins, no rhythm yet');
    await page.getByLabel('Every week').check();
    await page.getByLabel('On which day of the week').selectOption('sun');
    await page.getByRole('button', { name: 'Propose this rhythm' }).click();
    await page.getByText('You proposed check-ins every week on Sunday').first().waitFor();

    await alex.page.goto(server.baseUrl + '/checkins');
    await alex.page.getByText('Sam proposed check-ins every week on Sunday').waitFor();
    await checkA11y(alex.page, 'check-ins, a proposal to answer');
    await alex.page.getByRole('button', { name: 'Agree to this rhythm' }).click();
    await alex.page.getByText('You both agreed: check-ins every week on Sunday.').waitFor();
    assert.match(await alex.page.locator('main').innerText(), /The next check-in is/);
    await lightAndDark(alex.page, 'living-checkins');
  });

  test('Sam records a check-in and both write how they felt', async () => {
    const { page } = sam;
    await page.goto(server.baseUrl + '/checkins');
    await page.getByRole('link', { name: 'Prepare a check-in' }).click();
    await page.getByRole('heading', { name: 'What is waiting' }).waitFor();
    await checkA11y(page, 'prepare a check-in');
    await lightAndDark(page, 'living-checkin-prepare');
    await page.getByLabel('Notes you share').fill('We talked about evenings and phones.');
    await page.getByLabel('How you felt').fill('Relieved, a little tired.');
    await page.getByRole('button', { name: 'Record the check-in' }).click();
    await page.getByText('The check-in is recorded.').waitFor();
    const checkinUrl = page.url();
    assert.match(checkinUrl, /\/checkins\/\d+$/);

    await alex.page.goto(checkinUrl);
    await alex.page.getByText('Relieved, a little tired.').waitFor();
    await checkA11y(alex.page, 'a check-in, before Alex wrote');
    await alex.page.getByLabel('How you felt').fill('Hopeful, and heard.');
    await alex.page.getByRole('button', { name: 'Add how I felt' }).click();
    await alex.page.getByText('Your words are added to the check-in.').waitFor();
    const text = await alex.page.locator('main').innerText();
    assert.match(text, /Hopeful, and heard\./);
    assert.doesNotMatch(text, /Not written yet/);
    await checkA11y(alex.page, 'a check-in with both feelings');
    await lightAndDark(alex.page, 'living-checkin');
  });

  test('Alex writes down a good change noticed in Sam', async () => {
    const { page } = alex;
    await page.goto(server.baseUrl + '/noticed');
    await checkA11y(page, 'noticed, empty');
    // An empty form comes back with a message, nothing lost.
    await page.getByRole('button', { name: 'Write it down' }).click();
    await page.getByText('Please write what you noticed.').waitFor();
    await checkA11y(page, 'noticed, with an error');
    await page.getByLabel('What you noticed').fill('You told me about the dinner before I asked. <script>x</script>');
    await page.getByRole('button', { name: 'Write it down' }).click();
    await page.getByText('Written down. Sam can see it now.').waitFor();

    await sam.page.goto(server.baseUrl + '/noticed');
    const item = sam.page.locator('.noticed-item').first();
    assert.match(await item.innerText(), /You told me about the dinner before I asked\. <script>x<\/script>/);
    await checkA11y(sam.page, 'noticed, one change');
    await lightAndDark(sam.page, 'living-noticed');
  });

  test('the timeline tells it all and filters by person and kind', async () => {
    const { page } = sam;
    await page.goto(server.baseUrl + '/timeline');
    const all = await page.locator('main').innerText();
    assert.match(all, /Alex noticed a good change in Sam/);
    assert.match(all, /Alex added how they felt at the check-in/);
    assert.match(all, /Sam recorded the check-in/);
    assert.match(all, /Alex agreed to check-ins every week on Sunday/);
    assert.match(all, /Sam set up Amends and created the first account/);
    await checkA11y(page, 'timeline');
    await lightAndDark(page, 'living-timeline');

    await page.getByLabel('Who').selectOption({ label: 'Alex' });
    await page.getByLabel('What').selectOption('check-ins');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/person=2/);
    const filtered = await page.locator('main').innerText();
    assert.match(filtered, /Alex agreed to check-ins/);
    assert.match(filtered, /Alex added how they felt/);
    assert.doesNotMatch(filtered, /Sam recorded the check-in/);
    assert.doesNotMatch(filtered, /noticed a good change/);
    await checkA11y(page, 'timeline, filtered');

    // Each entry links to what it is about.
    await page.getByRole('link', { name: /Open the check-in/ }).first().click();
    await page.getByRole('heading', { name: /Check-in of/ }).waitFor();
  });
});

describe('a long timeline pages back without losing anything', () => {
  let server;
  let sam;

  before(async () => {
    server = await startServer();
    const sessions = await preparePair(server);
    for (let i = 1; i <= 55; i += 1) {
      const response = await postForm(server.baseUrl, '/noticed', { text: `Change number ${i}` }, sessions.alex);
      assert.equal(response.status, 303);
    }
    sam = await signedInContext(browser, server.baseUrl, sessions.sam);
  });
  after(async () => {
    await sam?.context.close();
    await server?.stop();
  });

  test('older entries follow on the next page, and a filter keeps its place', async () => {
    const { page } = sam;
    await page.goto(server.baseUrl + '/timeline?category=noticed');
    assert.equal(await page.locator('ol.timeline > li').count(), 50);
    assert.match(await page.locator('main').innerText(), /Change number 55/);
    await page.getByRole('link', { name: 'Older entries' }).click();
    await page.waitForURL(/before=/);
    assert.match(page.url(), /category=noticed/);
    const text = await page.locator('main').innerText();
    assert.equal(await page.locator('ol.timeline > li').count(), 5);
    assert.match(text, /Change number 1\b/);
    assert.doesNotMatch(text, /Change number 6\b/);
    await checkA11y(page, 'timeline, older entries');
    await screenshots(page, 'living-timeline-older');

    await page.goto(server.baseUrl + '/noticed');
    await page.getByRole('link', { name: 'Earlier noticed changes' }).click();
    assert.equal(await page.locator('.noticed-item').count(), 20, 'twenty to a page');
    await checkA11y(page, 'noticed, earlier');
  });
});
