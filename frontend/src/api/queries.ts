import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, NetworkError, qs } from './client';
import type {
  AdminOrderPage,
  Body,
  Cart,
  CheckoutRequest,
  Ok,
  Order,
  OrderList,
  OrderStatus,
  Product,
  User,
} from './types';
import { withQuantity } from '../lib/cart';

export const keys = {
  me: ['me'] as const,
  cart: ['cart'] as const,
  categories: ['categories'] as const,
  products: (q: object) => ['products', q] as const,
  product: (id: number) => ['product', id] as const,
  orders: ['orders'] as const,
  order: (id: string) => ['order', id] as const,
  adminOrders: (q: object) => ['admin', 'orders', q] as const,
  audit: (sku: string) => ['admin', 'audit', sku] as const,
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

export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: async () => {
      if (!sessionHint.get()) return null;
      try {
        return await api<Ok<'/api/me', 'get'>>('/api/me');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          sessionHint.set(false);
          return null;
        }
        throw e;
      }
    },
    staleTime: 60_000,
  });
}

function useSessionChange() {
  const qc = useQueryClient();
  return (user: User | null) => {
    sessionHint.set(!!user);
    qc.setQueryData(keys.me, user);
    qc.invalidateQueries({ queryKey: keys.cart });
    qc.removeQueries({ queryKey: keys.orders });
    qc.removeQueries({ queryKey: ['admin'] });
  };
}

export function useLogin() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: (body: Body<'/api/auth/login', 'post'>) =>
      api<Ok<'/api/auth/login', 'post'>>('/api/auth/login', { method: 'POST', body }),
    onSuccess: changed,
  });
}

export function useRegister() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: (body: Body<'/api/auth/register', 'post'>) =>
      api<Ok<'/api/auth/register', 'post'>>('/api/auth/register', { method: 'POST', body }),
    onSuccess: changed,
  });
}

export function useLogout() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: () => api<Ok<'/api/auth/logout', 'post'>>('/api/auth/logout', { method: 'POST' }),
    onSettled: () => changed(null),
  });
}

// ---- catalog ---------------------------------------------------------------------------
export type ProductQuery = Record<string, string | number | undefined>;

export function useProducts(query: ProductQuery) {
  return useQuery({
    queryKey: keys.products(query),
    queryFn: ({ signal }) => api<Ok<'/api/products', 'get'>>(`/api/products${qs(query)}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useProduct(id: number) {
  return useQuery({
    queryKey: keys.product(id),
    queryFn: ({ signal }) => api<Ok<'/api/products/{id}', 'get'>>(`/api/products/${id}`, { signal }),
    enabled: Number.isFinite(id) && id > 0,
  });
}

export function useCategories() {
  return useQuery({
    queryKey: keys.categories,
    queryFn: ({ signal }) => api<Ok<'/api/categories', 'get'>>('/api/categories', { signal }),
    staleTime: 5 * 60_000,
  });
}

// ---- cart ------------------------------------------------------------------------------
export function useCart() {
  return useQuery({
    queryKey: keys.cart,
    queryFn: ({ signal }) => api<Ok<'/api/cart', 'get'>>('/api/cart', { signal }),
  });
}

export function useAddToCart() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: Body<'/api/cart/items', 'post'>) =>
      api<Ok<'/api/cart/items', 'post'>>('/api/cart/items', { method: 'POST', body: b }),
    onSuccess: (cart) => qc.setQueryData(keys.cart, cart),
  });
}

/** Sets a line's quantity (0 removes the line), optimistically. */
export function useSetCartQuantity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ product_id, quantity }: { product_id: number; quantity: number }) =>
      quantity > 0
        ? api<Ok<'/api/cart/items/{product_id}', 'patch'>>(`/api/cart/items/${product_id}`, {
            method: 'PATCH',
            body: { quantity } satisfies Body<'/api/cart/items/{product_id}', 'patch'>,
          })
        : api<Ok<'/api/cart/items/{product_id}', 'delete'>>(`/api/cart/items/${product_id}`, { method: 'DELETE' }),
    onMutate: async ({ product_id, quantity }) => {
      await qc.cancelQueries({ queryKey: keys.cart });
      const prev = qc.getQueryData<Cart>(keys.cart);
      if (prev) qc.setQueryData(keys.cart, withQuantity(prev, product_id, quantity));
      return { prev };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.prev) qc.setQueryData(keys.cart, ctx.prev);
    },
    onSuccess: (cart) => qc.setQueryData(keys.cart, cart),
  });
}

// ---- checkout & orders ----------------------------------------------------------------
const RETRYABLE = new Set([502, 503, 504]);

/** POST /api/checkout, retried on transport failures with the same Idempotency-Key. */
export async function placeOrder(body: Body<'/api/checkout', 'post'>, key: string, attempts = 3): Promise<Order> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return (await api<Ok<'/api/checkout', 'post'>>('/api/checkout', {
        method: 'POST',
        body,
        headers: { 'Idempotency-Key': key },
      })) as Order;
    } catch (e) {
      last = e;
      const retryable = e instanceof NetworkError || (e instanceof ApiError && RETRYABLE.has(e.status));
      if (!retryable || i === attempts - 1) throw e;
      await new Promise((r) => setTimeout(r, 300 * 2 ** i));
    }
  }
  throw last;
}

export function useCheckout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: CheckoutRequest; key: string }) => placeOrder(body, key),
    onSuccess: (order) => {
      qc.setQueryData(keys.order(order.id), order);
      qc.invalidateQueries({ queryKey: keys.cart });
      qc.invalidateQueries({ queryKey: keys.orders });
      qc.invalidateQueries({ queryKey: ['products'] });
      qc.invalidateQueries({ queryKey: ['product'] });
    },
    onError: (e) => {
      // stock may have moved under us
      if (e instanceof ApiError && e.status === 409) qc.invalidateQueries({ queryKey: keys.cart });
    },
  });
}

export function useOrders(enabled: boolean) {
  return useQuery({
    queryKey: keys.orders,
    queryFn: ({ signal }) => api<Ok<'/api/orders', 'get'>>('/api/orders', { signal }) as Promise<OrderList>,
    enabled,
  });
}

export function useOrder(id: string) {
  return useQuery({
    queryKey: keys.order(id),
    queryFn: ({ signal }) =>
      api<Ok<'/api/orders/{id}', 'get'>>(`/api/orders/${encodeURIComponent(id)}`, { signal }) as Promise<Order>,
  });
}

// ---- admin -----------------------------------------------------------------------------
export function useCreateProduct() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: Body<'/api/admin/products', 'post'>) =>
      api<Ok<'/api/admin/products', 'post'>>('/api/admin/products', { method: 'POST', body: b }),
    onSuccess: (p) => {
      qc.setQueryData(keys.product(p.id), p);
      qc.invalidateQueries({ queryKey: ['products'] });
    },
  });
}

export function useUpdateProduct(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: Body<'/api/admin/products/{id}', 'patch'>) =>
      api<Ok<'/api/admin/products/{id}', 'patch'>>(`/api/admin/products/${id}`, { method: 'PATCH', body: b }),
    onSuccess: (p) => {
      qc.setQueryData(keys.product(p.id), p);
      qc.invalidateQueries({ queryKey: ['products'] });
    },
  });
}

export function useUploadImage(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('image', file);
      return api<Ok<'/api/admin/products/{id}/image', 'post'>>(`/api/admin/products/${id}/image`, {
        method: 'POST',
        form,
      });
    },
    onSuccess: (p) => {
      qc.setQueryData(keys.product(p.id), p);
      qc.invalidateQueries({ queryKey: ['products'] });
    },
  });
}

export function useSetStock(productId: number, sku: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (available: number) =>
      api<Ok<'/api/admin/inventory/{sku}', 'put'>>(`/api/admin/inventory/${encodeURIComponent(sku)}`, {
        method: 'PUT',
        body: { available } satisfies Body<'/api/admin/inventory/{sku}', 'put'>,
      }),
    onSuccess: (lvl) => {
      qc.setQueryData<Product>(keys.product(productId), (p) => (p ? { ...p, available: lvl.available } : p));
      qc.invalidateQueries({ queryKey: keys.audit(sku) });
      qc.invalidateQueries({ queryKey: ['products'] });
    },
  });
}

export function useInventoryAudit(sku: string | undefined) {
  return useQuery({
    queryKey: keys.audit(sku ?? ''),
    queryFn: ({ signal }) =>
      api<Ok<'/api/admin/inventory/{sku}/audit', 'get'>>(`/api/admin/inventory/${encodeURIComponent(sku!)}/audit`, {
        signal,
      }),
    enabled: !!sku,
  });
}

export function useAdminOrders(query: { status?: string; page: number; per_page: number }) {
  return useQuery({
    queryKey: keys.adminOrders(query),
    queryFn: ({ signal }) =>
      api<Ok<'/api/admin/orders', 'get'>>(`/api/admin/orders${qs(query)}`, { signal }) as Promise<AdminOrderPage>,
    placeholderData: keepPreviousData,
  });
}

export function useSetOrderStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: { id: string; status: OrderStatus }) =>
      api<Ok<'/api/admin/orders/{id}/status', 'post'>>(`/api/admin/orders/${encodeURIComponent(id)}/status`, {
        method: 'POST',
        body: { status } satisfies Body<'/api/admin/orders/{id}/status', 'post'>,
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin', 'orders'] }),
  });
}

export function useOpsSummary(intervalMs: number) {
  return useQuery({
    queryKey: keys.ops,
    queryFn: ({ signal }) => api<Ok<'/api/admin/ops/summary', 'get'>>('/api/admin/ops/summary', { signal }),
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
  });
}
