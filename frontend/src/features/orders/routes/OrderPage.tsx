import { Link, useParams, useSearchParams } from 'react-router';
import { isProblem } from '../../../lib/api/client';
import { useOrder } from '../api/orders';
import { formatDate } from '../../../lib/date';
import { OrderItemsTable, StatusBadge } from '../components/OrderView';
import { QueryState } from '../../../components/ui';
import { useDocumentTitle } from '../../../lib/hooks';
import { NotFoundPage } from '../../../components/NotFoundPage';

export function OrderPage() {
  const { id = '' } = useParams();
  const [sp] = useSearchParams();
  const placed = sp.get('placed') === '1';
  const order = useOrder(id);
  useDocumentTitle(placed ? 'Order confirmed' : 'Order');
  if (isProblem(order.error, 'not-found')) return <NotFoundPage />;
  return (
    <QueryState query={order} loadingLabel="Loading your order…">
      {(o) => (
        <section aria-labelledby="order-title" className="order-page">
          {placed ? (
            <div className="confirmation" role="status">
              <h1 id="order-title">Thank you! Your order is confirmed</h1>
              <p>
                A receipt is on its way to <strong>{o.email}</strong>.
              </p>
            </div>
          ) : (
            <h1 id="order-title">Order details</h1>
          )}
          <dl className="order-meta">
            <div>
              <dt>Order number</dt>
              <dd data-testid="order-id">{o.id}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={o.status} />
              </dd>
            </div>
            <div>
              <dt>Placed</dt>
              <dd>{formatDate(o.created_at)}</dd>
            </div>
            <div>
              <dt>Paid with</dt>
              <dd>
                {o.payment.brand} ending in {o.payment.last4}
              </dd>
            </div>
            <div>
              <dt>Ship to</dt>
              <dd>
                {o.shipping_address.name}, {o.shipping_address.line1}
                {o.shipping_address.line2 ? `, ${o.shipping_address.line2}` : ''}, {o.shipping_address.city}{' '}
                {o.shipping_address.postal_code}, {o.shipping_address.country}
              </dd>
            </div>
          </dl>
          <OrderItemsTable order={o} />
          <p className="actions">
            <Link className="btn btn-secondary" to="/products">
              Continue shopping
            </Link>{' '}
            <Link className="btn btn-ghost" to="/account/orders">
              Order history
            </Link>
          </p>
        </section>
      )}
    </QueryState>
  );
}
