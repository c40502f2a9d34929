import { Link } from 'react-router';
import { errorMessage, isProblem } from '../../../lib/api/client';
import { ErrorBox } from '../../../components/ui';
import { CardError } from '../api/cardFlow';

export function CheckoutErrorMessage({ error }: { error: unknown }) {
  if (error instanceof CardError && error.code === 'payment_intent_authentication_failure')
    return (
      <div className="error-box" role="alert">
        <strong>Card not authenticated</strong>
        <p>
          Your bank did not confirm this payment, so you have not been charged. Please try again or use another card.
        </p>
      </div>
    );
  if (isProblem(error, 'payment-not-authorized'))
    return (
      <div className="error-box" role="alert">
        <strong>Payment not authorized</strong>
        <p>The payment has not been authorized, so we did not place the order and you have not been charged.</p>
      </div>
    );
  if (error instanceof CardError || isProblem(error, 'payment-declined'))
    return (
      <div className="error-box" role="alert">
        <strong>Payment declined</strong>
        <p>Your card was declined and you have not been charged. Please use a different card.</p>
      </div>
    );
  if (isProblem(error, 'checkout-interrupted'))
    return (
      <div className="error-box" role="alert">
        <strong>Your order was not completed</strong>
        <p>Something interrupted the payment, and you have not been charged. Please place the order again.</p>
      </div>
    );
  if (isProblem(error, 'price-changed'))
    return (
      <div className="error-box" role="alert">
        <strong>Prices have changed</strong>
        <p>
          Some prices changed since you opened this page, so we did not place the order and you have not been charged.
          The summary now shows the current total: please check it and place the order again.
        </p>
      </div>
    );
  if (isProblem(error, 'insufficient-stock', 'conflict'))
    return (
      <div className="error-box" role="alert">
        <strong>Some items are no longer available</strong>
        <ul>
          {(error.problem.lines ?? []).map((l) => (
            <li key={l.product_id}>
              {l.sku}: you asked for {l.requested}, only {l.available} left.
            </li>
          ))}
        </ul>
        <p>
          <Link to="/cart">Update your cart</Link> and try again.
        </p>
      </div>
    );
  if (isProblem(error, 'validation') && (error.problem.errors ?? []).length > 0)
    return (
      <div className="error-box" role="alert">
        <strong>Please check your details</strong>
        <p>{errorMessage(error)}</p>
      </div>
    );
  return <ErrorBox error={error} title="We couldn’t place your order" />;
}
