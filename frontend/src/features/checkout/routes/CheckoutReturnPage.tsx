import { useEffect, useMemo, useRef } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { Spinner } from '../../../components/ui';
import { useDocumentTitle } from '../../../lib/hooks';
import { CardError, completeCheckout } from '../api/cardFlow';
import { useOrderPlaced } from '../api/pay';
import { CheckoutErrorMessage } from '../components/CheckoutErrorMessage';
import { useCart } from '../../cart';

/**
 * Back from the bank's 3-D Secure page: the provider appends `payment_intent` and
 * `redirect_status`. A passed challenge completes the order (idempotent: a reload answers the
 * same order); a failed one says so and leads back to the checkout.
 */
export function CheckoutReturnPage() {
  useDocumentTitle('Checkout');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const placed = useOrderPlaced();
  // The guest's cart rides in a cookie that every cart answer sets: complete only once the page's
  // own cart request is answered, or its older cookie could land after the emptied one.
  const cart = useCart();
  const cartSettled = !cart.isFetching;
  const intent = params.get('payment_intent') ?? '';
  const passed = params.get('redirect_status') === 'succeeded';
  const complete = useMutation({ mutationFn: completeCheckout });
  const started = useRef(false);
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!passed || !intent || !cartSettled || started.current) return;
    started.current = true;
    complete.mutate(intent, {
      onSuccess: (order) => {
        placed(order);
        navigate(`/orders/${order.id}?placed=1`, { replace: true });
      },
    });
  }, [passed, intent, cartSettled, complete, placed, navigate]);
  const failed = useMemo(
    () => (passed ? undefined : new CardError('payment_intent_authentication_failure', 'authentication failed')),
    [passed],
  );
  const error = failed ?? complete.error;
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  if (!error) return <Spinner label="Completing your order…" />;
  return (
    <section aria-labelledby="checkout-return-title">
      <h1 id="checkout-return-title">Checkout</h1>
      <div ref={errorRef} tabIndex={-1} className="focus-target">
        <CheckoutErrorMessage error={error} />
      </div>
      <p>
        <Link className="btn btn-primary" to="/checkout">
          Back to checkout
        </Link>
      </p>
    </section>
  );
}
