// A brand-new server: its home page says it is waiting for the first person.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, newPerson, checkA11y, screenshots } from './lib/browser.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a new server says it is waiting for its first person', async () => {
  const { page } = await newPerson(browser);
  const response = await page.goto(server.baseUrl + '/');
  assert.equal(response.status(), 200);

  assert.match(await page.locator('body').innerText(), /first person/i);
  assert.equal(await page.getByRole('main').count(), 1, 'one main landmark');
  assert.ok((await page.locator('h1').count()) >= 1, 'a top-level heading');

  await checkA11y(page, 'home, before setup');
  await screenshots(page, 'home');
});
