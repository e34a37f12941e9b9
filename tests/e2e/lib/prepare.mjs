// Prepares a fresh server over plain HTTP, so a chapter of a browser story
// can start where it needs to without clicking through everything before it:
// setup (Sam), an invite, joining (Alex), and both signed in with "keep me
// signed in" (so moving the test clock by days does not end their sessions).
//
//   const { server, sam, alex } = await preparePair();
//   await sam.post('/breaches', { title: '…', … });   // any form, as Sam
//   await signIn(context, server, sam);                // cookies into a browser context

import assert from 'node:assert/strict';
import { startServer } from './server.mjs';

export const PASSWORD = 'correct walnut lantern ferry';

/** One person's HTTP session: a cookie jar and form posts that follow the app's rules. */
export class HttpPerson {
  constructor(baseUrl, name) {
    this.baseUrl = baseUrl;
    this.name = name;
    this.cookies = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  remember(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** GET a path; returns { status, location, text }. */
  async get(path) {
    const response = await fetch(this.baseUrl + path, {
      headers: { cookie: this.cookieHeader() },
      redirect: 'manual',
    });
    this.remember(response);
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  /** POSTs a form the way a page of the app would; returns { status, location, text }. */
  async post(path, fields = {}) {
    const response = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: this.baseUrl,
        'sec-fetch-site': 'same-origin',
        cookie: this.cookieHeader(),
      },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    this.remember(response);
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  /** Like post, but fails unless the app answered with a redirect (success). */
  async submit(path, fields = {}) {
    const result = await this.post(path, fields);
    assert.equal(result.status, 303, `POST ${path} as ${this.name} answered ${result.status}:\n${result.text.slice(0, 2000)}`);
    return result;
  }
}

/**
 * Starts a fresh server and makes the pair: Sam through the setup link,
 * Alex through Sam's invite, both then signed in persistently.
 * Returns { server, sam, alex } (HttpPerson each). Stop with server.stop().
 */
export async function preparePair({ timeZone = 'Europe/Berlin', serverOptions = {} } = {}) {
  const server = await startServer(serverOptions);
  try {
    const setupLink = await server.waitForSetupLink();
    const setupPath = new URL(setupLink).pathname;
    const sam = new HttpPerson(server.baseUrl, 'Sam');
    await sam.submit(setupPath, { name: 'Sam', password: PASSWORD, password_again: PASSWORD, time_zone: timeZone });
    const invite = await sam.post('/invite');
    const page = invite.status === 303 ? (await sam.get(invite.location)).text : invite.text;
    const match = page.match(/\/join\/[A-Za-z0-9_-]+/);
    assert.ok(match, 'the invite page shows a join link');
    const alex = new HttpPerson(server.baseUrl, 'Alex');
    await alex.submit(match[0], { name: 'Alex', password: PASSWORD, password_again: PASSWORD });
    for (const person of [sam, alex]) {
      await person.submit('/login', { name: person.name, password: PASSWORD, remember: 'on' });
    }
    return { server, sam, alex };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** Puts an HttpPerson's cookies into a Playwright browser context. */
export async function signIn(context, server, person) {
  await context.addCookies(
    [...person.cookies].map(([name, value]) => ({ name, value, url: server.baseUrl })),
  );
}
