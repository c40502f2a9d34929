import type { Order } from '../../../lib/api/types';
import { DataTable, type Column } from '../../../components/DataTable';
import { Money } from '../../../components/ui';

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

const ITEM_COLUMNS: Column<Order['items'][number] & { currency: string }>[] = [
  { header: 'Product', cell: (it) => it.name },
  { header: 'Qty', cell: (it) => it.quantity },
  { header: 'Price', cell: (it) => <Money cents={it.unit_price_cents} currency={it.currency} /> },
  { header: 'Total', cell: (it) => <Money cents={it.line_total_cents} currency={it.currency} /> },
];

export function OrderItemsTable({ order }: { order: Order }) {
  return (
    <DataTable
      caption={`Items in order ${order.id}`}
      className="order-table"
      columns={ITEM_COLUMNS}
      rows={order.items.map((it) => ({ ...it, currency: order.currency }))}
      rowKey={(it) => it.product_id}
      footer={
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td>
            <Money cents={order.total_cents} currency={order.currency} />
          </td>
        </tr>
      }
    />
  );
}
