// Core Web Vitals of the storefront as a shopper's phone sees them: Debian's chromium (playwright-core, no
// bundled browser) with mobile emulation, Slow 4G (1.6 Mbps down, 150 ms RTT) and a 4× CPU slowdown via
// the DevTools protocol. LCP and CLS come from PerformanceObserver in the page (as the web-vitals library
// computes them: the last LCP candidate; CLS as the largest 5 s session window of shifts without input).
//
//   VITALS_URL=http://127.0.0.1:8080 node e2e/vitals.mjs      (a backend serving frontend/dist)
//
// Environment: VITALS_URL (required), VITALS_RUNS (loads per page, default 3; the median is printed),
// VITALS_JSON (also write the results there). Prints one line per page and visit next to its target
// (LCP ≤ 2.0 s, CLS ≤ 0.05); exits 0 either way (`make bench` reports, it does not gate).
import { writeFileSync } from 'node:fs';
import { launchChromium } from './browser.mjs';

const BASE = process.env.VITALS_URL;
if (!BASE) throw new Error('VITALS_URL is required (a backend serving frontend/dist)');
const RUNS = Number(process.env.VITALS_RUNS ?? 3);
const TARGET = { lcp: 2000, cls: 0.05 };
// Lighthouse's mobile profile (Moto G Power class) and DevTools' "Slow 4G" preset
const DEVICE = {
  viewport: { width: 412, height: 823 },
  deviceScaleFactor: 1.75,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
};
const NETWORK = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};
const CPU_SLOWDOWN = 4;

/** Runs in the page before any script: collects LCP, CLS and FCP into window.__vitals. */
function observeVitals() {
  const v = { lcp: 0, lcpElement: '', cls: 0, fcp: 0 };
  window.__vitals = v;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      v.lcp = e.startTime;
      const el = e.element;
      v.lcpElement = el
        ? `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ')[0] : ''}`
        : '';
    }
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  let session = 0;
  let first = 0;
  let last = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      if (session && e.startTime - last < 1000 && e.startTime - first < 5000) session += e.value;
      else {
        session = e.value;
        first = e.startTime;
      }
      last = e.startTime;
      v.cls = Math.max(v.cls, session);
    }
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') v.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
}

/** One visit: loads `path` (after `warmup` paths in the same context when given), returns its vitals. */
async function visit(browser, path, { repeat }) {
  const context = await browser.newContext(DEVICE);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
  if (repeat) {
    // a returning shopper: the same page once before, unthrottled, so the HTTP cache is warm
    await page.goto(new URL(path, BASE).href, { waitUntil: 'networkidle' });
    await page.goto('about:blank');
  }
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  await page.addInitScript(observeVitals);
  bytes = 0;
  await page.goto(new URL(path, BASE).href, { waitUntil: 'load', timeout: 60_000 });
  await page.waitForLoadState('networkidle', { timeout: 60_000 });
  await page.waitForTimeout(1000); // late shifts (images, fonts) and the final LCP candidate
  const v = await page.evaluate(() => window.__vitals);
  await context.close();
  return { ...v, bytes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const browser = await launchChromium();

  const listing = await (await fetch(new URL('/api/products?per_page=1&sort=newest', BASE))).json();
  const p = listing.items[0];
  const pages = [
    ['home', '/'],
    ['catalog', '/products'],
    ['product', `/products/${p.id}/${p.slug}`],
  ];
  const results = [];
  console.log(
    `storefront vitals: ${BASE}, mobile ${DEVICE.viewport.width}×${DEVICE.viewport.height}, Slow 4G ` +
      `(1.6 Mbps, 150 ms RTT), CPU ×${CPU_SLOWDOWN}, median of ${RUNS}`,
  );
  console.log(
    `${'page'.padEnd(9)} ${'visit'.padEnd(7)} ${'LCP ms'.padStart(7)} ${'≤2000'.padStart(6)} ${'CLS'.padStart(6)} ` +
      `${'≤0.05'.padStart(6)} ${'FCP ms'.padStart(7)} ${'kB'.padStart(6)}  LCP element`,
  );
  for (const [name, path] of pages) {
    for (const repeat of [false, true]) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await visit(browser, path, { repeat }));
      const r = {
        page: name,
        path,
        visit: repeat ? 'repeat' : 'first',
        lcp_ms: Math.round(median(runs.map((x) => x.lcp))),
        cls: Number(median(runs.map((x) => x.cls)).toFixed(3)),
        fcp_ms: Math.round(median(runs.map((x) => x.fcp))),
        kb: Math.round(median(runs.map((x) => x.bytes)) / 1024),
        lcp_element: runs[runs.length - 1].lcpElement,
      };
      results.push(r);
      const ok = (pass) => (pass ? 'ok' : 'MISS');
      console.log(
        `${name.padEnd(9)} ${r.visit.padEnd(7)} ${String(r.lcp_ms).padStart(7)} ${ok(r.lcp_ms <= TARGET.lcp).padStart(6)} ` +
          `${r.cls.toFixed(3).padStart(6)} ${ok(r.cls <= TARGET.cls).padStart(6)} ${String(r.fcp_ms).padStart(7)} ` +
          `${String(r.kb).padStart(6)}  ${r.lcp_element}`,
      );
    }
  }
  await browser.close();
  if (process.env.VITALS_JSON) writeFileSync(process.env.VITALS_JSON, JSON.stringify(results, null, 2));
}

await main();
