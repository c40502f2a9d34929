// Placing an order: one POST per attempt, made safe to repeat by its Idempotency-Key.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { call, http, isProblem, isTransient } from '../../../lib/api/client';
import { keys } from '../../../lib/api/keys';
import type { CheckoutRequest, Order } from '../../../lib/api/types';

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
