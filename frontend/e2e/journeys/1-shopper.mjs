// Journey 1 (and the body of journey 4): register, search, filter, add two products, pay, history, log out.
import assert from 'node:assert/strict';
import { a11y, DIRECT, escapeRe, fillCheckout, getJson, log, newPage, shot } from '../helpers.mjs';

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

export async function shopperJourney(browser, base, tag, hooks = {}) {
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

export const journey = {
  id: '1',
  name: 'shopper: search, filter, 2 products, pay 4242, history',
  run: (browser) => shopperJourney(browser, DIRECT, 'j1'),
};
