import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ProductPage } from '../../../lib/api/types';
import { DEFAULT_FILTERS, filtersToApiQuery, filtersToSearch, parseFilters, updateFilters } from '../filters';
import { CatalogPage } from '../routes/CatalogPage';
import { currentLocation, mockFetch, product, renderWithProviders } from '../../../testing/utils';

describe('filters ↔ URL', () => {
  it('round-trips through the query string with defaults omitted', () => {
    const f = {
      ...DEFAULT_FILTERS,
      q: 'lamp',
      category: 'Home & Garden',
      min: '10',
      max: '99.50',
      inStock: true,
      sort: 'price_asc' as const,
      page: 3,
    };
    const sp = filtersToSearch(f);
    expect(sp.toString()).toBe('q=lamp&category=Home+%26+Garden&min=10&max=99.50&in_stock=1&sort=price_asc&page=3');
    expect(parseFilters(new URLSearchParams(sp.toString()))).toEqual(f);
    expect(filtersToSearch(DEFAULT_FILTERS).toString()).toBe('');
  });

  it('ignores garbage in shared links', () => {
    expect(parseFilters(new URLSearchParams('sort=evil&page=-4&min=abc&max=1e9'))).toEqual(DEFAULT_FILTERS);
  });

  it('resets to page 1 on any filter change, but not on paging', () => {
    const f = { ...DEFAULT_FILTERS, page: 4 };
    expect(updateFilters(f, { category: 'Toys' }).page).toBe(1);
    expect(updateFilters(f, { page: 5 }).page).toBe(5);
  });

  it('maps to the API query with prices in cents', () => {
    expect(filtersToApiQuery({ ...DEFAULT_FILTERS, min: '10', max: '19.99', category: 'Toys' })).toMatchObject({
      min_price: 1000,
      max_price: 1999,
      category: 'Toys',
      page: 1,
      per_page: 24,
      sort: 'relevance',
    });
  });
});

function page(over: Partial<ProductPage> = {}): ProductPage {
  return {
    items: [product(), product({ id: 2, name: 'Floor Lamp', slug: 'floor-lamp', available: 2 })],
    total: 60,
    page: 1,
    per_page: 24,
    facets: {
      categories: [
        { name: 'Home', count: 42 },
        { name: 'Toys', count: 18 },
      ],
      price_ranges: [],
      in_stock: 60,
    },
    ...over,
  };
}

describe('catalog page', () => {
  it('drives the URL from the controls and the API from the URL', async () => {
    const seen: URLSearchParams[] = [];
    mockFetch((url) => {
      if (url.pathname === '/api/products') {
        seen.push(url.searchParams);
        return { body: page({ page: Number(url.searchParams.get('page') ?? 1) }) };
      }
    });
    renderWithProviders(<CatalogPage />, { route: '/products?category=Home&page=2' });
    // state from a shared link
    expect(await screen.findByRole('radio', { name: /Home \(42\)/ })).toBeChecked();
    expect(seen[0]!.get('category')).toBe('Home');
    expect(seen[0]!.get('page')).toBe('2');
    expect(screen.getByText('Only 2 left')).toBeInTheDocument();

    // facet click → URL, page reset
    await userEvent.click(screen.getByRole('radio', { name: /Toys \(18\)/ }));
    await vi.waitFor(() => expect(currentLocation.search).toBe('?category=Toys'));

    // sort → URL
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'price_desc');
    await vi.waitFor(() => expect(currentLocation.search).toBe('?category=Toys&sort=price_desc'));

    // price → URL on apply, invalid range rejected
    await userEvent.type(screen.getByRole('textbox', { name: 'Min price ($)' }), '50');
    await userEvent.type(screen.getByRole('textbox', { name: 'Max price ($)' }), '20');
    await userEvent.click(screen.getByRole('button', { name: 'Apply price' }));
    expect(screen.getByRole('alert')).toHaveTextContent('minimum must not exceed');
    await userEvent.clear(screen.getByRole('textbox', { name: 'Max price ($)' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Max price ($)' }), '80');
    await userEvent.click(screen.getByRole('button', { name: 'Apply price' }));
    await vi.waitFor(() => expect(currentLocation.search).toBe('?category=Toys&min=50&max=80&sort=price_desc'));
    await screen.findByRole('radio', { name: /Toys/ });
    const last = seen[seen.length - 1]!;
    expect(last.get('min_price')).toBe('5000');
    expect(last.get('max_price')).toBe('8000');

    // pagination → URL
    const nav = screen.getByRole('navigation', { name: 'Pagination' });
    await userEvent.click(within(nav).getByRole('button', { name: 'Page 2' }));
    await vi.waitFor(() => expect(currentLocation.search).toContain('page=2'));
  });

  it('debounces the search box before touching the URL', async () => {
    const seen: string[] = [];
    mockFetch((url) => {
      if (url.pathname === '/api/products') {
        seen.push(url.searchParams.get('q') ?? '');
        return { body: page() };
      }
    });
    renderWithProviders(<CatalogPage />, { route: '/products' });
    const box = await screen.findByRole('combobox', { name: 'Search products' });
    fireEvent.change(box, { target: { value: 'l' } });
    fireEvent.change(box, { target: { value: 'la' } });
    fireEvent.change(box, { target: { value: 'lamp' } });
    expect(currentLocation.search).toBe('');
    await act(() => new Promise((r) => setTimeout(r, 400)));
    await vi.waitFor(() => expect(currentLocation.search).toBe('?q=lamp'));
    await screen.findByRole('heading', { name: /Results for “lamp”/ });
    // only the initial and the final query reached the API, none of the keystrokes in between
    expect(seen.filter((q) => q === 'l' || q === 'la')).toEqual([]);
    expect(seen).toContain('lamp');
  });

  it('shows an empty state with a way out', async () => {
    mockFetch(() => ({ body: page({ items: [], total: 0 }) }));
    renderWithProviders(<CatalogPage />, { route: '/products?q=zzz' });
    expect(await screen.findByRole('heading', { name: 'No products match' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await vi.waitFor(() => expect(currentLocation.search).toBe(''));
  });
});
