import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useAdminOrders, useSetOrderStatus } from '../api/queries';
import type { Order, OrderStatus } from '../api/types';
import { formatDate, StatusBadge } from '../components/OrderView';
import { ErrorBox, Money, Pagination, Spinner } from '../components/ui';
import { useDocumentTitle } from '../lib/hooks';

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
      <select id={id} value={next} onChange={(e) => setNext(e.target.value as OrderStatus)}>
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

export function AdminOrders() {
  useDocumentTitle('Admin · Orders');
  const [sp, setSp] = useSearchParams();
  const status = sp.get('status') ?? '';
  const page = Math.max(1, Number(sp.get('page') ?? '1') || 1);
  const orders = useAdminOrders({ status: status || undefined, page, per_page: PER_PAGE } as {
    status?: string;
    page: number;
    per_page: number;
  });
  return (
    <section aria-labelledby="admin-orders-title">
      <div className="results-header">
        <h1 id="admin-orders-title">Orders</h1>
        <div className="field inline">
          <label htmlFor="status-filter">Status</label>
          <select
            id="status-filter"
            value={status}
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
      {orders.isPending ? (
        <Spinner label="Loading orders…" />
      ) : orders.isError ? (
        <ErrorBox error={orders.error} onRetry={() => void orders.refetch()} />
      ) : orders.data.items.length === 0 ? (
        <p className="muted">No orders{status ? ` with status ${status}` : ''}.</p>
      ) : (
        <>
          <table className="admin-table">
            <caption className="sr-only">Orders</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Customer</th>
                <th scope="col">Total</th>
                <th scope="col">Status</th>
                <th scope="col">Change status</th>
              </tr>
            </thead>
            <tbody>
              {orders.data.items.map((o) => (
                <tr key={o.id}>
                  <td data-label="Order">
                    <code>{o.id.slice(0, 8)}</code>
                  </td>
                  <td data-label="Placed">{formatDate(o.created_at)}</td>
                  <td data-label="Customer">{o.email}</td>
                  <td data-label="Total">
                    <Money cents={o.total_cents} currency={o.currency} />
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={o.status} />
                  </td>
                  <td data-label="Change status">
                    <StatusChanger key={o.status} order={o} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination
            page={page}
            perPage={PER_PAGE}
            total={orders.data.total}
            onPage={(p) => setSp({ ...(status ? { status } : {}), page: String(p) })}
          />
        </>
      )}
    </section>
  );
}
