// Journey 2: a guest pays with a declined card; the message takes the focus, stock and cart are unchanged.
import assert from 'node:assert/strict';
import { a11y, DIRECT, fillCheckout, getJson, newPage, shot } from '../helpers.mjs';

async function declinedJourney(browser, base) {
  const list = await getJson(base, '/api/products?per_page=50&in_stock=true&sort=price_asc');
  const p = list.items.find((x) => x.available >= 5);
  const stockBefore = (await getJson(base, `/api/inventory/${p.sku}`)).available;
  const { context, page, checkConsole } = await newPage(browser, 'j2', [
    // the browser logs every non-2xx fetch; the stand-in's 402 for the declined card is the expected outcome
    { text: /status of 402/, url: /\/test-gateway\/v1\/payment_intents\/pi_\w+\/confirm$/ },
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

export const journey = {
  id: '2',
  name: 'guest: declined card 4000…0002, stock unchanged',
  run: (browser) => declinedJourney(browser, DIRECT),
};
