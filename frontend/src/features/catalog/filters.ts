import type { ProductQuery, SortKey } from '../../lib/api/types';

export const PER_PAGE = 24;
export const SORTS: { value: SortKey; label: string }[] = [
  { value: 'relevance', label: 'Relevance' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
  { value: 'newest', label: 'Newest' },
];

/** Catalog state as it lives in the URL (prices in whole currency units for readable links). */
export interface CatalogFilters {
  q: string;
  category: string;
  min: string;
  max: string;
  inStock: boolean;
  sort: SortKey;
  page: number;
}

export const DEFAULT_FILTERS: CatalogFilters = {
  q: '',
  category: '',
  min: '',
  max: '',
  inStock: false,
  sort: 'relevance',
  page: 1,
};

const isSort = (s: string | null): s is SortKey => SORTS.some((o) => o.value === s);
const isPrice = (s: string) => /^\d+(\.\d{1,2})?$/.test(s);

export function parseFilters(sp: URLSearchParams): CatalogFilters {
  const page = Number.parseInt(sp.get('page') ?? '1', 10);
  const min = sp.get('min') ?? '';
  const max = sp.get('max') ?? '';
  const sort = sp.get('sort');
  return {
    q: sp.get('q') ?? '',
    category: sp.get('category') ?? '',
    min: isPrice(min) ? min : '',
    max: isPrice(max) ? max : '',
    inStock: sp.get('in_stock') === '1',
    sort: isSort(sort) ? sort : 'relevance',
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** Serializes filters with defaults omitted, in a stable key order. */
export function filtersToSearch(f: CatalogFilters): URLSearchParams {
  const sp = new URLSearchParams();
  if (f.q.trim()) sp.set('q', f.q.trim());
  if (f.category) sp.set('category', f.category);
  if (f.min) sp.set('min', f.min);
  if (f.max) sp.set('max', f.max);
  if (f.inStock) sp.set('in_stock', '1');
  if (f.sort !== 'relevance') sp.set('sort', f.sort);
  if (f.page > 1) sp.set('page', String(f.page));
  return sp;
}

/** A filter change: any change other than the page itself goes back to page 1. */
export function updateFilters(f: CatalogFilters, patch: Partial<CatalogFilters>): CatalogFilters {
  const next = { ...f, ...patch };
  if (!('page' in patch)) next.page = 1;
  return next;
}

/** The /api/products query for the filters (prices converted to cents). */
export function filtersToApiQuery(f: CatalogFilters, perPage = PER_PAGE): ProductQuery {
  const toCents = (s: string) => (s ? Math.round(parseFloat(s) * 100) : undefined);
  return {
    q: f.q.trim() || undefined,
    category: f.category || undefined,
    min_price: toCents(f.min),
    max_price: toCents(f.max),
    in_stock: f.inStock || undefined,
    sort: f.sort,
    page: f.page,
    per_page: perPage,
  };
}
