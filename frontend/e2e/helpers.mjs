// Shared by the browser journeys (journeys/*.mjs) and their runner (journeys.mjs): the servers and
// credentials run.sh passes in, a fresh page per journey that fails on console errors, screenshots,
// accessibility audits, API reads, a generated PNG, and the checkout form filler.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createRequire } from 'node:module';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const env = (k, d) => process.env[k] ?? d;
export const DIRECT = env('E2E_DIRECT_URL');
export const NGINX = env('E2E_NGINX_URL');
export const ADMIN_EMAIL = env('E2E_ADMIN_EMAIL', 'admin@example.com');
export const ADMIN_PASSWORD = env('E2E_ADMIN_PASSWORD', 'admin-password-e2e');
export const ARTIFACTS = env('E2E_ARTIFACTS', 'e2e/artifacts');
export const TIMEOUT = 15_000;
mkdirSync(ARTIFACTS, { recursive: true });

export const log = (...a) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}]`, ...a);
export const screenshots = [];
export const a11yReport = [];

/** axe-core audit of the current page (WCAG 2.x A/AA rules); serious or critical findings fail. */
export async function a11y(page, name) {
  // evaluate() runs through the DevTools protocol, so a strict CSP does not block it
  const result = await page.evaluate(async (src) => {
    if (!window.axe) (0, eval)(src);
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  }, AXE_SOURCE);
  a11yReport.push({ page: name, violations: result });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `accessibility violations on ${name}: ${JSON.stringify(bad, null, 1)}`);
  if (result.length) log(`a11y ${name}: minor findings ${result.map((v) => v.id).join(', ')}`);
}

export async function shot(page, name, opts = {}) {
  const path = join(ARTIFACTS, `${name}.png`);
  // full-page captures with a sticky header come out right only from the top
  if (opts.fullPage ?? true) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: opts.fullPage ?? true });
  screenshots.push(path);
  log('screenshot', path);
}

export async function getJson(base, path, init) {
  const res = await fetch(new URL(path, base), init);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Console errors fail the run; `allow` lists expected ones (e.g. the 402 of a declined card). */
export function watchConsole(page, journey, allow = []) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const url = msg.location()?.url ?? '';
    if (allow.some((a) => a.text.test(text) && a.url.test(url))) {
      log(`(${journey}) expected console error: ${text} @ ${url}`);
      return;
    }
    errors.push(`${text} @ ${url}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return () => {
    assert.deepEqual(errors, [], `journey ${journey}: browser console errors:\n${errors.join('\n')}`);
  };
}

export async function newPage(browser, journey, allow, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const checkConsole = watchConsole(page, journey, allow);
  return { context, page, checkConsole };
}

export const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A solid-colour PNG (w×h), encoded by hand: no image library needed. */
export function png(w, h, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < w; x++) {
      const stripe = ((x >> 4) + (y >> 4)) % 2 === 0;
      raw.set(stripe ? [r, g, b] : [255, 255, 255], row + 1 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function fillCheckout(page, { email, card }) {
  const form = page.locator('form.checkout-form');
  if (email) await form.getByRole('textbox', { name: /^Email/ }).fill(email);
  await form.getByRole('textbox', { name: /^Full name/ }).fill('Ada Lovelace');
  await form.getByRole('textbox', { name: /^Address line 1/ }).fill('12 Analytical Row');
  await form.getByRole('textbox', { name: /^City/ }).fill('London');
  await form.getByRole('textbox', { name: /^Postal code/ }).fill('10001');
  await form.getByRole('combobox', { name: 'Country' }).selectOption('US');
  await form.getByRole('textbox', { name: /^Card number/ }).fill(card);
  await form.getByRole('textbox', { name: /^Expiry/ }).fill('12/34');
  await form.getByRole('textbox', { name: /^Security code/ }).fill('123');
}
