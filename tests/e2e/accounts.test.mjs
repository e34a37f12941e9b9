// Two people and nobody else, in a real browser: Sam sets up with the link
// the server printed and sees the recovery codes, invites Alex, Alex joins
// in a second browser context (and sees their own codes), both sign out and
// in again, settings, forgot-password and a server-issued reset link.
// Every page is checked with axe and photographed at phone and desktop width.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, binaryPath } from './lib/server.mjs';
import { launch, newPerson, checkA11y, screenshots } from './lib/browser.mjs';

const PASSWORD = 'correct walnut lantern ferry';
const ALEX_NEW = 'a brand new heron umbrella';

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

async function look(page, name) {
  await checkA11y(page, name);
  await screenshots(page, `accounts-${name}`);
}

async function signIn(page, name, password) {
  await page.goto(server.baseUrl + '/login');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login$/);
}

async function codesOn(page) {
  const codes = await page.locator('#recovery-codes li').allInnerTexts();
  assert.equal(codes.length, 10, 'ten recovery codes');
  for (const code of codes) assert.match(code.trim(), /^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);
  return codes;
}

/** Runs `amends ARGS…` and returns what it printed. */
function amends(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(binaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
  });
}

test('two people set up, join, sign out and in again, and use settings', async () => {
  const setupLink = await server.waitForSetupLink();
  const sam = await newPerson(browser);
  const alex = await newPerson(browser);

  // Sam sets up with the printed link.
  await sam.page.goto(setupLink);
  assert.match(await sam.page.locator('main').innerText(), /either of you can take a full copy/i);
  await look(sam.page, 'setup');
  await sam.page.getByLabel('Your name').fill('Sam');
  await sam.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await sam.page.getByLabel('The same password again').fill(PASSWORD);
  await sam.page.getByLabel('Your time zone').selectOption('Europe/Berlin');
  await sam.page.getByRole('button', { name: 'Create my account' }).click();
  await sam.page.waitForURL(/\/recovery-codes$/);
  await codesOn(sam.page);
  await look(sam.page, 'recovery-codes');
  await sam.page.getByRole('button', { name: 'I have saved them' }).click();

  // Then invites Alex: a link and a QR code.
  await sam.page.waitForURL(/\/invite$/);
  await look(sam.page, 'invite');
  await sam.page.getByRole('button', { name: 'Make an invite link' }).click();
  const link = (await sam.page.locator('#invite-link').innerText()).trim();
  assert.match(link, /\/join\/[0-9a-f]{32}$/);
  assert.equal(await sam.page.locator('figure.qr svg[role="img"]').count(), 1, 'a QR code');
  await look(sam.page, 'invite-link');

  // Alex joins in another browser and sees their own codes.
  await alex.page.goto(link);
  assert.match(await alex.page.locator('h1').innerText(), /Join Sam/);
  await look(alex.page, 'join');
  await alex.page.getByLabel('Your name').fill('Alex');
  await alex.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await alex.page.getByLabel('The same password again').fill(PASSWORD);
  await alex.page.getByRole('button', { name: /Create my account/ }).click();
  await alex.page.waitForURL(/\/recovery-codes$/);
  await codesOn(alex.page);
  await alex.page.getByRole('button', { name: 'I have saved them' }).click();
  await alex.page.waitForURL(/\/$/);
  assert.match(await alex.page.locator('main h1').innerText(), /Today/);
  assert.match(await alex.page.locator('.who').innerText(), /Alex/);

  // A third person cannot use the link again.
  const third = await newPerson(browser);
  const gone = await third.page.goto(link);
  assert.equal(gone.status(), 404);
  await look(third.page, 'invite-used');

  // Both sign out and in again.
  for (const [person, name] of [[sam, 'Sam'], [alex, 'Alex']]) {
    await person.page.goto(server.baseUrl + '/');
    await signOut(person.page);
    await signIn(person.page, name, PASSWORD);
    await person.page.waitForURL(/\/$/);
    assert.match(await person.page.locator(".who").innerText(), new RegExp(name));
  }
  await signOut(sam.page);
  await look(sam.page, 'login');
  await signIn(sam.page, 'Sam', PASSWORD);
  await sam.page.waitForURL(/\/$/);

  // Settings: sessions (this device marked), recovery codes, time zone, sign-ins.
  await sam.page.getByRole('link', { name: 'Settings' }).click();
  await sam.page.waitForURL(/\/settings$/);
  const settings = await sam.page.locator('main').innerText();
  assert.match(settings, /this device/i);
  assert.match(settings, /Recent sign-ins/);
  await look(sam.page, 'settings');
  await sam.page.getByLabel('Time zone', { exact: true }).selectOption('Asia/Tokyo');
  await sam.page.getByRole('button', { name: 'Save the time zone' }).click();
  await sam.page.waitForURL(/\/settings$/);
  assert.match(await sam.page.locator('.flash').innerText(), /Asia\/Tokyo/);

  // A wrong password: a clear message, and one fail2ban-readable log line.
  await signIn(third.page, 'Sam', 'not the right password');
  assert.match(await third.page.locator('#login-error').innerText(), /do not match/);
  await look(third.page, 'login-failed');
  const line = server
    .output()
    .split('\n')
    .find((l) => l.includes('sign-in failed'));
  assert.ok(line, 'a log line for the failed sign-in');
  assert.match(line, /^\S+\s+WARN sign-in failed: address=127\.0\.0\.1 via=password name="Sam"$/);

  // The forgot-password page, reached from sign-in.
  await third.page.getByRole('link', { name: 'Forgot your password?' }).click();
  await third.page.waitForURL(/\/forgot$/);
  await look(third.page, 'forgot');

  // A reset link from the server for Alex: single use, and Alex is told.
  const printed = await amends(['reset-link', 'Alex', '--data-dir', server.dataDir, '--public-url', server.baseUrl]);
  const resetLink = printed.match(/(http:\/\/\S+\/reset\/[0-9a-f]{32})/)[1];
  await third.page.goto(resetLink);
  await look(third.page, 'reset');
  await third.page.getByLabel('New password').fill(ALEX_NEW);
  await third.page.getByLabel('The same password again').fill(ALEX_NEW);
  await third.page.getByRole('button', { name: 'Set the new password' }).click();
  await third.page.waitForLoadState();
  assert.match(third.page.url(), /\/login$/, await third.page.locator('main').innerText());
  await alex.page.goto(server.baseUrl + '/settings');
  await alex.page.waitForURL(/\/login\?next=/);
  await signIn(alex.page, 'Alex', ALEX_NEW);
  await alex.page.waitForURL(/\/$/);
  assert.match(await alex.page.locator('.flash').innerText(), /reset with a reset link/);
  await look(alex.page, 'today-after-reset');

  for (const person of [sam, alex, third]) await person.context.close();
});
