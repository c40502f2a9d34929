import { useEffect, useRef } from 'react';
import { Link, useNavigate } from 'react-router';
import { isProblem } from '../../../lib/api/client';
import { useCheckout } from '../api/checkout';
import { useMe } from '../../account';
import type { CheckoutRequest } from '../../../lib/api/types';
import { Spinner, ErrorBox } from '../../../components/ui';
import { AttemptKeys } from '../idempotency';
import { useDocumentTitle } from '../../../lib/hooks';
import { CartSummary, useCart } from '../../cart';
import { CheckoutErrorMessage } from '../components/CheckoutErrorMessage';
import { CheckoutForm } from '../components/CheckoutForm';

export function CheckoutPage() {
  useDocumentTitle('Checkout');
  const cart = useCart();
  const me = useMe();
  const checkout = useCheckout();
  const navigate = useNavigate();
  const attempts = useRef(new AttemptKeys());
  const errorRef = useRef<HTMLDivElement>(null);
  // A failed attempt's message is at the top of the form: bring it into view and focus.
  useEffect(() => {
    if (checkout.error) errorRef.current?.focus();
  }, [checkout.error]);

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

  const onSubmit = (body: CheckoutRequest, fingerprint: string) => {
    const key = attempts.current.keyFor(`${fingerprint}|${JSON.stringify(body)}`);
    checkout.mutate(
      { body, key },
      {
        onSuccess: (order) => {
          attempts.current.reset();
          navigate(`/orders/${order.id}?placed=1`);
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
            {checkout.isError && <CheckoutErrorMessage error={checkout.error} />}
          </div>
          <CheckoutForm
            cart={c}
            defaultEmail={me.data?.email}
            onSubmit={onSubmit}
            submitting={checkout.isPending}
            serverError={checkout.error}
          />
        </div>
        <CartSummary cart={c} />
      </div>
    </section>
  );
}
