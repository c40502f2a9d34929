import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { useLayoutEffect, type ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';
import type { CartItem, Product } from '../lib/api/types';

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

/** A request as the stubbed fetch saw it. */
export interface Sent {
  url: URL;
  method: string;
  headers: Headers;
  body: string;
}
export function cartLine(over: Partial<CartItem> = {}): CartItem {
  const line = {
    product_id: 1,
    sku: 'A',
    slug: 'lamp',
    name: 'Desk Lamp',
    image_url: null,
    unit_price_cents: 1999,
    quantity: 1,
    available: 5,
    ...over,
  };
  return { ...line, line_total_cents: line.unit_price_cents * line.quantity };
}

type Handler = (url: URL, req: Sent) => { status?: number; body?: unknown } | undefined;

/**
 * Stubs global fetch with a router of handlers. Returns the mock; `sent` lists every request (method,
 * headers, body) in order. A problem answer without `type` gets one from its status, as the backend does.
 */
export function mockFetch(handler: Handler) {
  const sent: Sent[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const url = new URL(req.url);
    const s: Sent = { url, method: req.method, headers: req.headers, body: await req.text() };
    sent.push(s);
    const r = handler(url, s) ?? { status: 404, body: { type: 'not-found', title: 'Not Found', status: 404 } };
    const status = r.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(r.body ?? {}), {
      status,
      headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fn);
  return Object.assign(fn, { sent });
}

export let currentLocation = { pathname: '/', search: '' };
function LocationSpy() {
  const loc = useLocation();
  useLayoutEffect(() => {
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
