// Starts a real `amends` server for one test: a fresh data directory, a random
// port, and the base URL and first-person setup link read from its output.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/e2e/lib is three levels below it). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const START_TIMEOUT_MS = 30_000;
const LISTENING = /listening on (http:\/\/\S+)/;
const SETUP_LINK = /(https?:\/\/\S+\/setup\/[A-Za-z0-9_-]+)/;

/** The binary under test: $AMENDS_BIN, or the debug build in the repository. */
export function binaryPath() {
  return process.env.AMENDS_BIN
    ? path.resolve(process.env.AMENDS_BIN)
    : path.join(repoRoot, 'target', 'debug', 'amends');
}

/**
 * Spawns `amends serve` on 127.0.0.1:0 with its own temporary data directory.
 * Resolves once the server says where it listens. The setup link, when the
 * server prints one, may come before or after that line; `setupLink` is a
 * getter so a test can read it later, and `waitForSetupLink()` waits for it.
 * `output()` returns everything the server has printed so far.
 */
export async function startServer({ env = {}, args = [] } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'amends-e2e-'));
  const child = spawn(binaryPath(), ['serve', '--data-dir', dataDir, '--bind', '127.0.0.1:0', ...args], {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  let baseUrl = null;
  let setupLink = null;
  const setupWaiters = [];
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));

  let ready;
  const listening = new Promise((resolve, reject) => {
    ready = { resolve, reject };
  });

  // Lines may arrive split across chunks, so match against whole lines.
  const partial = { stdout: '', stderr: '' };
  function onChunk(stream, chunk) {
    const text = partial[stream] + chunk.toString('utf8');
    const lines = text.split('\n');
    partial[stream] = lines.pop();
    for (const line of lines) onLine(line);
  }
  function onLine(rawLine) {
    // Strip terminal colour codes a logger may add.
    const line = rawLine.replace(/\x1b\[[0-9;]*m/g, '');
    output += line + '\n';
    if (!setupLink) {
      const m = line.match(SETUP_LINK);
      if (m) {
        setupLink = m[1];
        setupWaiters.splice(0).forEach((w) => w(setupLink));
      }
    }
    if (!baseUrl) {
      const m = line.match(LISTENING);
      if (m) {
        baseUrl = m[1].replace(/\/+$/, '');
        ready.resolve();
      }
    }
  }
  for (const stream of ['stdout', 'stderr']) {
    child[stream].on('data', (c) => onChunk(stream, c));
    child[stream].on('end', () => {
      if (partial[stream]) onLine(partial[stream]);
      partial[stream] = '';
    });
  }
  child.once('error', (err) => ready.reject(new Error(`could not start ${binaryPath()}: ${err.message}`)));
  exited.then(({ code, signal }) => {
    if (!baseUrl) {
      ready.reject(new Error(`amends exited (code ${code}, signal ${signal}) before listening.\n--- output ---\n${output}`));
    }
  });

  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`amends did not say "listening on http://…" within ${START_TIMEOUT_MS / 1000} s.\n--- output ---\n${output}`)),
      START_TIMEOUT_MS,
    );
  });

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  }

  try {
    await Promise.race([listening, timeout]);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  return {
    baseUrl,
    get setupLink() {
      return setupLink;
    },
    waitForSetupLink(ms = 5_000) {
      if (setupLink) return Promise.resolve(setupLink);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no setup link printed within ${ms} ms.\n--- output ---\n${output}`)), ms);
        setupWaiters.push((link) => {
          clearTimeout(t);
          resolve(link);
        });
      });
    },
    dataDir,
    output: () => output,
    stop,
  };
}
