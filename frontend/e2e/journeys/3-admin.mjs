// Journey 3: the back office (login gate, image upload, stock to 0, an order status, the ops dashboard),
// then a shopper sees the product out of stock.
import assert from 'node:assert/strict';
import { a11y, ADMIN_EMAIL, ADMIN_PASSWORD, DIRECT, getJson, newPage, png, shot } from '../helpers.mjs';

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

export const journey = {
  id: '3',
  name: 'admin: image upload, stock 0 → out of stock in shop',
  run: (browser) => adminJourney(browser, DIRECT),
};
