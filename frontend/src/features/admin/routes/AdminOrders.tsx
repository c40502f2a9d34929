import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useSetOrderStatus } from '../api/mutations';
import { useAdminOrders } from '../api/queries';
import type { Order, OrderStatus } from '../../../lib/api/types';
import { formatDate } from '../../../lib/date';
import { StatusBadge } from '../../orders';
import { DataTable, type Column } from '../../../components/DataTable';
import { Money, QueryState } from '../../../components/ui';
import { useDocumentTitle, usePageParam } from '../../../lib/hooks';

const STATUSES: OrderStatus[] = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];
/** The transitions the back office offers; the API is the judge (409 on an illegal one). */
export const NEXT_STATUS: Record<OrderStatus, OrderStatus[]> = {
  pending: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};
const PER_PAGE = 20;

function StatusChanger({ order }: { order: Order }) {
  const change = useSetOrderStatus();
  const options = NEXT_STATUS[order.status] ?? [];
  const [next, setNext] = useState<OrderStatus | ''>(options[0] ?? '');
  if (options.length === 0) return <span className="muted">Final</span>;
  const id = `status-${order.id}`;
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (next) change.mutate({ id: order.id, status: next });
      }}
    >
      <label htmlFor={id} className="sr-only">
        New status for order {order.id.slice(0, 8)}
      </label>
      <select id={id} value={next} onChange={(e) => setNext(options.find((s) => s === e.target.value) ?? '')}>
        {options.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <button type="submit" className="btn btn-secondary" disabled={change.isPending}>
        Update<span className="sr-only"> order {order.id.slice(0, 8)}</span>
      </button>
      {change.isError && (
        <span className="field-error" role="alert">
          {change.error.message}
        </span>
      )}
    </form>
  );
}

const COLUMNS: Column<Order>[] = [
  { header: 'Order', cell: (o) => <code>{o.id.slice(0, 8)}</code> },
  { header: 'Placed', cell: (o) => formatDate(o.created_at) },
  { header: 'Customer', cell: (o) => o.email },
  { header: 'Total', cell: (o) => <Money cents={o.total_cents} currency={o.currency} /> },
  { header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
  // `authorized` means the money is only held: not taken yet
  { header: 'Payment', cell: (o) => o.payment.state },
  { header: 'Change status', cell: (o) => <StatusChanger key={o.status} order={o} /> },
];

export function AdminOrders() {
  useDocumentTitle('Admin · Orders');
  const [sp, setSp] = useSearchParams();
  // only a known status from the URL filters; anything else shows all
  const status = STATUSES.find((s) => s === sp.get('status'));
  const [page, setPage] = usePageParam();
  const orders = useAdminOrders({ status, page, per_page: PER_PAGE });
  return (
    <section aria-labelledby="admin-orders-title">
      <div className="results-header">
        <h1 id="admin-orders-title">Orders</h1>
        <div className="field inline">
          <label htmlFor="status-filter">Status</label>
          <select
            id="status-filter"
            value={status ?? ''}
            onChange={(e) => setSp(e.target.value ? { status: e.target.value } : {})}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </div>
      <QueryState query={orders} loadingLabel="Loading orders…">
        {(data) =>
          data.items.length === 0 ? (
            <p className="muted">No orders{status ? ` with status ${status}` : ''}.</p>
          ) : (
            <DataTable
              caption="Orders"
              className="admin-table"
              columns={COLUMNS}
              rows={data.items}
              rowKey={(o) => o.id}
              paging={{ page, perPage: PER_PAGE, total: data.total, onPage: setPage }}
            />
          )
        }
      </QueryState>
    </section>
  );
}
