import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Cart } from '../../../lib/api/types';
import { cartTotals, clampQuantity, withQuantity } from '../cart';
import { formatMoney } from '../../../lib/money';
import { CartPage } from '../routes/CartPage';
import { CartSummary } from '../components/CartSummary';
import { cartLine, mockFetch, renderWithProviders } from '../../../testing/utils';

const cart: Cart = {
  currency: 'USD',
  item_count: 3,
  subtotal_cents: 2 * 1999 + 550,
  items: [
    cartLine({ quantity: 2 }),
    cartLine({ product_id: 2, sku: 'B', slug: 'mug', name: 'Mug', unit_price_cents: 550, available: 1 }),
  ],
};

describe('cart totals', () => {
  it('sums quantities and line totals in integer cents', () => {
    expect(cartTotals(cart.items)).toEqual({ itemCount: 3, subtotalCents: 4548, shippingCents: 0, totalCents: 4548 });
    expect(cartTotals([])).toEqual({ itemCount: 0, subtotalCents: 0, shippingCents: 0, totalCents: 0 });
    // no floating point drift: 3 × $0.10 is exactly 30 cents
    expect(cartTotals([{ unit_price_cents: 10, quantity: 3 }]).totalCents).toBe(30);
  });

  it('recomputes the cart optimistically when a quantity changes or a line is removed', () => {
    const more = withQuantity(cart, 2, 1);
    expect(more.subtotal_cents).toBe(4548);
    const less = withQuantity(cart, 1, 1);
    expect(less.item_count).toBe(2);
    expect(less.subtotal_cents).toBe(1999 + 550);
    expect(less.items[0]!.line_total_cents).toBe(1999);
    const removed = withQuantity(cart, 1, 0);
    expect(removed.items.map((i) => i.product_id)).toEqual([2]);
    expect(removed.subtotal_cents).toBe(550);
  });

  it('clamps quantities to stock and the 1–99 range', () => {
    expect(clampQuantity(0, 5)).toBe(1);
    expect(clampQuantity(7, 5)).toBe(5);
    expect(clampQuantity(150, 1000)).toBe(99);
    expect(clampQuantity(Number.NaN, 5)).toBe(1);
  });

  it('formats money from cents by locale', () => {
    expect(formatMoney(4548, 'USD', 'en-US')).toBe('$45.48');
    expect(formatMoney(4548, 'EUR', 'de-DE')).toMatch(/^45,48\s€$/);
    expect(formatMoney(500, 'JPY', 'ja-JP')).toMatch(/500/); // zero-decimal currency
  });

  it('renders the summary with formatted totals', () => {
    render(<CartSummary cart={cart} />);
    expect(screen.getByTestId('summary-count')).toHaveTextContent('3');
    expect(screen.getByTestId('summary-subtotal')).toHaveTextContent('$45.48');
    expect(screen.getByTestId('summary-total')).toHaveTextContent('$45.48');
    expect(screen.getByText('Free')).toBeInTheDocument();
  });
});

describe('cart page', () => {
  it('updates totals when a quantity is increased and sends a PATCH', async () => {
    let current = structuredClone(cart);
    const fetch = mockFetch((url, init) => {
      if (url.pathname === '/api/cart' && init.method === 'GET') return { body: current };
      const m = /^\/api\/cart\/items\/(\d+)$/.exec(url.pathname);
      if (m && init.method === 'PATCH') {
        const q = JSON.parse(String(init.body)).quantity as number;
        current = withQuantity(current, Number(m[1]), q);
        return { body: current };
      }
    });
    renderWithProviders(<CartPage />);
    const table = await screen.findByRole('table', { name: /items in your cart/i });
    expect(within(table).getByRole('link', { name: 'Desk Lamp' })).toBeInTheDocument();
    // the Mug is at its stock limit (1): its + is disabled
    expect(screen.getByRole('button', { name: 'Increase quantity of Mug' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Increase quantity of Desk Lamp' }));
    expect(await screen.findByText('$65.47', { selector: '[data-testid=summary-total] *' })).toBeInTheDocument();
    const patch = fetch.sent.find((r) => r.method === 'PATCH');
    expect(patch?.url.pathname).toBe('/api/cart/items/1');
    expect(JSON.parse(patch!.body)).toEqual({ quantity: 3 });
  });

  it('shows an empty state', async () => {
    mockFetch(() => ({ body: { items: [], item_count: 0, subtotal_cents: 0, currency: 'USD' } }));
    renderWithProviders(<CartPage />);
    expect(await screen.findByRole('heading', { name: 'Your cart is empty' })).toBeInTheDocument();
  });

  it('shows an error state with retry', async () => {
    mockFetch(() => ({ status: 500, body: { type: 'internal', title: 'Internal Server Error', status: 500 } }));
    renderWithProviders(<CartPage />);
    expect(await screen.findByRole('alert')).toHaveTextContent(/trouble/);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('cart with a line beyond stock', () => {
  it('explains the problem and blocks checkout', async () => {
    const short: Cart = {
      ...cart,
      items: [{ ...cart.items[0]!, available: 0 }, cart.items[1]!],
    };
    mockFetch(() => ({ body: short }));
    renderWithProviders(<CartPage />);
    expect(await screen.findByText('Out of stock — remove it to check out.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Checkout' })).toBeDisabled();
    expect(screen.queryByRole('link', { name: 'Checkout' })).not.toBeInTheDocument();
  });
});
