import type { ReactNode } from 'react';

// Placeholders with the final size of what they stand for, so nothing below them moves when the data
// arrives (CLS ≤ 0.05 on the storefront pages). Hidden from assistive technology: the live status text
// says what is loading.

/** `count` copies of `item` in a list of the real one's class, announced once by a live status text. */
function SkeletonList({
  className,
  count,
  label,
  item,
}: {
  className: string;
  count: number;
  label: string;
  item: ReactNode;
}) {
  return (
    <>
      <p className="sr-only" role="status">
        {label}
      </p>
      <ul className={className} aria-hidden="true">
        {Array.from({ length: count }, (_, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </>
  );
}

/** As many grey product cards as the page will show; each has the real card's image, name and meta rows. */
export function ProductGridSkeleton({ count, label }: { count: number; label: string }) {
  const card = (
    <div className="product-card skeleton">
      <div className="product-card-img" />
      <p className="product-card-name">
        <span className="skeleton-line" />
      </p>
      <p className="product-card-meta">
        <span className="skeleton-line short" />
      </p>
    </div>
  );
  return <SkeletonList className="product-grid" count={count} label={label} item={card} />;
}

/** Category tiles with the real tile's two lines. */
export function CategoryGridSkeleton({ count, label }: { count: number; label: string }) {
  const tile = (
    <div className="category-tile skeleton">
      <span className="category-name skeleton-line" />
      <span className="muted skeleton-line short" />
    </div>
  );
  return <SkeletonList className="category-grid" count={count} label={label} item={tile} />;
}

/** The product page's two columns: a square image box and the text block. */
export function ProductDetailSkeleton() {
  return (
    <div className="product-detail">
      <p className="sr-only" role="status">
        Loading product…
      </p>
      <div aria-hidden="true">
        <div className="breadcrumb">
          <ol>
            <li>
              <span className="skeleton-line short" />
            </li>
          </ol>
        </div>
        <div className="product-detail-grid">
          <div className="product-detail-img skeleton" />
          <div className="product-detail-info">
            <h1>
              <span className="skeleton-line" />
            </h1>
            <p className="price-lg">
              <span className="skeleton-line short" />
            </p>
          </div>
        </div>
      </div>
    </div>
  );
}
