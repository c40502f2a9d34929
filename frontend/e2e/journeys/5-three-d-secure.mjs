// Journey 5: a guest pays with the 3-D Secure card 4000 0025 0000 3155: the bank's page (the stand-in's)
// opens, "Complete" brings the shopper back to the order; a second purchase fails the challenge, and
// the shop says so, takes no stock and keeps the cart.
import assert from 'node:assert/strict';
import { a11y, DIRECT, fillCheckout, getJson, log, newPage, shot } from '../helpers.mjs';

const CARD_3DS = '4000 0025 0000 3155';

async function toChallenge(page, base, p) {
  await page.goto(new URL(`/products/${p.id}/${p.slug}`, base).href);
  await page.getByRole('heading', { level: 1, name: p.name }).waitFor();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText('Added to your cart.').waitFor();
  await page.getByRole('link', { name: 'Cart, 1 item' }).click();
  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.getByText('Checking out as a guest.').waitFor();
  await fillCheckout(page, { email: `guest-3ds-${Date.now()}@example.com`, card: CARD_3DS });
  await page.getByRole('button', { name: 'Place order' }).click();
  // the bank's page is the provider's, outside the storefront: the shopper goes there and comes back
  await page.waitForURL((u) => u.pathname.startsWith('/test-gateway/3ds/pi_'));
  await page.getByRole('heading', { name: '3-D Secure authentication' }).waitFor();
}

async function threeDSecureJourney(browser, base) {
  const list = await getJson(base, '/api/products?per_page=50&in_stock=true&sort=price_asc');
  const [p, q] = list.items.filter((x) => x.available >= 5).slice(-2);
  const { context, page, checkConsole } = await newPage(browser, 'j5');

  // passed: back at the shop, the order is confirmed once
  const before = (await getJson(base, `/api/inventory/${p.sku}`)).available;
  await toChallenge(page, base, p);
  await shot(page, '50-3ds-challenge');
  await page.getByRole('button', { name: 'Complete' }).click();
  await page.getByRole('heading', { name: 'Thank you! Your order is confirmed' }).waitFor();
  const orderId = (await page.getByTestId('order-id').textContent()).trim();
  log(`(j5) order ${orderId} after 3-D Secure`);
  await shot(page, '51-3ds-confirmation');
  assert.equal((await getJson(base, `/api/inventory/${p.sku}`)).available, before - 1, 'stock taken once');
  await page.getByRole('link', { name: 'Cart, 0 items' }).waitFor();

  // failed: the shop says the bank did not confirm, nothing is taken, the cart still holds the item
  const stockQ = (await getJson(base, `/api/inventory/${q.sku}`)).available;
  await toChallenge(page, base, q);
  await page.getByRole('button', { name: 'Fail' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Card not authenticated' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /not been charged/);
  await shot(page, '52-3ds-failed');
  await a11y(page, 'checkout (3-D Secure failed)');
  assert.equal((await getJson(base, `/api/inventory/${q.sku}`)).available, stockQ, 'stock unchanged');
  await page.getByRole('link', { name: 'Back to checkout' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await page.getByRole('link', { name: 'Cart, 1 item' }).waitFor();
  checkConsole();
  await context.close();
  return { orderId, failedSku: q.sku };
}

export const journey = {
  id: '5',
  name: 'guest: 3-D Secure card 4000…3155, challenge completed, then failed',
  run: (browser) => threeDSecureJourney(browser, DIRECT),
};
