// The shopper's cart (a cookie for guests, stored for signed-in users; the API hides which).
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, http } from '../../../lib/api/client';
import { keys } from '../../../lib/api/keys';
import type { Cart } from '../../../lib/api/types';
import { withQuantity } from '../cart';

export const cartQuery = () =>
  queryOptions({
    queryKey: keys.cart,
    queryFn: ({ signal }) => call(http.GET('/api/cart', { signal })),
  });

export const useCart = () => useQuery(cartQuery());

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
