// Reads: one `queryOptions` per endpoint (key + fetcher together), and the hooks built on them.
// Every key comes from `keys`, so invalidations elsewhere (mutations.ts) name the same arrays.
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { call, http, isProblem } from './client';
import type { AdminOrderQuery, ProductQuery } from './types';

export const keys = {
  me: ['me'] as const,
  cart: ['cart'] as const,
  categories: ['categories'] as const,
  products: ['products'] as const,
  productLists: ['products', 'list'] as const,
  productList: (q: ProductQuery) => [...keys.productLists, q] as const,
  product: (id: number) => [...keys.products, 'detail', id] as const,
  suggest: (q: string) => ['suggest', q] as const,
  orders: ['orders'] as const,
  order: (id: string) => [...keys.orders, id] as const,
  admin: ['admin'] as const,
  adminOrders: ['admin', 'orders'] as const,
  adminOrderList: (q: AdminOrderQuery) => [...keys.adminOrders, q] as const,
  audit: (sku: string) => [...keys.admin, 'audit', sku] as const,
  ops: ['admin', 'ops'] as const,
};

// ---- session ---------------------------------------------------------------------------
// A non-secret hint that this browser has logged in, so anonymous shoppers do not fire a
// `GET /api/me` that can only answer 401 on every page load.
const SESSION_HINT = 'ecomm.session';
export const sessionHint = {
  get: () => {
    try {
      return localStorage.getItem(SESSION_HINT) === '1';
    } catch {
      return false;
    }
  },
  set: (on: boolean) => {
    try {
      if (on) localStorage.setItem(SESSION_HINT, '1');
      else localStorage.removeItem(SESSION_HINT);
    } catch {
      /* private mode */
    }
  },
};

export const meQuery = () =>
  queryOptions({
    queryKey: keys.me,
    queryFn: async ({ signal }) => {
      if (!sessionHint.get()) return null;
      try {
        return await call(http.GET('/api/me', { signal }));
      } catch (e) {
        if (!isProblem(e, 'unauthorized')) throw e;
        sessionHint.set(false);
        return null;
      }
    },
    staleTime: 60_000,
  });

// ---- catalog ---------------------------------------------------------------------------
export const productsQuery = (query: ProductQuery) =>
  queryOptions({
    queryKey: keys.productList(query),
    queryFn: ({ signal }) => call(http.GET('/api/products', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });

export const productQuery = (id: number) =>
  queryOptions({
    queryKey: keys.product(id),
    queryFn: ({ signal }) => call(http.GET('/api/products/{id}', { params: { path: { id } }, signal })),
    enabled: Number.isFinite(id) && id > 0,
  });

export const categoriesQuery = () =>
  queryOptions({
    queryKey: keys.categories,
    queryFn: ({ signal }) => call(http.GET('/api/categories', { signal })),
    staleTime: 5 * 60_000,
  });

/** Search-as-you-type suggestions (at most 8 product names). */
export const suggestQuery = (q: string) =>
  queryOptions({
    queryKey: keys.suggest(q),
    queryFn: async ({ signal }) =>
      (await call(http.GET('/api/search/suggest', { params: { query: { q } }, signal }))).suggestions,
    enabled: q.trim() !== '',
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });

// ---- cart & orders ---------------------------------------------------------------------
export const cartQuery = () =>
  queryOptions({
    queryKey: keys.cart,
    queryFn: ({ signal }) => call(http.GET('/api/cart', { signal })),
  });

export const ordersQuery = () =>
  queryOptions({
    queryKey: keys.orders,
    queryFn: ({ signal }) => call(http.GET('/api/orders', { signal })),
  });

export const orderQuery = (id: string) =>
  queryOptions({
    queryKey: keys.order(id),
    queryFn: ({ signal }) => call(http.GET('/api/orders/{id}', { params: { path: { id } }, signal })),
  });

// ---- admin -----------------------------------------------------------------------------
export const auditQuery = (sku: string) =>
  queryOptions({
    queryKey: keys.audit(sku),
    queryFn: ({ signal }) => call(http.GET('/api/admin/inventory/{sku}/audit', { params: { path: { sku } }, signal })),
    enabled: sku !== '',
  });

export const adminOrdersQuery = (query: AdminOrderQuery) =>
  queryOptions({
    queryKey: keys.adminOrderList(query),
    queryFn: ({ signal }) => call(http.GET('/api/admin/orders', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });

export const opsQuery = (intervalMs: number) =>
  queryOptions({
    queryKey: keys.ops,
    queryFn: ({ signal }) => call(http.GET('/api/admin/ops/summary', { signal })),
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
  });

// ---- hooks -----------------------------------------------------------------------------
export const useMe = () => useQuery(meQuery());
export const useProducts = (q: ProductQuery) => useQuery(productsQuery(q));
export const useProduct = (id: number) => useQuery(productQuery(id));
export const useCategories = () => useQuery(categoriesQuery());
export const useSuggestions = (q: string) => useQuery(suggestQuery(q));
export const useCart = () => useQuery(cartQuery());
export const useOrders = (enabled: boolean) => useQuery({ ...ordersQuery(), enabled });
export const useOrder = (id: string) => useQuery(orderQuery(id));
export const useInventoryAudit = (sku: string | undefined) => useQuery(auditQuery(sku ?? ''));
export const useAdminOrders = (q: AdminOrderQuery) => useQuery(adminOrdersQuery(q));
export const useOpsSummary = (intervalMs: number) => useQuery(opsQuery(intervalMs));
