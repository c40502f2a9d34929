import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { isProblem } from '../../../lib/api/client';
import { clampQuantity, MAX_QUANTITY, useAddToCart, useCart } from '../../cart';
import { useProduct } from '../api/products';
import { StockBadge } from '../components/ProductCard';
import { ProductDetailSkeleton } from '../components/Skeletons';
import { ErrorBox, Field, Money, ProductImage } from '../../../components/ui';
import { useDocumentTitle } from '../../../lib/hooks';
import { NotFoundPage } from '../../../components/NotFoundPage';

export function ProductPage() {
  const id = Number(useParams().id);
  const product = useProduct(id);
  const cart = useCart();
  const add = useAddToCart();
  const [qty, setQty] = useState(1);
  useDocumentTitle(product.data?.name ?? 'Product');

  if (!Number.isFinite(id) || isProblem(product.error, 'not-found')) return <NotFoundPage />;
  if (product.isPending) return <ProductDetailSkeleton />;
  if (product.isError) return <ErrorBox error={product.error} onRetry={() => void product.refetch()} />;
  const p = product.data;
  const inCart = cart.data?.items.find((i) => i.product_id === p.id)?.quantity ?? 0;
  const canAdd = Math.min(MAX_QUANTITY, p.available) - inCart;
  const outOfStock = p.available <= 0;

  return (
    <article className="product-detail" aria-labelledby="product-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link to="/products">Shop</Link>
          </li>
          <li>
            <Link to={`/products?category=${encodeURIComponent(p.category)}`}>{p.category}</Link>
          </li>
          <li aria-current="page">{p.name}</li>
        </ol>
      </nav>
      <div className="product-detail-grid">
        <ProductImage src={p.image_url} alt={p.name} width={600} height={600} className="product-detail-img" eager />
        <div className="product-detail-info">
          <h1 id="product-title">{p.name}</h1>
          <p className="price-lg">
            <Money cents={p.price_cents} currency={p.currency} />
          </p>
          <p data-testid="stock-state">
            <StockBadge available={p.available} />
          </p>
          <p className="description">{p.description}</p>
          <p className="muted small">SKU {p.sku}</p>
          <form
            className="add-to-cart"
            onSubmit={(e) => {
              e.preventDefault();
              if (outOfStock || canAdd <= 0) return;
              add.mutate({ product_id: p.id, quantity: clampQuantity(qty, canAdd) });
            }}
          >
            <Field
              id="qty"
              className="inline"
              label="Quantity"
              type="number"
              min={1}
              max={Math.max(1, canAdd)}
              value={qty}
              disabled={outOfStock}
              onChange={(e) => setQty(Number(e.target.value))}
              onBlur={() => setQty((q) => clampQuantity(q, Math.max(1, canAdd)))}
            />
            <button
              type="submit"
              className="btn btn-primary btn-lg"
              disabled={outOfStock || canAdd <= 0 || add.isPending}
            >
              {outOfStock ? 'Out of stock' : add.isPending ? 'Adding…' : 'Add to cart'}
            </button>
          </form>
          <div aria-live="polite" className="add-feedback">
            {add.isSuccess && (
              <p className="success">
                Added to your cart. <Link to="/cart">View cart</Link>
              </p>
            )}
            {!outOfStock && canAdd <= 0 && <p className="muted">You already have all available units in your cart.</p>}
          </div>
          {add.isError && <ErrorBox error={add.error} title="Could not add to cart" />}
        </div>
      </div>
    </article>
  );
}
