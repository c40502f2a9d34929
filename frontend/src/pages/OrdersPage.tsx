import { Link } from 'react-router';
import { useMe, useOrders } from '../api/queries';
import { formatDate, StatusBadge } from '../components/OrderView';
import { Money, QueryState, Spinner } from '../components/ui';
import { useDocumentTitle } from '../lib/hooks';

export function OrdersPage() {
  useDocumentTitle('Order history');
  const me = useMe();
  const orders = useOrders(!!me.data);
  if (me.isPending) return <Spinner />;
  if (!me.data)
    return (
      <section className="empty-state">
        <h1>Order history</h1>
        <p>
          <Link to="/login?next=/account/orders">Log in</Link> to see your orders.
        </p>
      </section>
    );
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Order history</h1>
      <QueryState query={orders} loadingLabel="Loading your orders…">
        {(list) =>
          list.items.length === 0 ? (
            <div className="empty-state">
              <p>You haven’t placed any orders yet.</p>
              <Link className="btn btn-primary" to="/products">
                Start shopping
              </Link>
            </div>
          ) : (
            <table className="orders-table">
              <caption className="sr-only">Your orders, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Items</th>
                  <th scope="col">Status</th>
                  <th scope="col">Total</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((o) => (
                  <tr key={o.id}>
                    <td data-label="Order">
                      <Link to={`/orders/${o.id}`}>#{o.id.slice(0, 8)}</Link>
                    </td>
                    <td data-label="Placed">{formatDate(o.created_at)}</td>
                    <td data-label="Items">{o.items.reduce((n, i) => n + i.quantity, 0)}</td>
                    <td data-label="Status">
                      <StatusBadge status={o.status} />
                    </td>
                    <td data-label="Total">
                      <Money cents={o.total_cents} currency={o.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
    </section>
  );
}
