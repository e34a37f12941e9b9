// Prepares a server over HTTP, the way two people would in their browsers:
// Sam opens the setup link, makes an invite, Alex joins with it. Returns each
// person's session cookie, ready to add to a browser context.

import assert from 'node:assert/strict';

export const PASSWORD = 'correct walnut lantern ferry';
const COOKIE = 'amends_session';

/** The session cookie a response set, if any. */
function sessionFrom(response) {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const [name, value] = pair.split('=');
    if (name.trim() === COOKIE && value) return value;
  }
  return null;
}

/** POSTs a form as a same-origin page would. */
export async function postForm(baseUrl, path, fields, session) {
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    origin: baseUrl,
    'sec-fetch-site': 'same-origin',
  };
  if (session) headers.cookie = `${COOKIE}=${session}`;
  return fetch(baseUrl + path, {
    method: 'POST',
    headers,
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** GETs a page with a session and returns its text. */
export async function getPage(baseUrl, path, session) {
  const response = await fetch(baseUrl + path, { headers: { cookie: `${COOKIE}=${session}` }, redirect: 'manual' });
  assert.equal(response.status, 200, `GET ${path} answered ${response.status}`);
  return response.text();
}

/** Sam sets up the server and invites Alex, who joins. */
export async function preparePair(server, { timeZone = 'Europe/Berlin' } = {}) {
  const base = server.baseUrl;
  const link = new URL(await server.waitForSetupLink());
  const setup = await postForm(base, link.pathname, {
    name: 'Sam',
    password: PASSWORD,
    password_again: PASSWORD,
    time_zone: timeZone,
  });
  assert.equal(setup.status, 303, `setup answered ${setup.status}: ${await setup.text()}`);
  const sam = sessionFrom(setup);
  assert.ok(sam, 'setup signs Sam in');

  const invite = await postForm(base, '/invite', {}, sam);
  let page = await invite.text();
  if (invite.status === 303) page = await getPage(base, '/invite', sam);
  const join = page.match(/\/join\/[A-Za-z0-9_-]+/);
  assert.ok(join, 'the invite page shows a join link');

  const joined = await postForm(base, join[0], { name: 'Alex', password: PASSWORD, password_again: PASSWORD });
  assert.equal(joined.status, 303, `joining answered ${joined.status}`);
  const alex = sessionFrom(joined);
  assert.ok(alex, 'joining signs Alex in');
  return { sam, alex };
}

/** A browser context signed in with a session from preparePair. */
export async function signedInContext(browser, baseUrl, session, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.addCookies([{ name: COOKIE, value: session, url: baseUrl }]);
  const page = await context.newPage();
  return { context, page };
}
