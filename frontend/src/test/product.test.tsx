import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ProductPage } from '../pages/ProductPage';
import { appendSample } from '../admin/OpsDashboard';
import { linePath, niceMax } from '../admin/charts';
import type { OpsSummary } from '../api/types';
import { mockFetch, product, renderWithProviders } from './utils';

const emptyCart = { items: [], item_count: 0, subtotal_cents: 0, currency: 'USD' };

describe('product page', () => {
  it('disables adding when out of stock', async () => {
    mockFetch((url) => {
      if (url.pathname === '/api/products/7') return { body: product({ id: 7, available: 0 }) };
      if (url.pathname === '/api/cart') return { body: emptyCart };
    });
    renderWithProviders(<ProductPage />, { route: '/products/7/desk-lamp', path: '/products/:id/:slug?' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Desk Lamp' })).toBeInTheDocument();
    expect(screen.getByTestId('stock-state')).toHaveTextContent('Out of stock');
    expect(screen.getByRole('button', { name: 'Out of stock' })).toBeDisabled();
    expect(screen.getByText('$19.99')).toBeInTheDocument();
  });

  it('shows low stock and adds to cart', async () => {
    const posted: unknown[] = [];
    mockFetch((url, init) => {
      if (url.pathname === '/api/products/7') return { body: product({ id: 7, available: 3 }) };
      if (url.pathname === '/api/cart') return { body: emptyCart };
      if (url.pathname === '/api/cart/items' && init.method === 'POST') {
        posted.push(JSON.parse(String(init.body)));
        return { body: { ...emptyCart, item_count: 1 } };
      }
    });
    renderWithProviders(<ProductPage />, { route: '/products/7', path: '/products/:id/:slug?' });
    expect(await screen.findByText('Only 3 left')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Add to cart' }));
    expect(await screen.findByText(/Added to your cart/)).toBeInTheDocument();
    expect(posted).toEqual([{ product_id: 7, quantity: 1 }]);
  });

  it('shows not found for an unknown product', async () => {
    mockFetch((url) => (url.pathname === '/api/cart' ? { body: emptyCart } : undefined));
    renderWithProviders(<ProductPage />, { route: '/products/999', path: '/products/:id/:slug?' });
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  });
});

describe('ops dashboard helpers', () => {
  const s = (t: string, rps = 1): OpsSummary => ({
    generated_at: t,
    window_seconds: 60,
    requests_per_second: rps,
    p50_ms: 1,
    p99_ms: 5,
    error_rate: 0,
    orders_per_minute: 0,
    inventory_updates_per_minute: 0,
  });
  it('keeps a bounded client-side history without duplicates', () => {
    let h: OpsSummary[] = [];
    h = appendSample(h, s('a'), 3);
    h = appendSample(h, s('a'), 3);
    h = appendSample(h, s('b'), 3);
    h = appendSample(h, s('c'), 3);
    h = appendSample(h, s('d'), 3);
    expect(h.map((x) => x.generated_at)).toEqual(['b', 'c', 'd']);
  });
  it('scales charts', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7.3)).toBe(10);
    expect(niceMax(230)).toBe(250);
    expect(linePath([0, 10], 100, 50, 10, 2)).toBe('M0.0,50.0 L100.0,0.0');
  });
});
