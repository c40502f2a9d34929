// Catalog reads: product lists (search, facets, paging), one product, the categories, suggestions.
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { call, http } from '../../../lib/api/client';
import { keys } from '../../../lib/api/keys';
import type { ProductQuery } from '../../../lib/api/types';

export const productsQuery = (query: ProductQuery) =>
  queryOptions({
    queryKey: keys.productList(query),
    queryFn: ({ signal }) => call(http.GET('/api/products', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });

export const productQuery = (id: number) =>
  queryOptions({
    queryKey: keys.product(id),
    queryFn: ({ signal }) => call(http.GET('/api/products/{id}', { params: { path: { id } }, signal })),
    enabled: Number.isFinite(id) && id > 0,
  });

export const categoriesQuery = () =>
  queryOptions({
    queryKey: keys.categories,
    queryFn: ({ signal }) => call(http.GET('/api/categories', { signal })),
    staleTime: 5 * 60_000,
  });

/** Search-as-you-type suggestions (at most 8 product names). */
export const suggestQuery = (q: string) =>
  queryOptions({
    queryKey: keys.suggest(q),
    queryFn: async ({ signal }) =>
      (await call(http.GET('/api/search/suggest', { params: { query: { q } }, signal }))).suggestions,
    enabled: q.trim() !== '',
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });

export const useProducts = (q: ProductQuery) => useQuery(productsQuery(q));
export const useProduct = (id: number) => useQuery(productQuery(id));
export const useCategories = () => useQuery(categoriesQuery());
export const useSuggestions = (q: string) => useQuery(suggestQuery(q));
