// End-to-end journeys in Debian's chromium, driven by playwright-core (no bundled browser), one file per
// journey in journeys/ (shared helpers in helpers.mjs). Started by e2e/run.sh, which provides the servers
// through the environment:
//   E2E_DIRECT_URL   backend replica A serving the SPA (--static-dir)       (journeys 1–3, 5)
//   E2E_NGINX_URL    nginx running frontend/nginx.conf in front of A and B  (journey 4)
//   E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD, E2E_ARTIFACTS, E2E_JOURNEYS (e.g. "1,2,3,4")
//   E2E_REPLICA_A_PID, E2E_NGINX_ACCESS_LOG, E2E_REPLICA_A_ADDR, E2E_REPLICA_B_ADDR (journey 4)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browser.mjs';
import { a11yReport, ARTIFACTS, env, log, screenshots } from './helpers.mjs';
import { journey as shopper } from './journeys/1-shopper.mjs';
import { journey as declinedCard } from './journeys/2-declined-card.mjs';
import { journey as admin } from './journeys/3-admin.mjs';
import { journey as nginx } from './journeys/4-nginx.mjs';
import { journey as threeDSecure } from './journeys/5-three-d-secure.mjs';

const ONLY = new Set(
  env('E2E_JOURNEYS', '1,2,3,5,4')
    .split(',')
    .map((s) => s.trim()),
);
// in this order: journey 3 changes the status of the order journey 1 placed, and journey 4 kills replica A,
// which journeys 1–3 and 5 talk to
const journeys = [shopper, declinedCard, admin, threeDSecure, nginx];

const browser = await launchChromium();
const results = [];
let failed = false;
for (const { id, name, run } of journeys) {
  if (!ONLY.has(id)) continue;
  const t0 = performance.now();
  try {
    const detail = await run(browser);
    const ms = Math.round(performance.now() - t0);
    results.push({ journey: Number(id), name, ok: true, ms, detail });
    log(`✔ journey ${id} (${name}) ${ms} ms`);
  } catch (err) {
    failed = true;
    const ms = Math.round(performance.now() - t0);
    results.push({ journey: Number(id), name, ok: false, ms, error: String(err?.stack ?? err) });
    log(`✘ journey ${id} (${name}) ${ms} ms\n${err?.stack ?? err}`);
    for (const ctx of browser.contexts()) {
      for (const pg of ctx.pages()) {
        const path = join(ARTIFACTS, `failure-j${id}-${Date.now()}.png`);
        await pg.screenshot({ path, fullPage: true }).catch(() => {});
        screenshots.push(path);
      }
      await ctx.close().catch(() => {});
    }
  }
}
await browser.close();
writeFileSync(join(ARTIFACTS, 'timings.json'), JSON.stringify({ results, screenshots }, null, 2));
writeFileSync(join(ARTIFACTS, 'a11y.json'), JSON.stringify(a11yReport, null, 2));
console.log('\nE2E SUMMARY');
for (const r of results)
  console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  journey ${r.journey}  ${String(r.ms).padStart(6)} ms  ${r.name}`);
console.log(`  screenshots: ${screenshots.length} in ${ARTIFACTS}`);
process.exit(failed || results.length === 0 ? 1 : 0);
