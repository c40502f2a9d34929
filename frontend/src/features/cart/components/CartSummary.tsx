import { Money } from '../../../components/ui';
import type { Cart } from '../../../lib/api/types';
import { cartTotals } from '../cart';

/** Item count, subtotal, shipping and total of a cart: on the cart page and beside the checkout form. */
export function CartSummary({ cart }: { cart: Pick<Cart, 'items' | 'currency'> }) {
  const t = cartTotals(cart.items);
  return (
    <section className="summary" aria-labelledby="summary-title">
      <h2 id="summary-title">Order summary</h2>
      <dl>
        <div>
          <dt>Items</dt>
          <dd data-testid="summary-count">{t.itemCount}</dd>
        </div>
        <div>
          <dt>Subtotal</dt>
          <dd data-testid="summary-subtotal">
            <Money cents={t.subtotalCents} currency={cart.currency} />
          </dd>
        </div>
        <div>
          <dt>Shipping</dt>
          <dd>{t.shippingCents === 0 ? 'Free' : <Money cents={t.shippingCents} currency={cart.currency} />}</dd>
        </div>
        <div className="total">
          <dt>Total</dt>
          <dd data-testid="summary-total">
            <Money cents={t.totalCents} currency={cart.currency} />
          </dd>
        </div>
      </dl>
    </section>
  );
}
