import { Link } from 'react-router';
import { useCategories, useProducts } from '../api/products';
import type { ProductQuery } from '../../../lib/api/types';
import { ProductGrid } from '../components/ProductCard';
import { CategoryGridSkeleton, ProductGridSkeleton } from '../components/Skeletons';
import { QueryState } from '../../../components/ui';
import { useDocumentTitle } from '../../../lib/hooks';

const FEATURED_COUNT = 10;
const FEATURED: ProductQuery = { sort: 'newest', in_stock: true, per_page: FEATURED_COUNT, page: 1 };

export function HomePage() {
  useDocumentTitle('');
  const categories = useCategories();
  const featured = useProducts(FEATURED);
  return (
    <>
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Everyday goods, shipped fast</h1>
        <p>Free shipping on every order. Browse hundreds of products across our categories.</p>
        <Link className="btn btn-primary btn-lg" to="/products">
          Shop all products
        </Link>
      </section>

      <section aria-labelledby="cat-title" className="section">
        <h2 id="cat-title">Shop by category</h2>
        <QueryState query={categories} placeholder={<CategoryGridSkeleton count={12} label="Loading categories…" />}>
          {(cats) =>
            cats.length === 0 ? (
              <p className="muted">No categories yet.</p>
            ) : (
              <ul className="category-grid">
                {cats.map((c) => (
                  <li key={c.name}>
                    <Link to={`/products?category=${encodeURIComponent(c.name)}`} className="category-tile">
                      <span className="category-name">{c.name}</span>
                      <span className="muted">{c.count} products</span>
                    </Link>
                  </li>
                ))}
              </ul>
            )
          }
        </QueryState>
      </section>

      <section aria-labelledby="featured-title" className="section">
        <h2 id="featured-title">Featured products</h2>
        <QueryState
          query={featured}
          placeholder={<ProductGridSkeleton count={FEATURED_COUNT} label="Loading featured products…" />}
        >
          {(page) => <ProductGrid products={page.items} />}
        </QueryState>
      </section>
    </>
  );
}
