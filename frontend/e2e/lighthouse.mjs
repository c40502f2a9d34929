// Lighthouse 12 (the `lighthouse` devDependency, pinned) in Debian's chromium on the storefront's home,
// catalog and product pages, mobile form factor (Lighthouse's default: Moto G Power emulation, simulated
// Slow 4G and a 4× CPU slowdown), checked against the storefront's targets:
//   full:  SEO 100, Accessibility 100, Best Practices ≥ 96, Performance ≥ 95   (make bench)
//   quick: SEO 100, Accessibility 100                                          (make test)
//
//   LH_URL=http://127.0.0.1:8080 node e2e/lighthouse.mjs      (a backend serving frontend/dist)
//
// Environment: LH_URL (required), LH_MODE (full | quick, default full), LH_RUNS (runs per page, the
// median score per category is judged; default 3 in full, 1 in quick), LH_REPORTS (write each run's
// HTML and JSON report there), CHROMIUM_PATH (default /usr/bin/chromium). Prints one line per page and
// the failing audits of a missed category; exits 1 when a page misses a target.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BASE = process.env.LH_URL?.replace(/\/$/, '');
if (!BASE) throw new Error('LH_URL is required (a backend serving frontend/dist)');
const MODE = process.env.LH_MODE ?? 'full';
const RUNS = Number(process.env.LH_RUNS ?? (MODE === 'quick' ? 1 : 3));
const REPORTS = process.env.LH_REPORTS ?? join(process.env.TMPDIR ?? '/tmp', `ecomm-lighthouse-${process.pid}`);
const TARGETS =
  MODE === 'quick'
    ? { seo: 100, accessibility: 100 }
    : { seo: 100, accessibility: 100, 'best-practices': 96, performance: 95 };
const CLI = fileURLToPath(new URL('../node_modules/lighthouse/cli/index.js', import.meta.url));
const CHROME_FLAGS = '--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking';

async function productPath() {
  const res = await fetch(`${BASE}/api/products?per_page=1`);
  if (!res.ok) throw new Error(`GET /api/products: ${res.status}`);
  const p = (await res.json()).items[0];
  if (!p) throw new Error('the shop has no products to audit');
  return `/products/${p.id}/${p.slug}`;
}

/** One Lighthouse run; returns its JSON result (and leaves the reports in REPORTS). */
async function lighthouse(url, name) {
  const out = join(REPORTS, name);
  await run(
    process.execPath,
    [
      CLI,
      url,
      '--quiet',
      `--chrome-flags=${CHROME_FLAGS}`,
      `--only-categories=${Object.keys(TARGETS).join(',')}`,
      '--output=json',
      '--output=html',
      `--output-path=${out}`,
    ],
    { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' } },
  );
  return JSON.parse(readFileSync(`${out}.report.json`, 'utf8'));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

mkdirSync(REPORTS, { recursive: true });
const pages = [
  ['home', '/'],
  ['catalog', '/products'],
  ['product', await productPath()],
];
let missed = 0;
console.log(`lighthouse 12 (${MODE}), mobile, median of ${RUNS}; reports in ${REPORTS}`);
for (const [name, path] of pages) {
  const results = [];
  try {
    for (let i = 1; i <= RUNS; i++) results.push(await lighthouse(BASE + path, `${name}-${i}`));
  } catch (e) {
    console.log(`  ${name.padEnd(8)} ${path.padEnd(40)} run failed: ${String(e.stderr || e.message).trim()}`);
    missed += 1;
    continue;
  }
  const scores = Object.fromEntries(
    Object.keys(TARGETS).map((c) => [c, median(results.map((r) => Math.round(r.categories[c].score * 100)))]),
  );
  const misses = Object.entries(TARGETS).filter(([c, min]) => scores[c] < min);
  const line = Object.entries(scores)
    .map(([c, s]) => `${c} ${s}${s < TARGETS[c] ? ` (target ${TARGETS[c]})` : ''}`)
    .join('  ');
  console.log(`  ${name.padEnd(8)} ${path.padEnd(40)} ${line}  ${misses.length ? 'MISSED' : 'ok'}`);
  for (const [c] of misses) {
    const r = results[0];
    for (const ref of r.categories[c].auditRefs) {
      const a = r.audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 1)
        console.log(`      ${c}: ${a.id} ${a.score} ${a.displayValue ?? ''} — ${a.title}`);
    }
  }
  missed += misses.length;
}
process.exit(missed ? 1 : 0);
