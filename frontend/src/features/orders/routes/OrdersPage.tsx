import { Link } from 'react-router';
import { useMe } from '../../account';
import { useOrders } from '../api/orders';
import type { Order } from '../../../lib/api/types';
import { DataTable, type Column } from '../../../components/DataTable';
import { formatDate } from '../../../lib/date';
import { StatusBadge } from '../components/OrderView';
import { Money, QueryState, Spinner } from '../../../components/ui';
import { useDocumentTitle } from '../../../lib/hooks';

const COLUMNS: Column<Order>[] = [
  { header: 'Order', cell: (o) => <Link to={`/orders/${o.id}`}>#{o.id.slice(0, 8)}</Link> },
  { header: 'Placed', cell: (o) => formatDate(o.created_at) },
  { header: 'Items', cell: (o) => o.items.reduce((n, i) => n + i.quantity, 0) },
  { header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
  { header: 'Total', cell: (o) => <Money cents={o.total_cents} currency={o.currency} /> },
];

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
            <DataTable
              caption="Your orders, newest first"
              className="orders-table"
              columns={COLUMNS}
              rows={list.items}
              rowKey={(o) => o.id}
            />
          )
        }
      </QueryState>
    </section>
  );
}
