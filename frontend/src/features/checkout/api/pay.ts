// One "Place order": start the checkout, confirm the card with the provider, make the order.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { isProblem } from '../../../lib/api/client';
import { keys } from '../../../lib/api/keys';
import type { Order } from '../../../lib/api/types';
import {
  completeCheckout,
  confirmAtStandIn,
  startCheckout,
  STAND_IN_PUBLISHABLE_KEY,
  type CardInput,
  type CheckoutStarted,
  type StartCheckout,
} from './cardFlow';

/** Where the provider sends the shopper back after a 3-D Secure challenge. */
export const RETURN_PATH = '/checkout/return';

/**
 * The order; or `redirect` when the shopper is off to their bank's challenge page; or `stripe`
 * when Stripe's own fields must take the card (Stripe mode).
 */
export type PayOutcome = { order: Order } | { redirect: string } | { stripe: CheckoutStarted };

export function returnUrl(): string {
  return new URL(RETURN_PATH, globalThis.location.origin).href;
}

export async function pay(body: StartCheckout, card: CardInput, key: string): Promise<PayOutcome> {
  const started = await startCheckout(body, key);
  if (started.payment.publishable_key !== STAND_IN_PUBLISHABLE_KEY) return { stripe: started };
  const intent = await confirmAtStandIn(started, card, returnUrl());
  // The challenge page belongs to the provider and may not be framed (frame-ancestors 'none'):
  // the shopper goes there and comes back to RETURN_PATH, as with Stripe's redirect_to_url.
  const next = intent.next_action?.redirect_to_url?.url;
  if (intent.status === 'requires_action' && next) return { redirect: next };
  return { order: await completeCheckout(started.payment.intent_id) };
}

/** The caches an order changes: the cart is empty, stock moved, history has one more. */
export function useOrderPlaced() {
  const qc = useQueryClient();
  return (order: Order) => {
    qc.setQueryData(keys.order(order.id), order);
    qc.invalidateQueries({ queryKey: keys.cart });
    qc.invalidateQueries({ queryKey: keys.orders, exact: true });
    qc.invalidateQueries({ queryKey: keys.products });
  };
}

export function usePay() {
  const qc = useQueryClient();
  const placed = useOrderPlaced();
  return useMutation({
    mutationFn: ({ body, card, key }: { body: StartCheckout; card: CardInput; key: string }) => pay(body, card, key),
    onSuccess: (out) => {
      if ('order' in out) placed(out.order);
    },
    onError: (e) => {
      // stock or prices moved under us: show the cart as it is now
      if (isProblem(e, 'insufficient-stock', 'price-changed', 'conflict'))
        qc.invalidateQueries({ queryKey: keys.cart });
    },
  });
}
