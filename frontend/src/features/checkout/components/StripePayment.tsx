// Stripe mode: the Payment Element (Stripe's own fields in Stripe's frames) takes the card, and
// Stripe.js confirms it, 3-D Secure included. Loaded only when the shop answers a Stripe payment,
// so test mode and the first paint never fetch js.stripe.com.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { loadStripe, type Stripe, type StripeElements } from '@stripe/stripe-js';
import type { CheckoutStarted } from '../api/cardFlow';

export interface StripePaymentProps {
  started: CheckoutStarted;
  returnUrl: string;
  /** The payment holds the money: the page completes the order. */
  onAuthorized: (intentId: string) => void;
  onError: (message: string) => void;
}

export default function StripePayment({ started, returnUrl, onAuthorized, onError }: StripePaymentProps) {
  const host = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState<{ stripe: Stripe; elements: StripeElements } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let gone = false;
    void loadStripe(started.payment.publishable_key).then((stripe) => {
      if (gone || !stripe || !host.current) return;
      const elements = stripe.elements({ clientSecret: started.payment.client_secret });
      elements.create('payment').mount(host.current);
      setReady({ stripe, elements });
    });
    return () => {
      gone = true;
    };
  }, [started.payment.publishable_key, started.payment.client_secret]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    // `if_required`: cards without a challenge stay on the page; a bank's page returns to returnUrl.
    const { error, paymentIntent } = await ready.stripe.confirmPayment({
      elements: ready.elements,
      confirmParams: { return_url: returnUrl },
      redirect: 'if_required',
    });
    setBusy(false);
    if (error) onError(error.message ?? 'Your card was not accepted.');
    else if (paymentIntent?.status === 'requires_capture') onAuthorized(paymentIntent.id);
    else onError('The payment was not authorized.');
  };

  return (
    <form className="checkout-form" onSubmit={(e) => void submit(e)} aria-label="Card payment">
      <fieldset>
        <legend>Payment</legend>
        <div ref={host} />
      </fieldset>
      <button type="submit" className="btn btn-primary btn-lg btn-block" disabled={!ready || busy}>
        {busy ? 'Paying…' : 'Pay'}
      </button>
    </form>
  );
}
