import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { isProblem } from '../../../lib/api/client';
import { returnUrl, useOrderPlaced, usePay } from '../api/pay';
import { CardError, completeCheckout, type CardInput, type CheckoutStarted, type StartCheckout } from '../api/cardFlow';
import { useMe } from '../../account';
import { Spinner, ErrorBox } from '../../../components/ui';
import { AttemptKeys } from '../idempotency';
import { useDocumentTitle } from '../../../lib/hooks';
import { CartSummary, useCart } from '../../cart';
import { CheckoutErrorMessage } from '../components/CheckoutErrorMessage';
import { CheckoutForm } from '../components/CheckoutForm';

// Stripe.js and its fields only when the shop answers a Stripe payment.
const StripePayment = lazy(() => import('../components/StripePayment'));

export function CheckoutPage() {
  useDocumentTitle('Checkout');
  const cart = useCart();
  const me = useMe();
  const checkout = usePay();
  const navigate = useNavigate();
  const attempts = useRef(new AttemptKeys());
  const errorRef = useRef<HTMLDivElement>(null);
  const placed = useOrderPlaced();
  const [stripe, setStripe] = useState<CheckoutStarted>();
  const [stripeError, setStripeError] = useState<unknown>();
  const error = stripeError ?? checkout.error;
  // A failed attempt's message is at the top of the form: bring it into view and focus.
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  if (cart.isPending || me.isPending) return <Spinner label="Loading checkout…" />;
  if (cart.isError) return <ErrorBox error={cart.error} onRetry={() => void cart.refetch()} />;
  const c = cart.data;
  if (c.items.length === 0 && !checkout.isPending)
    return (
      <section className="empty-state">
        <h1>Checkout</h1>
        <p>Your cart is empty.</p>
        <Link className="btn btn-primary" to="/products">
          Continue shopping
        </Link>
      </section>
    );

  const stripeAuthorized = (intentId: string) => {
    setStripeError(undefined);
    completeCheckout(intentId).then((order) => {
      attempts.current.reset();
      placed(order);
      navigate(`/orders/${order.id}?placed=1`);
    }, setStripeError);
  };

  const onSubmit = (body: StartCheckout, card: CardInput, fingerprint: string) => {
    // The key follows the cart and the address, not the card: a declined payment may be retried
    // with another card on the same intent.
    const key = attempts.current.keyFor(`${fingerprint}|${JSON.stringify(body)}`);
    setStripeError(undefined);
    checkout.mutate(
      { body, card, key },
      {
        onSuccess: (out) => {
          if ('stripe' in out) {
            setStripe(out.stripe);
            return;
          }
          if ('redirect' in out) {
            globalThis.location.assign(out.redirect);
            return;
          }
          attempts.current.reset();
          navigate(`/orders/${out.order.id}?placed=1`);
        },
        onError: (e) => {
          // the server gave up on that key without charging: the next try must be a new attempt
          if (isProblem(e, 'checkout-interrupted')) attempts.current.reset();
        },
      },
    );
  };

  return (
    <section aria-labelledby="checkout-title">
      <h1 id="checkout-title">Checkout</h1>
      {!me.data && (
        <p className="muted">
          Checking out as a guest. <Link to="/login?next=/checkout">Log in</Link> to see this order in your history.
        </p>
      )}
      <div className="checkout-layout">
        <div>
          <div ref={errorRef} tabIndex={-1} className="focus-target">
            {!!error && <CheckoutErrorMessage error={error} />}
          </div>
          {stripe ? (
            <Suspense fallback={<Spinner label="Loading the payment form…" />}>
              <StripePayment
                started={stripe}
                returnUrl={returnUrl()}
                onAuthorized={stripeAuthorized}
                onError={(m) => setStripeError(new CardError('card_declined', m))}
              />
            </Suspense>
          ) : (
            <CheckoutForm
              cart={c}
              defaultEmail={me.data?.email}
              onSubmit={onSubmit}
              submitting={checkout.isPending || checkout.data !== undefined}
              serverError={checkout.error}
            />
          )}
        </div>
        <CartSummary cart={c} />
      </div>
    </section>
  );
}
