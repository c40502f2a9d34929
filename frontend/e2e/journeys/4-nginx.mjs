// Journey 4: journey 1 through nginx (frontend/nginx.conf) in front of two replicas, one killed mid-session.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { env, log, NGINX } from '../helpers.mjs';
import { shopperJourney } from './1-shopper.mjs';

async function checkNginxHeaders(base) {
  const health = await fetch(new URL('/health', base));
  assert.equal(health.status, 200, '/health');
  const index = await fetch(new URL('/products?q=x', base));
  assert.equal(index.status, 200, 'SPA fallback');
  assert.match(index.headers.get('cache-control') ?? '', /no-cache/, 'index.html not cached');
  const csp = index.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(index.headers.get('referrer-policy'));
  // behind the ALB (TLS terminated there, X-Forwarded-Proto: https) the document carries HSTS
  const overTls = await fetch(new URL('/products?q=x', base), { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.equal(
    overTls.headers.get('strict-transport-security'),
    'max-age=31536000; includeSubDomains',
    'HSTS over TLS',
  );
  assert.equal(index.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
  const html = await index.text();
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(asset, 'hashed asset in index.html');
  const a = await fetch(new URL(asset, base));
  assert.equal(a.status, 200);
  assert.match(a.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/);
  assert.match(a.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const api = await fetch(new URL('/api/categories', base));
  assert.equal(api.status, 200, '/api proxied');
}

async function nginxJourney(browser, base) {
  await checkNginxHeaders(base);
  const accessLog = env('E2E_NGINX_ACCESS_LOG');
  const a = env('E2E_REPLICA_A_ADDR');
  const b = env('E2E_REPLICA_B_ADDR');
  const pidA = Number(env('E2E_REPLICA_A_PID', '0'));
  const upstreams = () =>
    accessLog
      ? readFileSync(accessLog, 'utf8')
          .split('\n')
          .map((l) => /upstream=(\S+)/.exec(l)?.[1])
          .filter((u) => u && u !== '-')
      : [];
  let killed = false;
  const result = await shopperJourney(browser, base, 'j4', {
    afterOrder: async () => {
      const seen = new Set(upstreams());
      log(`(j4) upstreams used so far: ${[...seen].join(' ')}`);
      if (a && b) assert.ok(seen.has(a) && seen.has(b), `both replicas served requests (saw ${[...seen]})`);
      if (pidA) {
        // lose a replica mid-session: nginx must carry on with the other one
        process.kill(pidA, 'SIGKILL');
        killed = true;
        log(`(j4) killed replica A (pid ${pidA}); continuing through nginx`);
      }
    },
  });
  if (killed) {
    const res = await fetch(new URL('/api/categories', base));
    assert.equal(res.status, 200, 'API still answers with one replica gone');
  }
  return { ...result, replicaKilled: killed };
}

export const journey = {
  id: '4',
  name: 'journey 1 through nginx (frontend/nginx.conf) → 2 replicas',
  run: (browser) => nginxJourney(browser, NGINX),
};
