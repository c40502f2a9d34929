import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { useEffect, type ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';
import type { Product } from '../api/types';

export function product(over: Partial<Product> = {}): Product {
  return {
    id: 1,
    sku: 'SKU-1',
    slug: 'desk-lamp',
    name: 'Desk Lamp',
    description: 'A lamp.',
    category: 'Home',
    price_cents: 1999,
    currency: 'USD',
    image_url: null,
    available: 10,
    created_at: '2026-01-01T00:00:00Z',
    ...over,
  };
}

type Handler = (url: URL, init: RequestInit) => { status?: number; body?: unknown } | undefined;

/** Stubs global fetch with a router of handlers; returns the mock for call assertions. */
export function mockFetch(handler: Handler) {
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const r = handler(url, init) ?? { status: 404, body: { title: 'Not Found', status: 404 } };
    const status = r.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(r.body ?? {}), {
      status,
      headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

export let currentLocation = { pathname: '/', search: '' };
function LocationSpy() {
  const loc = useLocation();
  useEffect(() => {
    currentLocation = { pathname: loc.pathname, search: loc.search };
  });
  return null;
}

export function renderWithProviders(
  ui: ReactNode,
  { route = '/', path = '*' }: { route?: string; path?: string } = {},
) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return {
    qc,
    ...render(
      <QueryClientProvider client={qc}>
        <MemoryRouter initialEntries={[route]}>
          <LocationSpy />
          <Routes>
            <Route path={path} element={ui} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    ),
  };
}
