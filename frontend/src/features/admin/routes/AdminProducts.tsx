import { Link, useSearchParams } from 'react-router';
import { StockBadge, useProducts } from '../../catalog';
import type { Product } from '../../../lib/api/types';
import { DataTable, type Column } from '../../../components/DataTable';
import { Money, ProductImage, QueryState } from '../../../components/ui';
import { useDebouncedCallback, useDocumentTitle, usePageParam, useResettableState } from '../../../lib/hooks';

const PER_PAGE = 20;

const COLUMNS: Column<Product>[] = [
  {
    header: 'Image',
    srOnly: true,
    cell: (p) => <ProductImage src={p.image_url} alt="" label={p.name} width={40} height={40} className="thumb" />,
  },
  { header: 'Name', cell: (p) => <Link to={`/admin/products/${p.id}`}>{p.name}</Link> },
  { header: 'SKU', cell: (p) => <code>{p.sku}</code> },
  { header: 'Category', cell: (p) => p.category },
  { header: 'Price', cell: (p) => <Money cents={p.price_cents} currency={p.currency} /> },
  {
    header: 'Stock',
    cell: (p) => (
      <>
        {p.available} <StockBadge available={p.available} />
      </>
    ),
  },
];

export function AdminProducts() {
  useDocumentTitle('Admin · Products');
  const [sp, setSp] = useSearchParams();
  const q = sp.get('q') ?? '';
  const [page, setPage] = usePageParam();
  const [text, setText] = useResettableState(q);
  const search = useDebouncedCallback((t: string) => {
    if (t.trim() !== q) setSp(t.trim() ? { q: t.trim() } : {});
  }, 300);
  const products = useProducts({ q: q || undefined, page, per_page: PER_PAGE, sort: q ? 'relevance' : 'newest' });

  return (
    <section aria-labelledby="admin-products-title">
      <div className="results-header">
        <h1 id="admin-products-title">Products</h1>
        <Link className="btn btn-primary" to="/admin/products/new">
          New product
        </Link>
      </div>
      <div className="field">
        <label htmlFor="admin-q">Search products</label>
        <input
          id="admin-q"
          type="search"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            search.call(e.target.value);
          }}
          placeholder="Name or SKU"
        />
      </div>
      <QueryState query={products} loadingLabel="Loading products…">
        {(data) => (
          <>
            <p className="muted" role="status">
              {data.total} products
            </p>
            <DataTable
              caption="Products"
              className="admin-table"
              columns={COLUMNS}
              rows={data.items}
              rowKey={(p) => p.id}
              paging={{ page, perPage: PER_PAGE, total: data.total, onPage: setPage }}
            />
          </>
        )}
      </QueryState>
    </section>
  );
}
