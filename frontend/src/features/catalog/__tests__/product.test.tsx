import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ProductPage } from '../routes/ProductPage';
import { stockLabel } from '../stock';
import { mockFetch, product, renderWithProviders } from '../../../testing/utils';

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

describe('stock labels', () => {
  it('labels stock states', () => {
    expect(stockLabel(0)).toEqual({ text: 'Out of stock', tone: 'out' });
    expect(stockLabel(3).text).toBe('Only 3 left');
    expect(stockLabel(50).text).toBe('In stock');
  });
});
