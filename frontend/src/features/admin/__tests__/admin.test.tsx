import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Route, Routes } from 'react-router';
import { sessionHint } from '../../account';
import type { Order } from '../../../lib/api/types';
import { RequireAdmin } from '../AdminRoutes';
import { AdminOrders } from '../routes/AdminOrders';
import { OpsDashboard } from '../routes/OpsDashboard';
import { AdminProductEdit } from '../routes/AdminProductEdit';
import { currentLocation, mockFetch, renderWithProviders } from '../../../testing/utils';

const admin = { id: 1, email: 'root@example.com', name: 'Root', role: 'admin' };
const customer = { id: 2, email: 'ann@example.com', name: 'Ann', role: 'customer' };

function Gate() {
  return (
    <Routes>
      <Route
        path="/admin/*"
        element={
          <RequireAdmin>
            <h1>Back office</h1>
          </RequireAdmin>
        }
      />
      <Route path="/login" element={<h1>Log in page</h1>} />
    </Routes>
  );
}

describe('admin role gate', () => {
  it('sends anonymous visitors to log in, keeping where they were going', async () => {
    mockFetch(() => ({
      status: 401,
      body: { type: 'https://ecomm.dev/problems/unauthorized', status: 401, title: 'Authentication required' },
    }));
    renderWithProviders(<Gate />, { route: '/admin/orders' });
    expect(await screen.findByRole('heading', { name: 'Log in page' })).toBeInTheDocument();
    await vi.waitFor(() => expect(currentLocation.search).toBe('?next=%2Fadmin%2Forders'));
  });

  it('turns customers away', async () => {
    sessionHint.set(true);
    mockFetch((url) => (url.pathname === '/api/me' ? { body: customer } : undefined));
    renderWithProviders(<Gate />, { route: '/admin' });
    expect(await screen.findByRole('heading', { name: 'Admins only' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Back office' })).not.toBeInTheDocument();
  });

  it('lets admins in', async () => {
    sessionHint.set(true);
    mockFetch((url) => (url.pathname === '/api/me' ? { body: admin } : undefined));
    renderWithProviders(<Gate />, { route: '/admin' });
    expect(await screen.findByRole('heading', { name: 'Back office' })).toBeInTheDocument();
  });

  it('does not call /api/me at all for a browser that never logged in', async () => {
    const fetch = mockFetch(() => ({ status: 401, body: { type: 'unauthorized' } }));
    renderWithProviders(<Gate />, { route: '/admin' });
    await screen.findByRole('heading', { name: 'Log in page' });
    expect(fetch).not.toHaveBeenCalled();
  });
});

const order = (over: Partial<Order>): Order => ({
  id: '0b5c7f0e-1111-4222-8333-944445555666',
  status: 'paid',
  email: 'ann@example.com',
  items: [],
  subtotal_cents: 1999,
  total_cents: 1999,
  currency: 'USD',
  shipping_address: { name: 'Ann', line1: '1 Main', city: 'X', postal_code: '1', country: 'US' },
  payment: { brand: 'visa', last4: '4242', state: 'captured' },
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...over,
});

describe('admin orders', () => {
  it('offers the legal next statuses and posts the change', async () => {
    const posted: unknown[] = [];
    let status: Order['status'] = 'paid';
    mockFetch((url, init) => {
      if (url.pathname === '/api/admin/orders')
        return { body: { items: [order({ status })], total: 1, page: 1, per_page: 20 } };
      if (url.pathname.endsWith('/status') && init.method === 'POST') {
        posted.push([url.pathname, JSON.parse(String(init.body))]);
        status = 'shipped';
        return { body: order({ status }) };
      }
    });
    renderWithProviders(<AdminOrders />, { route: '/admin/orders' });
    const table = await screen.findByRole('table', { name: 'Orders' });
    const select = within(table).getByRole('combobox', { name: /New status for order 0b5c7f0e/ });
    expect([...(select as HTMLSelectElement).options].map((o) => o.value)).toEqual(['shipped', 'cancelled']);
    await userEvent.click(within(table).getByRole('button', { name: /Update/ }));
    expect(await within(table).findByText('shipped', { selector: '.status' })).toBeInTheDocument();
    expect(posted).toEqual([['/api/admin/orders/0b5c7f0e-1111-4222-8333-944445555666/status', { status: 'shipped' }]]);
  });
});

describe('ops dashboard', () => {
  it('draws a chart per metric from the summary', async () => {
    mockFetch((url) =>
      url.pathname === '/api/admin/ops/summary'
        ? {
            body: {
              generated_at: '2026-01-01T00:00:00Z',
              window_seconds: 60,
              requests_per_second: 12.5,
              p50_ms: 3.2,
              p99_ms: 41,
              error_rate: 0.015,
              orders_per_minute: 4,
              inventory_updates_per_minute: 7,
            },
          }
        : undefined,
    );
    renderWithProviders(<OpsDashboard />);
    expect(
      await screen.findByRole('img', { name: /^Requests per second: latest rps 12\.5 req\/s/ }),
    ).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Latency: latest p50 3\.2 ms, p99 41\.0 ms/ })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Error rate: latest errors 1\.50 %/ })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Orders per minute/ })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Inventory updates per minute/ })).toBeInTheDocument();
  });

  it('shows an error state when the API refuses', async () => {
    mockFetch(() => ({ status: 403, body: { type: 'forbidden', status: 403, title: 'Forbidden' } }));
    renderWithProviders(<OpsDashboard />);
    expect(await screen.findByRole('alert')).toHaveTextContent('You do not have access');
  });
});

describe('admin product SEO fields', () => {
  const product = {
    id: 7,
    sku: 'MUG-1',
    slug: 'mug',
    name: 'Mug',
    description: 'A mug.',
    category: 'Kitchen',
    price_cents: 1299,
    currency: 'USD',
    image_url: null,
    available: 3,
    created_at: '2026-01-01T00:00:00Z',
    seo_title: null,
    seo_description: null,
  };

  it('sends the SEO title and description with the product, and refuses a title past the limit', async () => {
    const patched: unknown[] = [];
    mockFetch((url, init) => {
      if (url.pathname === '/api/admin/products/7' && init.method === 'PATCH') {
        patched.push(JSON.parse(String(init.body)));
        return { body: { ...product, seo_title: 'Best mug' } };
      }
      if (url.pathname === '/api/products/7') return { body: product };
      if (url.pathname.includes('/audit')) return { body: { items: [] } };
    });
    renderWithProviders(<AdminProductEdit />, { route: '/admin/products/7', path: '/admin/products/:id' });
    const title = await screen.findByRole('textbox', { name: 'SEO title' });
    await userEvent.type(title, 'x'.repeat(71));
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Use at most 70 characters.')).toBeInTheDocument();
    expect(patched).toEqual([]);
    await userEvent.clear(title);
    await userEvent.type(title, 'Best mug');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Saved.');
    expect(patched).toEqual([
      {
        name: 'Mug',
        description: 'A mug.',
        category: 'Kitchen',
        price_cents: 1299,
        seo_title: 'Best mug',
        seo_description: '',
      },
    ]);
  });
});
