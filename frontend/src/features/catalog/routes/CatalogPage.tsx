import { useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useProducts } from '../api/products';
import type { CategoryCount } from '../../../lib/api/types';
import { ProductGrid } from '../components/ProductCard';
import { SearchCombobox } from '../components/SearchCombobox';
import { ProductGridSkeleton } from '../components/Skeletons';
import { ErrorBox, Pagination } from '../../../components/ui';
import {
  filtersToApiQuery,
  filtersToSearch,
  parseFilters,
  SORTS,
  updateFilters,
  type CatalogFilters,
  PER_PAGE,
} from '../filters';
import { useDebouncedCallback, useDocumentTitle, useResettableState } from '../../../lib/hooks';

export const SEARCH_DEBOUNCE_MS = 300;

/** Catalog filters live in the URL: shareable links, and the back button restores them. */
export function useCatalogFilters() {
  const [sp, setSp] = useSearchParams();
  const filters = useMemo(() => parseFilters(sp), [sp]);
  const set = (patch: Partial<CatalogFilters>, opts?: { replace?: boolean }) =>
    setSp(filtersToSearch(updateFilters(filters, patch)), { replace: opts?.replace });
  return [filters, set] as const;
}

/** Search as you type: the URL (and so the results) follow the box after a pause. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const debounced = useDebouncedCallback((q: string) => {
    if (q.trim() !== value.trim()) onSearch(q);
  }, SEARCH_DEBOUNCE_MS);
  return (
    <SearchCombobox
      label="Search products"
      value={value}
      placeholder="e.g. lamp"
      onTextChange={debounced.call}
      onSearch={(q) => {
        debounced.cancel();
        onSearch(q);
      }}
    />
  );
}

/** One bound of the price filter; both point at the filter's one error message. */
function PriceInput({
  id,
  label,
  value,
  onChange,
  invalid,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  invalid: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode="decimal"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? 'price-error' : undefined}
      />
    </div>
  );
}

function PriceFilter({ min, max, onApply }: { min: string; max: string; onApply: (min: string, max: string) => void }) {
  const [lo, setLo] = useResettableState(min);
  const [hi, setHi] = useResettableState(max);
  const [error, setError] = useState<string>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const ok = (s: string) => s === '' || /^\d+(\.\d{1,2})?$/.test(s);
    if (!ok(lo) || !ok(hi)) return setError('Prices must be amounts like 10 or 9.99.');
    if (lo && hi && parseFloat(lo) > parseFloat(hi)) return setError('The minimum must not exceed the maximum.');
    setError(undefined);
    onApply(lo, hi);
  };
  return (
    <form className="price-filter" onSubmit={submit} noValidate>
      <fieldset>
        <legend>Price</legend>
        <div className="row">
          <PriceInput id="price-min" label="Min price ($)" value={lo} onChange={setLo} invalid={!!error} />
          <PriceInput id="price-max" label="Max price ($)" value={hi} onChange={setHi} invalid={!!error} />
        </div>
        {error && (
          <p id="price-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-secondary">
          Apply price
        </button>
      </fieldset>
    </form>
  );
}

function CategoryFacets({
  facets,
  selected,
  onSelect,
}: {
  facets: CategoryCount[];
  selected: string;
  onSelect: (c: string) => void;
}) {
  return (
    <fieldset className="facets">
      <legend>Category</legend>
      <ul>
        <li>
          <label>
            <input type="radio" name="category" checked={!selected} onChange={() => onSelect('')} />
            All categories
          </label>
        </li>
        {facets.map((c) => (
          <li key={c.name}>
            <label>
              <input type="radio" name="category" checked={selected === c.name} onChange={() => onSelect(c.name)} />
              {c.name} <span className="count">({c.count})</span>
            </label>
          </li>
        ))}
        {selected && !facets.some((c) => c.name === selected) && (
          <li>
            <label>
              <input type="radio" name="category" checked onChange={() => onSelect(selected)} />
              {selected} <span className="count">(0)</span>
            </label>
          </li>
        )}
      </ul>
    </fieldset>
  );
}

export function CatalogPage() {
  const [filters, setFilters] = useCatalogFilters();
  const query = useMemo(() => filtersToApiQuery(filters), [filters]);
  const products = useProducts(query);
  // the previous page's facets stay while the next one loads (keepPreviousData)
  const lastFacets = products.data?.facets.categories ?? [];
  useDocumentTitle(filters.q ? `Search: ${filters.q}` : filters.category || 'Shop');
  // Filters are open on desktop and collapsed behind a "Filters" toggle on phones.
  const [filtersOpen, setFiltersOpen] = useState(
    () =>
      typeof window === 'undefined' ||
      typeof window.matchMedia !== 'function' ||
      window.matchMedia('(min-width: 761px)').matches,
  );
  const activeCount = [filters.category, filters.min || filters.max, filters.inStock].filter(Boolean).length;

  const data = products.data;
  const heading = filters.category || (filters.q ? `Results for “${filters.q}”` : 'All products');
  return (
    <div className="catalog">
      <aside className="catalog-filters" aria-label="Filters">
        <SearchBox value={filters.q} onSearch={(q) => setFilters({ q })} />
        <details className="filters-details" open={filtersOpen} onToggle={(e) => setFiltersOpen(e.currentTarget.open)}>
          <summary className="btn btn-secondary">Filters{activeCount ? ` (${activeCount})` : ''}</summary>
          <CategoryFacets
            facets={lastFacets}
            selected={filters.category}
            onSelect={(category) => setFilters({ category })}
          />
          <PriceFilter min={filters.min} max={filters.max} onApply={(min, max) => setFilters({ min, max })} />
          <div className="field checkbox">
            <label>
              <input
                type="checkbox"
                checked={filters.inStock}
                onChange={(e) => setFilters({ inStock: e.target.checked })}
              />
              In stock only
            </label>
          </div>
        </details>
      </aside>
      <section className="catalog-results" aria-labelledby="results-title">
        <div className="results-header">
          <h1 id="results-title">{heading}</h1>
          <div className="field inline">
            <label htmlFor="sort">Sort by</label>
            <select
              id="sort"
              value={filters.sort}
              onChange={(e) =>
                setFilters({ sort: SORTS.find((s) => s.value === e.target.value)?.value ?? 'relevance' })
              }
            >
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p className="muted results-count" role="status" aria-live="polite">
          {data ? `${data.total} ${data.total === 1 ? 'product' : 'products'}` : ''}
          {products.isFetching && data ? ' · updating…' : ''}
        </p>
        {products.isPending ? (
          <ProductGridSkeleton count={PER_PAGE} label="Loading products…" />
        ) : products.isError ? (
          <ErrorBox error={products.error} onRetry={() => void products.refetch()} />
        ) : data && data.items.length === 0 ? (
          <div className="empty-state">
            <h2>No products match</h2>
            <p>Try a different search or clear the filters.</p>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => setFilters({ q: '', category: '', min: '', max: '', inStock: false })}
            >
              Clear filters
            </button>
          </div>
        ) : data ? (
          <>
            <h2 className="sr-only">Products</h2>
            <ProductGrid products={data.items} stale={products.isPlaceholderData} />
            <Pagination
              page={filters.page}
              perPage={data.per_page || PER_PAGE}
              total={data.total}
              onPage={(page) => {
                setFilters({ page });
                window.scrollTo({ top: 0 });
              }}
            />
          </>
        ) : null}
      </section>
    </div>
  );
}
