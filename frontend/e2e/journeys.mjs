// End-to-end journeys in Debian's chromium, driven by playwright-core (no bundled browser).
// Started by e2e/run.sh, which provides the servers through the environment:
//   E2E_DIRECT_URL   backend replica A serving the SPA (--static-dir)       (journeys 1–3)
//   E2E_NGINX_URL    nginx running frontend/nginx.conf in front of A and B  (journey 4)
//   E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD, E2E_ARTIFACTS, E2E_JOURNEYS (e.g. "1,2,3,4")
//   E2E_REPLICA_A_PID, E2E_NGINX_ACCESS_LOG, E2E_REPLICA_A_ADDR, E2E_REPLICA_B_ADDR (journey 4)
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { launchChromium } from './browser.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const env = (k, d) => process.env[k] ?? d;
const DIRECT = env('E2E_DIRECT_URL');
const NGINX = env('E2E_NGINX_URL');
const ADMIN_EMAIL = env('E2E_ADMIN_EMAIL', 'admin@example.com');
const ADMIN_PASSWORD = env('E2E_ADMIN_PASSWORD', 'admin-password-e2e');
const ARTIFACTS = env('E2E_ARTIFACTS', 'e2e/artifacts');
const ONLY = new Set(
  env('E2E_JOURNEYS', '1,2,3,4')
    .split(',')
    .map((s) => s.trim()),
);
const TIMEOUT = 15_000;
mkdirSync(ARTIFACTS, { recursive: true });

// ---- helpers -----------------------------------------------------------------------------------
const log = (...a) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}]`, ...a);
const screenshots = [];
const a11yReport = [];

/** axe-core audit of the current page (WCAG 2.x A/AA rules); serious or critical findings fail. */
async function a11y(page, name) {
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

async function shot(page, name, opts = {}) {
  const path = join(ARTIFACTS, `${name}.png`);
  // full-page captures with a sticky header come out right only from the top
  if (opts.fullPage ?? true) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: opts.fullPage ?? true });
  screenshots.push(path);
  log('screenshot', path);
}

async function getJson(base, path, init) {
  const res = await fetch(new URL(path, base), init);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Console errors fail the run; `allow` lists expected ones (e.g. the 402 of a declined card). */
function watchConsole(page, journey, allow = []) {
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

async function newPage(browser, journey, allow, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const checkConsole = watchConsole(page, journey, allow);
  return { context, page, checkConsole };
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A category and a search word that together match ≥ 2 in-stock products. */
async function pickSearch(base) {
  const page = await getJson(base, '/api/products?per_page=100&in_stock=true&sort=newest');
  const tried = new Set();
  for (const p of page.items) {
    for (const w of p.name.split(/\s+/)) {
      if (!/^[A-Za-z]{4,}$/.test(w) || tried.has(`${w}|${p.category}`)) continue;
      tried.add(`${w}|${p.category}`);
      const q = new URLSearchParams({ q: w.toLowerCase(), category: p.category, in_stock: 'true', per_page: '24' });
      const r = await getJson(base, `/api/products?${q}`);
      const unfiltered = await getJson(
        base,
        `/api/products?${new URLSearchParams({ q: w.toLowerCase(), per_page: '1' })}`,
      );
      const inStock = r.items.filter((x) => x.available >= 3);
      // we want the category filter to actually narrow the search
      if (inStock.length >= 2 && r.total === r.items.length && unfiltered.total > r.total)
        return { word: w.toLowerCase(), category: p.category };
      if (tried.size > 60) break;
    }
  }
  throw new Error('no search word/category pair with ≥ 2 in-stock products');
}

/** A solid-colour PNG (w×h), encoded by hand: no image library needed. */
function png(w, h, [r, g, b]) {
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

async function fillCheckout(page, { email, card }) {
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

// ---- journey 1 (and 4): search, filter, two products, pay, history --------------------------------
async function shopperJourney(browser, base, tag, hooks = {}) {
  const { word, category } = await pickSearch(base);
  log(`(${tag}) search "${word}" in category ${category}`);
  const { context, page, checkConsole } = await newPage(browser, tag);
  const email = `shopper-${tag}-${Date.now()}@example.com`;

  // register
  await page.goto(new URL('/', base).href);
  await page.getByRole('heading', { name: 'Featured products' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Register' }).click();
  await page.getByRole('textbox', { name: /^Name/ }).fill('Ada Lovelace');
  await page.getByRole('textbox', { name: /^Email/ }).fill(email);
  await page.getByLabel(/^Password/).fill('correct-horse-battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: /Log out/ }).waitFor();
  if (tag === 'j1') {
    await shot(page, '01-home');
    await a11y(page, 'home');
  }

  // the header search is a combobox: product suggestions as you type; ArrowDown + Enter opens one
  const headerSearch = page.getByRole('combobox', { name: 'Search the shop' });
  await headerSearch.pressSequentially(word, { delay: 40 });
  const firstSuggestion = page
    .getByRole('listbox', { name: 'Search the shop: suggestions' })
    .getByRole('option')
    .first();
  await firstSuggestion.waitFor();
  assert.equal(await headerSearch.getAttribute('aria-expanded'), 'true');
  if (tag === 'j1') {
    await shot(page, '01b-search-suggestions', { fullPage: false });
    await a11y(page, 'home (suggestions open)');
  }
  const suggested = (await firstSuggestion.textContent()).trim();
  await headerSearch.press('ArrowDown');
  assert.equal(await headerSearch.getAttribute('aria-activedescendant'), await firstSuggestion.getAttribute('id'));
  await headerSearch.press('Enter');
  await page.getByRole('heading', { level: 1, name: suggested }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/products\/\d+\//, 'a suggestion opens its product page');

  // search (debounced) + category facet, all in the URL
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shop' }).click();
  await page.getByRole('heading', { name: 'All products' }).waitFor();
  const catalogSearch = page.getByRole('combobox', { name: 'Search products' });
  await catalogSearch.pressSequentially(word, { delay: 40 });
  await page.waitForURL((u) => u.searchParams.get('q') === word);
  await page.getByRole('heading', { name: `Results for “${word}”` }).waitFor();
  // the results are already on the page: Escape closes the suggestions floating over the filters
  await catalogSearch.press('Escape');
  assert.equal(await catalogSearch.getAttribute('aria-expanded'), 'false');
  assert.equal(await catalogSearch.inputValue(), word, 'Escape with the list open keeps the text');
  const facet = page.getByRole('radio', { name: new RegExp(`^${escapeRe(category)} \\(\\d+\\)$`) });
  await facet.click(); // (not check(): the radio is controlled by the URL, which updates a tick later)
  await page.waitForURL((u) => u.searchParams.get('category') === category && u.searchParams.get('q') === word);
  await page.getByRole('heading', { level: 1, name: category }).waitFor();
  const grid = page.getByRole('list', { name: 'Products' });
  await page.waitForFunction(() => !document.querySelector('.product-grid.stale'));
  // every card belongs to the category (the API says so too)
  const api = await getJson(base, `/api/products?${new URLSearchParams({ q: word, category, per_page: '24' })}`);
  await grid
    .locator('article')
    .nth(api.items.length - 1)
    .waitFor();
  assert.equal(await grid.locator('article').count(), api.items.length, 'cards = API results');
  if (tag === 'j1') {
    await shot(page, '02-catalog-search-filter');
    await a11y(page, 'catalog');
  }

  // back button restores the previous filter state, forward re-applies it
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('category') && u.searchParams.get('q') === word);
  assert.equal(await page.getByRole('radio', { name: 'All categories' }).isChecked(), true);
  await page.goForward();
  await page.waitForURL((u) => u.searchParams.get('category') === category);
  await facet.waitFor();
  assert.equal(await facet.isChecked(), true, 'facet re-checked after forward');

  // add two in-stock products
  const picks = api.items.filter((p) => p.available >= 3).slice(0, 2);
  assert.equal(picks.length, 2);
  for (const [i, p] of picks.entries()) {
    await grid.getByRole('link', { name: p.name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: p.name }).waitFor();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await page.getByRole('link', { name: `Cart, ${i + 1} ${i === 0 ? 'item' : 'items'}` }).waitFor();
    if (tag === 'j1' && i === 0) {
      await shot(page, '03-product');
      await a11y(page, 'product');
    }
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('category') === category);
  }

  // cart: bump the first line to 2, totals follow
  await page.getByRole('link', { name: 'Cart, 2 items' }).click();
  const cartTable = page.getByRole('table', { name: 'Items in your cart' });
  await cartTable.waitFor();
  await page.getByRole('button', { name: `Increase quantity of ${picks[0].name}` }).click();
  await page.getByRole('link', { name: 'Cart, 3 items' }).waitFor();
  const expected = picks[0].price_cents * 2 + picks[1].price_cents;
  const fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(expected / 100);
  await page.getByTestId('summary-total').filter({ hasText: fmt }).waitFor();
  if (tag === 'j1') {
    await shot(page, '04-cart');
    await a11y(page, 'cart');
  }

  // checkout: inline validation first, then pay with 4242…
  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  const emailBox = page.getByRole('textbox', { name: /^Email/ });
  assert.equal(await emailBox.inputValue(), email, 'email prefilled for a logged-in shopper');
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByText('Enter the recipient’s full name.').waitFor();
  assert.equal(await page.getByRole('textbox', { name: /^Full name/ }).getAttribute('aria-invalid'), 'true');
  if (tag === 'j1') {
    await shot(page, '05-checkout-validation');
    await a11y(page, 'checkout (with errors)');
  }
  await fillCheckout(page, { card: '4242 4242 4242 4242' });
  const before = await Promise.all(picks.map((p) => getJson(base, `/api/inventory/${p.sku}`)));
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByRole('heading', { name: 'Thank you! Your order is confirmed' }).waitFor();
  const orderId = (await page.getByTestId('order-id').textContent()).trim();
  log(`(${tag}) order ${orderId}`);
  await shot(page, tag === 'j1' ? '06-confirmation' : '41-nginx-confirmation');
  const after = await Promise.all(picks.map((p) => getJson(base, `/api/inventory/${p.sku}`)));
  assert.equal(after[0].available, before[0].available - 2, 'stock of line 1 decremented by 2');
  assert.equal(after[1].available, before[1].available - 1, 'stock of line 2 decremented by 1');

  if (hooks.afterOrder) await hooks.afterOrder(page);

  // order history
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
  await page.getByRole('heading', { name: 'Order history' }).waitFor();
  await page.getByRole('link', { name: `#${orderId.slice(0, 8)}` }).waitFor();
  await page
    .getByRole('table', { name: /Your orders/ })
    .getByText('paid', { exact: true })
    .first()
    .waitFor();
  await shot(page, tag === 'j1' ? '07-order-history' : '42-nginx-order-history');
  if (tag === 'j1') await a11y(page, 'order history');

  // log out: the session is gone and history asks to log in again
  await page.getByRole('button', { name: /Log out/ }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }).waitFor();
  await page.goto(new URL('/account/orders', base).href);
  await page.getByText('to see your orders.').waitFor();
  // (page.request shares the browser's cookies without logging the expected 401 to the console)
  const me = await page.request.get(new URL('/api/me', base).href);
  assert.equal(me.status(), 401, 'logged out server-side');

  // the catalog on a phone
  if (tag === 'j1') {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(new URL(`/products?category=${encodeURIComponent(category)}`, base).href);
    await page.getByRole('heading', { level: 1, name: category }).waitFor();
    await page.getByRole('button', { name: 'Menu' }).waitFor();
    await shot(page, '08-catalog-phone', { fullPage: false });
    await a11y(page, 'catalog (phone)');
  }
  checkConsole();
  await context.close();
  return { orderId };
}

// ---- journey 2: declined card ------------------------------------------------------------------
async function declinedJourney(browser, base) {
  const list = await getJson(base, '/api/products?per_page=50&in_stock=true&sort=price_asc');
  const p = list.items.find((x) => x.available >= 5);
  const stockBefore = (await getJson(base, `/api/inventory/${p.sku}`)).available;
  const { context, page, checkConsole } = await newPage(browser, 'j2', [
    // the browser logs every non-2xx fetch; the 402 of the declined card is the expected outcome
    { text: /status of 402/, url: /\/api\/checkout$/ },
  ]);
  await page.goto(new URL(`/products/${p.id}/${p.slug}`, base).href);
  await page.getByRole('heading', { level: 1, name: p.name }).waitFor();
  // keyboard only: Tab to "Add to cart" (focus must be visible), Enter
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Add to cart');
  }
  assert.ok(reached, 'Add to cart reachable with Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'visible focus indicator');
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: 'Cart, 1 item' }).waitFor();
  await page.getByRole('link', { name: 'Cart, 1 item' }).click();
  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.getByText('Checking out as a guest.').waitFor();
  await fillCheckout(page, { email: `guest-${Date.now()}@example.com`, card: '4000 0000 0000 0002' });
  await page.getByRole('button', { name: 'Place order' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Payment declined' });
  await alert.waitFor();
  assert.ok(await alert.isVisible(), 'declined message visible');
  assert.equal(
    await page.evaluate(() => document.activeElement?.textContent?.includes('Payment declined')),
    true,
    'focus moved to the message',
  );
  assert.match(await alert.textContent(), /declined and you have not been charged/);
  // the form keeps what was typed so the shopper can change the card
  assert.equal(await page.getByRole('textbox', { name: /^City/ }).inputValue(), 'London');
  await shot(page, '10-declined-card');
  await a11y(page, 'checkout (declined)');
  const stockAfter = (await getJson(base, `/api/inventory/${p.sku}`)).available;
  assert.equal(stockAfter, stockBefore, 'stock unchanged after a declined payment');
  // the storefront agrees, and the cart still holds the item
  await page.goto(new URL(`/products/${p.id}/${p.slug}`, base).href);
  await page.getByRole('heading', { level: 1, name: p.name }).waitFor();
  const label = stockBefore <= 5 ? `Only ${stockBefore} left` : 'In stock';
  await page.getByTestId('stock-state').filter({ hasText: label }).waitFor();
  await page.getByRole('link', { name: 'Cart, 1 item' }).waitFor();
  checkConsole();
  await context.close();
  return { sku: p.sku, stockBefore, stockAfter };
}

// ---- journey 3: admin image upload + stock to 0 → out of stock in the shop ------------------------
async function adminJourney(browser, base) {
  const list = await getJson(base, '/api/products?per_page=50&in_stock=true&sort=price_desc');
  const p = list.items.find((x) => x.available > 0);
  const { context, page, checkConsole } = await newPage(browser, 'j3');

  // the back office is gated: anonymous → login
  await page.goto(new URL('/admin', base).href);
  await page.waitForURL((u) => u.pathname === '/login');
  await page.getByRole('textbox', { name: /^Email/ }).fill(ADMIN_EMAIL);
  await page.getByLabel(/^Password/).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === '/admin');
  await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();

  // find the product by search, open it
  await page.getByRole('searchbox', { name: 'Search products' }).fill(p.name);
  await page.waitForURL((u) => u.searchParams.get('q') === p.name);
  const row = page.getByRole('link', { name: p.name, exact: true });
  await row.waitFor();
  await shot(page, '20-admin-products');
  await row.click();
  await page.getByRole('heading', { level: 1, name: `Edit ${p.name}` }).waitFor();

  // image upload with preview
  const image = png(320, 320, [29, 78, 216]);
  await page
    .getByLabel('Choose image')
    .setInputFiles({ name: 'e2e-product.png', mimeType: 'image/png', buffer: image });
  const preview = page.getByRole('img', { name: 'Preview of the chosen file' });
  await preview.waitFor();
  await page.waitForFunction(() => {
    const i = document.querySelector('img[alt="Preview of the chosen file"]');
    return i && i.complete && i.naturalWidth > 0;
  });
  await shot(page, '21-admin-image-preview');
  await page.getByRole('button', { name: 'Upload image' }).click();
  await page.getByText('Image uploaded.').waitFor();
  const updated = await getJson(base, `/api/products/${p.id}`);
  assert.ok(updated.image_url && updated.image_url !== p.image_url, 'image_url changed');
  const current = page.getByRole('img', { name: `Current image of ${p.name}` });
  assert.equal(await current.getAttribute('src'), updated.image_url);
  await page.waitForFunction((name) => {
    const i = document.querySelector(`img[alt="Current image of ${name}"]`);
    return i && i.complete && i.naturalWidth === 320;
  }, p.name);

  // stock → 0 with audit history
  await page.getByRole('textbox', { name: 'Set available stock' }).fill('0');
  await page.getByRole('button', { name: 'Set stock' }).click();
  await page.getByText('Stock set to 0.').waitFor();
  const audit = page.getByRole('table', { name: 'Stock history' });
  await audit
    .getByRole('row')
    .filter({ hasText: ADMIN_EMAIL })
    .filter({ hasText: String(p.available) })
    .first()
    .waitFor();
  await shot(page, '22-admin-stock-audit');
  await a11y(page, 'admin product edit');
  assert.equal((await getJson(base, `/api/inventory/${p.sku}`)).available, 0);

  // orders: change one status (journey 1's order is paid)
  await page.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Orders' }).click();
  await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
  const orders = page.getByRole('table', { name: 'Orders' });
  if (await orders.isVisible().catch(() => false)) {
    const first = orders.getByRole('row').nth(1);
    const changer = first.getByRole('combobox');
    if (await changer.count()) {
      const target = await changer.inputValue();
      await first.getByRole('button', { name: /Update/ }).click();
      await first.getByText(target, { exact: true }).first().waitFor();
    }
  }
  await shot(page, '23-admin-orders');

  // ops dashboard: a few refreshes
  await page.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Ops dashboard' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ops dashboard' }).waitFor();
  await page.getByRole('img', { name: /^Requests per second: latest/ }).waitFor();
  await page.waitForTimeout(6500); // ≥ 2 refreshes at 3 s
  const paths = await page.locator('.chart path').count();
  assert.ok(paths >= 6, 'six series drawn');
  await shot(page, '24-ops-dashboard');
  await a11y(page, 'ops dashboard');
  checkConsole();
  await context.close();

  // a shopper sees it out of stock and cannot add it
  const shopper = await newPage(browser, 'j3-shopper');
  await shopper.page.goto(new URL(`/products/${p.id}/${p.slug}`, base).href);
  await shopper.page.getByRole('heading', { level: 1, name: p.name }).waitFor();
  await shopper.page.getByTestId('stock-state').filter({ hasText: 'Out of stock' }).waitFor();
  const btn = shopper.page.getByRole('button', { name: 'Out of stock' });
  assert.equal(await btn.isDisabled(), true, 'add button disabled');
  assert.equal(await shopper.page.getByRole('spinbutton', { name: 'Quantity' }).isDisabled(), true);
  await shopper.page.waitForFunction((src) => {
    const i = document.querySelector('img.product-detail-img');
    return i && i.getAttribute('src') === src && i.complete && i.naturalWidth === 320;
  }, updated.image_url);
  await shot(shopper.page, '25-storefront-out-of-stock');
  // the catalog says so too
  await shopper.page.goto(new URL(`/products?q=${encodeURIComponent(p.name)}`, base).href);
  await shopper.page.getByRole('article', { name: p.name }).getByText('Out of stock').waitFor();
  await shopper.page.getByRole('link', { name: 'Cart, 0 items' }).waitFor();
  shopper.checkConsole();
  await shopper.context.close();
  return { sku: p.sku, image_url: updated.image_url };
}

// ---- journey 4: journey 1 through nginx in front of two replicas ---------------------------------
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
  assert.equal(overTls.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains', 'HSTS over TLS');
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

// ---- main ----------------------------------------------------------------------------------------
const browser = await launchChromium();
const results = [];
let failed = false;
const journeys = [
  ['1', 'shopper: search, filter, 2 products, pay 4242, history', () => shopperJourney(browser, DIRECT, 'j1')],
  ['2', 'guest: declined card 4000…0002, stock unchanged', () => declinedJourney(browser, DIRECT)],
  ['3', 'admin: image upload, stock 0 → out of stock in shop', () => adminJourney(browser, DIRECT)],
  ['4', 'journey 1 through nginx (frontend/nginx.conf) → 2 replicas', () => nginxJourney(browser, NGINX)],
];
for (const [id, name, run] of journeys) {
  if (!ONLY.has(id)) continue;
  const t0 = performance.now();
  try {
    const detail = await run();
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
