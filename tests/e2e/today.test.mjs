// Today, as both people see it after a few weeks of living with an
// agreement: what is due, what waits, the facts since the last break and the
// weekly chart, in light and dark mode, at phone and desktop width.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPerson, checkA11y, screenshots, testClock } from './lib/browser.mjs';
import { preparePair, signIn } from './lib/prepare.mjs';

const DAY = 86_400;

/** The pair's date (Europe/Berlin) `offset` days from the server's now. */
function berlinDate(base, offset) {
  const d = new Date(base + offset * DAY * 1000);
  return d.toLocaleDateString('en-CA', { timeZone: 'Europe/Berlin' });
}

async function lightAndDark(page, name) {
  await page.emulateMedia({ colorScheme: 'light' });
  await checkA11y(page, `${name} (light)`);
  await screenshots(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await checkA11y(page, `${name} (dark)`);
  await screenshots(page, `${name}-dark`);
}

test('after three weeks, Today shows each person what is due, what waits, and how it went', async () => {
  const { server, sam, alex } = await preparePair();
  const browser = await launch();
  try {
    const start = Date.now();
    const fields = { title: 'Evenings', body: 'We talk every evening.', ends_on: '', action: 'save' };
    [['1', 'Call at nine', 'daily'], ['2', 'Ask before reading messages', 'standing']].forEach(([owner, text, kind], i) => {
      fields[`c${i}_owner`] = owner;
      fields[`c${i}_text`] = text;
      fields[`c${i}_kind`] = kind;
      fields[`c${i}_from`] = berlinDate(start, 0);
    });
    const created = await sam.submit('/agreements', fields);
    const id = created.location.split('/').pop();
    const revision = (await sam.get(`/agreements/${id}`)).text.match(/name="revision" value="(\d+)"/)[1];
    await sam.submit(`/agreements/${id}/propose`, { revision });
    await sam.submit(`/agreements/${id}/sign`, { revision });
    await alex.submit(`/agreements/${id}/sign`, { revision });
    const commitment = (await sam.get(`/agreements/${id}`)).text.match(/\/commitments\/(\d+)/)[1];

    // Three weeks pass. Sam records most evenings, misses a few, and one break.
    await testClock.advance(server.baseUrl, 21 * DAY);
    for (let n = 0; n < 21; n++) {
      if (n % 7 === 5) continue;
      const outcome = n === 9 ? 'broken' : 'kept';
      await sam.submit(`/commitments/${commitment}/record`, { day: berlinDate(start, n), outcome, note: '' });
    }
    await alex.submit('/noticed', { text: 'You put your phone away at dinner without being asked.' });
    await sam.submit('/checkins/rhythm', { every: 'week', weekday: 'sun', day_of_month: '' });

    const s = await newPerson(browser);
    const a = await newPerson(browser);
    await signIn(s.context, server, sam);
    await signIn(a.context, server, alex);

    await s.page.goto(server.baseUrl + '/');
    const samsToday = await s.page.locator('main').innerText();
    assert.match(samsToday, /Due for you/);
    assert.match(samsToday, /Call at nine/);
    assert.match(samsToday, /since .* \(the most recent counted break\), \d+ kept, none broken/);
    assert.match(samsToday, /You put your phone away at dinner/);
    assert.match(samsToday, /You proposed check-ins every week on Sunday/);
    assert.equal(await s.page.locator('svg.chart, figure svg').count() > 0, true, 'the weekly chart is drawn');
    await lightAndDark(s.page, 'today-sam');

    await a.page.goto(server.baseUrl + '/');
    const alexsToday = await a.page.locator('main').innerText();
    assert.match(alexsToday, /Waiting on you/);
    assert.match(alexsToday, /Sam proposed check-ins every week on Sunday/);
    assert.match(alexsToday, /and \d+ more like these/);
    await lightAndDark(a.page, 'today-alex');
  } finally {
    await browser.close();
    await server.stop();
  }
});
