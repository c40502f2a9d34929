// The card flow: our API prices the cart and creates the payment; the card goes to the payment
// provider (the test stand-in, or Stripe), never to our API; our API then makes the order.
import { call, http, isProblem, isTransient } from '../../../lib/api/client';
import type { CheckoutStarted, Order, StartCheckout } from '../../../lib/api/types';

/** What `POST /api/checkout` takes (no card fields: the server refuses them) and answers. */
export type { CheckoutStarted, StartCheckout };

/** The card as the shopper typed it; it only ever travels to the payment provider. */
export interface CardInput {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc: string;
}

/** The stand-in's publishable key: `--payments test` answers it, Stripe never does. */
export const STAND_IN_PUBLISHABLE_KEY = 'pk_test_standin';

/** The provider turned the card down (declined, wrong number, failed authentication). */
export class CardError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CardError';
    this.code = code;
  }
}

/**
 * POST /api/checkout, retried with the same Idempotency-Key on transport failures and while the
 * server is still working on that key: the same key answers the same payment.
 */
export async function startCheckout(body: StartCheckout, key: string, attempts = 3): Promise<CheckoutStarted> {
  for (let i = 0; ; i++) {
    try {
      return await call(http.POST('/api/checkout', { body, params: { header: { 'Idempotency-Key': key } } }));
    } catch (e) {
      if (!(isTransient(e) || isProblem(e, 'in-progress')) || i >= attempts - 1) throw e;
      await new Promise((r) => setTimeout(r, 300 * 2 ** i));
    }
  }
}

/** POST /api/checkout/complete: the order (201 the first time, the same order after). */
export function completeCheckout(intentId: string): Promise<Order> {
  return call(http.POST('/api/checkout/complete', { body: { intent_id: intentId } }));
}

/** A PaymentIntent as the provider answers its confirmation (the fields the page reads). */
export interface ConfirmedIntent {
  id: string;
  status: string;
  next_action?: { type: string; redirect_to_url?: { url: string } } | null;
}

/**
 * Confirms the payment at the test stand-in with the card, as Stripe.js confirms at Stripe: a form
 * post with the publishable key and the payment's client secret.
 */
export async function confirmAtStandIn(
  started: CheckoutStarted,
  card: CardInput,
  returnUrl: string,
): Promise<ConfirmedIntent> {
  const p = started.payment;
  const form = new URLSearchParams({
    key: p.publishable_key,
    client_secret: p.client_secret,
    'payment_method_data[type]': 'card',
    'payment_method_data[card][number]': card.number,
    'payment_method_data[card][exp_month]': String(card.exp_month),
    'payment_method_data[card][exp_year]': String(card.exp_year),
    'payment_method_data[card][cvc]': card.cvc,
    return_url: returnUrl,
  });
  const res = await fetch(`/test-gateway/v1/payment_intents/${encodeURIComponent(p.intent_id)}/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: form,
    credentials: 'omit',
  });
  const json = (await res.json().catch(() => ({}))) as ConfirmedIntent & {
    error?: { code?: string; decline_code?: string; message?: string };
  };
  if (json.error)
    throw new CardError(json.error.decline_code ?? json.error.code ?? 'card_error', json.error.message ?? '');
  if (!res.ok) throw new Error(`The payment provider answered ${res.status}.`);
  return json;
}
