import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SearchCombobox, SUGGEST_DEBOUNCE_MS } from '../components/SearchCombobox';
import { currentLocation, mockFetch, renderWithProviders } from '../../../testing/utils';

const SUGGESTIONS = [
  { id: 3, name: 'Desk Lamp', slug: 'desk-lamp' },
  { id: 7, name: 'Desk Organizer', slug: 'desk-organizer' },
  { id: 9, name: 'Desktop Stand', slug: 'desktop-stand' },
];

function setup(onSearch = vi.fn()) {
  const fetch = mockFetch((url) => {
    if (url.pathname === '/api/search/suggest') {
      const q = url.searchParams.get('q') ?? '';
      return { body: { suggestions: SUGGESTIONS.filter((s) => s.name.toLowerCase().startsWith(q.toLowerCase())) } };
    }
  });
  renderWithProviders(<SearchCombobox label="Search products" onSearch={onSearch} />);
  const box = screen.getByRole('combobox', { name: 'Search products' });
  return { fetch, box, onSearch };
}

const suggestCalls = (fetch: ReturnType<typeof mockFetch>) =>
  fetch.sent.filter((r) => r.url.pathname === '/api/search/suggest').map((r) => r.url.searchParams.get('q'));

describe('search combobox', () => {
  it('asks for suggestions once the typing pauses, not per keystroke', async () => {
    const { fetch, box } = setup();
    await userEvent.type(box, 'desk');
    expect(await screen.findAllByRole('option')).toHaveLength(3);
    expect(suggestCalls(fetch)).toEqual(['desk']);
    expect(box).toHaveAttribute('aria-expanded', 'true');
    expect(box).toHaveAttribute('aria-controls', screen.getByRole('listbox').id);
    expect(box).toHaveAttribute('aria-autocomplete', 'list');
  });

  it('moves the highlighted option with the arrow keys, wrapping at both ends', async () => {
    const { box } = setup();
    await userEvent.type(box, 'desk');
    const options = await screen.findAllByRole('option');
    expect(box).not.toHaveAttribute('aria-activedescendant');

    await userEvent.keyboard('{ArrowDown}');
    expect(box).toHaveAttribute('aria-activedescendant', options[0]!.id);
    expect(options[0]).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    expect(box).toHaveAttribute('aria-activedescendant', options[2]!.id);
    await userEvent.keyboard('{ArrowDown}');
    expect(box).toHaveAttribute('aria-activedescendant', options[0]!.id);
    await userEvent.keyboard('{ArrowUp}');
    expect(box).toHaveAttribute('aria-activedescendant', options[2]!.id);
    expect(options[0]).toHaveAttribute('aria-selected', 'false');
    expect(box).toHaveFocus();
  });

  it('opens the highlighted product on Enter', async () => {
    const { box, onSearch } = setup();
    await userEvent.type(box, 'desk');
    await screen.findAllByRole('option');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    await vi.waitFor(() => expect(currentLocation.pathname).toBe('/products/7/desk-organizer'));
    expect(onSearch).not.toHaveBeenCalled();
    expect(box).toHaveAttribute('aria-expanded', 'false');
  });

  it('searches for the typed text on Enter when nothing is highlighted', async () => {
    const { box, onSearch } = setup();
    await userEvent.type(box, 'desk');
    await screen.findAllByRole('option');
    await userEvent.keyboard('{Enter}');
    expect(onSearch).toHaveBeenCalledWith('desk');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
  });

  it('closes the list on Escape, then clears the box on a second Escape', async () => {
    const { box } = setup();
    await userEvent.type(box, 'desk');
    await screen.findAllByRole('option');
    await userEvent.keyboard('{ArrowDown}{Escape}');
    expect(box).toHaveAttribute('aria-expanded', 'false');
    expect(box).not.toHaveAttribute('aria-activedescendant');
    expect(box).toHaveValue('desk');
    await userEvent.keyboard('{Escape}');
    expect(box).toHaveValue('');
  });

  it('reopens the list with ArrowDown after Escape', async () => {
    const { box } = setup();
    await userEvent.type(box, 'desk');
    await screen.findAllByRole('option');
    await userEvent.keyboard('{Escape}{ArrowDown}');
    await act(() => new Promise((r) => setTimeout(r, SUGGEST_DEBOUNCE_MS)));
    expect(box).toHaveAttribute('aria-expanded', 'true');
  });

  it('opens a product picked with the mouse', async () => {
    const { box } = setup();
    await userEvent.type(box, 'desk');
    await userEvent.click(await screen.findByRole('option', { name: 'Desktop Stand' }));
    await vi.waitFor(() => expect(currentLocation.pathname).toBe('/products/9/desktop-stand'));
  });
});
