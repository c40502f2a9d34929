// Writes: each mutation calls one endpoint through `http` and updates the cache through `keys`.
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { withQuantity } from '../lib/cart';
import { call, http, isProblem, isTransient } from './client';
import { keys, sessionHint } from './queries';
import type {
  Cart,
  CheckoutRequest,
  Order,
  OrderStatus,
  Product,
  ProductCreate,
  ProductUpdate,
  Credentials,
  Registration,
  User,
} from './types';

// ---- session ---------------------------------------------------------------------------
function useSessionChange() {
  const qc = useQueryClient();
  return (user: User | null) => {
    sessionHint.set(!!user);
    qc.setQueryData(keys.me, user);
    qc.invalidateQueries({ queryKey: keys.cart });
    qc.removeQueries({ queryKey: keys.orders });
    qc.removeQueries({ queryKey: keys.admin });
  };
}

export function useLogin() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: (body: Credentials) => call(http.POST('/api/auth/login', { body })),
    onSuccess: changed,
  });
}

export function useRegister() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: (body: Registration) => call(http.POST('/api/auth/register', { body })),
    onSuccess: changed,
  });
}

export function useLogout() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: () => call(http.POST('/api/auth/logout', { body: {} })),
    onSettled: () => changed(null),
  });
}

// ---- cart ------------------------------------------------------------------------------
export function useAddToCart() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { product_id: number; quantity: number }) => call(http.POST('/api/cart/items', { body })),
    onSuccess: (cart) => qc.setQueryData(keys.cart, cart),
  });
}

/** Sets a line's quantity (0 removes the line), optimistically. */
export function useSetCartQuantity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ product_id, quantity }: { product_id: number; quantity: number }) => {
      const params = { path: { product_id } };
      return quantity > 0
        ? call(http.PATCH('/api/cart/items/{product_id}', { params, body: { quantity } }))
        : call(http.DELETE('/api/cart/items/{product_id}', { params }));
    },
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

// ---- checkout --------------------------------------------------------------------------
/**
 * POST /api/checkout, retried with the same Idempotency-Key on transport failures and while the
 * server is still working on that key (409 in-progress): the retry gets the real answer.
 */
export async function placeOrder(body: CheckoutRequest, key: string, attempts = 3): Promise<Order> {
  for (let i = 0; ; i++) {
    try {
      return await call(http.POST('/api/checkout', { body, params: { header: { 'Idempotency-Key': key } } }));
    } catch (e) {
      if (!(isTransient(e) || isProblem(e, 'in-progress')) || i >= attempts - 1) throw e;
      await new Promise((r) => setTimeout(r, 300 * 2 ** i));
    }
  }
}

export function useCheckout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: CheckoutRequest; key: string }) => placeOrder(body, key),
    onSuccess: (order) => {
      qc.setQueryData(keys.order(order.id), order);
      qc.invalidateQueries({ queryKey: keys.cart });
      qc.invalidateQueries({ queryKey: keys.orders, exact: true });
      qc.invalidateQueries({ queryKey: keys.products });
    },
    onError: (e) => {
      // stock or prices moved under us: show the cart as it is now
      if (isProblem(e, 'insufficient-stock', 'price-changed', 'conflict'))
        qc.invalidateQueries({ queryKey: keys.cart });
    },
  });
}

// ---- admin -----------------------------------------------------------------------------
function productSaved(qc: QueryClient) {
  return (p: Product) => {
    // the answer is the product as saved; only the lists are refetched (catalog reads may lag by ~1 s)
    qc.setQueryData(keys.product(p.id), p);
    qc.invalidateQueries({ queryKey: keys.productLists });
  };
}

export function useCreateProduct() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProductCreate) => call(http.POST('/api/admin/products', { body })),
    onSuccess: productSaved(qc),
  });
}

export function useUpdateProduct(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProductUpdate) =>
      call(http.PATCH('/api/admin/products/{id}', { params: { path: { id } }, body })),
    onSuccess: productSaved(qc),
  });
}

export function useUploadImage(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('image', file);
      return call(
        http.POST('/api/admin/products/{id}/image', {
          params: { path: { id } },
          // the spec describes the multipart body; the browser sets the boundary
          body: form as never,
          bodySerializer: (b) => b as unknown as FormData,
        }),
      );
    },
    onSuccess: productSaved(qc),
  });
}

export function useSetStock(productId: number, sku: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (available: number) =>
      call(http.PUT('/api/admin/inventory/{sku}', { params: { path: { sku } }, body: { available } })),
    onSuccess: (lvl) => {
      qc.setQueryData<Product>(keys.product(productId), (p) => (p ? { ...p, available: lvl.available } : p));
      qc.invalidateQueries({ queryKey: keys.audit(sku) });
      qc.invalidateQueries({ queryKey: keys.productLists });
    },
  });
}

export function useSetOrderStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: { id: string; status: OrderStatus }) =>
      call(http.POST('/api/admin/orders/{id}/status', { params: { path: { id } }, body: { status } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.adminOrders }),
  });
}
