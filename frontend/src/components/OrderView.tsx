import type { Order } from '../api/types';
import { Money } from './ui';

export function formatDate(iso: string) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

export function OrderItemsTable({ order }: { order: Order }) {
  return (
    <table className="order-table">
      <caption className="sr-only">Items in order {order.id}</caption>
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col">Qty</th>
          <th scope="col">Price</th>
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {order.items.map((it) => (
          <tr key={it.product_id}>
            <td>{it.name}</td>
            <td>{it.quantity}</td>
            <td>
              <Money cents={it.unit_price_cents} currency={order.currency} />
            </td>
            <td>
              <Money cents={it.line_total_cents} currency={order.currency} />
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td>
            <Money cents={order.total_cents} currency={order.currency} />
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
