import { Link } from 'react-router';
import type { Product } from '../../../lib/api/types';
import { stockLabel } from '../stock';
import { Money, ProductImage } from '../../../components/ui';

export function productPath(p: Pick<Product, 'id' | 'slug'>) {
  return `/products/${p.id}/${p.slug}`;
}

export function StockBadge({ available }: { available: number }) {
  const s = stockLabel(available);
  return <span className={`stock stock-${s.tone}`}>{s.text}</span>;
}

export function ProductCard({ product, eager }: { product: Product; eager?: boolean }) {
  return (
    <article className="product-card" aria-labelledby={`p-${product.id}-name`}>
      <Link to={productPath(product)} className="product-card-link">
        <ProductImage
          src={product.image_url}
          alt=""
          label={product.name}
          width={400}
          height={400}
          className="product-card-img"
          eager={eager}
        />
        <h3 id={`p-${product.id}-name`} className="product-card-name">
          {product.name}
        </h3>
      </Link>
      <p className="product-card-meta">
        <Money cents={product.price_cents} currency={product.currency} className="price" />
        <StockBadge available={product.available} />
      </p>
    </article>
  );
}

/** Cards in the first rows (two on a phone, one on a desktop) load at once; the rest when scrolled to. */
const ABOVE_THE_FOLD = 4;

export function ProductGrid({ products, stale }: { products: Product[]; stale?: boolean }) {
  return (
    <ul className={`product-grid ${stale ? 'stale' : ''}`} aria-label="Products">
      {products.map((p, i) => (
        <li key={p.id}>
          <ProductCard product={p} eager={i < ABOVE_THE_FOLD} />
        </li>
      ))}
    </ul>
  );
}
