import { Link, useSearchParams } from 'react-router';
import { useProducts } from '../api/queries';
import { StockBadge } from '../components/ProductCard';
import { ErrorBox, Money, Pagination, ProductImage, Spinner } from '../components/ui';
import { useDebouncedCallback, useDocumentTitle, useResettableState } from '../lib/hooks';

const PER_PAGE = 20;

export function AdminProducts() {
  useDocumentTitle('Admin · Products');
  const [sp, setSp] = useSearchParams();
  const q = sp.get('q') ?? '';
  const page = Math.max(1, Number(sp.get('page') ?? '1') || 1);
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
      {products.isPending ? (
        <Spinner label="Loading products…" />
      ) : products.isError ? (
        <ErrorBox error={products.error} onRetry={() => void products.refetch()} />
      ) : (
        <>
          <p className="muted" role="status">
            {products.data.total} products
          </p>
          <table className="admin-table">
            <caption className="sr-only">Products</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Image</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col">SKU</th>
                <th scope="col">Category</th>
                <th scope="col">Price</th>
                <th scope="col">Stock</th>
              </tr>
            </thead>
            <tbody>
              {products.data.items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <ProductImage src={p.image_url} alt="" label={p.name} width={40} height={40} className="thumb" />
                  </td>
                  <td data-label="Name">
                    <Link to={`/admin/products/${p.id}`}>{p.name}</Link>
                  </td>
                  <td data-label="SKU">
                    <code>{p.sku}</code>
                  </td>
                  <td data-label="Category">{p.category}</td>
                  <td data-label="Price">
                    <Money cents={p.price_cents} currency={p.currency} />
                  </td>
                  <td data-label="Stock">
                    {p.available} <StockBadge available={p.available} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination
            page={page}
            perPage={PER_PAGE}
            total={products.data.total}
            onPage={(p) => setSp({ ...(q ? { q } : {}), page: String(p) })}
          />
        </>
      )}
    </section>
  );
}
