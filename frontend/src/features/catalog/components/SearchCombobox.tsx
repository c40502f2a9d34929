import { useId, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router';
import { useSuggestions } from '../api/products';
import type { Suggestion } from '../../../lib/api/types';
import { useDebouncedValue, useResettableState } from '../../../lib/hooks';
import { productPath } from './ProductCard';

export const SUGGEST_DEBOUNCE_MS = 150;

/**
 * The search box as an ARIA 1.2 combobox with a listbox popup (list autocomplete, manual selection):
 * typing shows up to 8 product suggestions (debounced); ArrowDown/ArrowUp move through them (wrapping),
 * Enter opens the highlighted product or else searches for the text, Escape closes the list and then
 * clears the box. Focus stays in the input; the highlighted option is `aria-activedescendant`.
 */
export function SearchCombobox({
  label,
  hideLabel,
  name,
  value = '',
  placeholder,
  onSearch,
  onTextChange,
}: {
  label: string;
  hideLabel?: boolean;
  /** The input's form field name (a surrounding form can read the text). */
  name?: string;
  /** The current search (from the URL): the box shows it and starts over when it changes. */
  value?: string;
  placeholder?: string;
  /** Enter (or the submit button) without a highlighted suggestion. */
  onSearch: (q: string) => void;
  onTextChange?: (q: string) => void;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const navigate = useNavigate();
  const [text, setText] = useResettableState(value);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const typed = useDebouncedValue(text.trim(), SUGGEST_DEBOUNCE_MS);
  const suggest = useSuggestions(open ? typed : '');
  const options: Suggestion[] = (open && typed && suggest.data) || [];
  const expanded = options.length > 0;
  const optionId = (i: number) => `${id}-opt-${i}`;

  const close = () => {
    setOpen(false);
    setActive(-1);
  };
  const choose = (s: Suggestion) => {
    close();
    navigate(productPath(s));
  };
  const change = (t: string) => {
    setText(t);
    setOpen(t.trim() !== '');
    setActive(-1);
    onTextChange?.(t);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const n = options.length;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (!open) setOpen(text.trim() !== '');
        else if (n) setActive((a) => (a + 1) % n);
        break;
      case 'ArrowUp':
        e.preventDefault();
        if (n) setActive((a) => (a <= 0 ? n - 1 : a - 1));
        break;
      case 'Enter':
        e.preventDefault();
        if (expanded && active >= 0 && active < n) choose(options[active]!);
        else {
          close();
          onSearch(text);
        }
        break;
      case 'Escape':
        if (expanded) close();
        else if (text) change('');
        break;
    }
  };

  return (
    <div className="combobox">
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      <input
        id={id}
        name={name}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        autoComplete="off"
        // the API refuses longer queries (400)
        maxLength={200}
        spellCheck={false}
        enterKeyHint="search"
        placeholder={placeholder}
        value={text}
        onChange={(e) => change(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={close}
      />
      <ul id={listId} role="listbox" aria-label={`${label}: suggestions`} className="combobox-list" hidden={!expanded}>
        {options.map((s, i) => (
          <li
            key={s.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            // mousedown, not click: the input keeps focus (and does not close the list first)
            onMouseDown={(e) => {
              e.preventDefault();
              choose(s);
            }}
          >
            {s.name}
          </li>
        ))}
      </ul>
      <p className="sr-only" role="status" aria-live="polite">
        {expanded ? `${options.length} ${options.length === 1 ? 'suggestion' : 'suggestions'}` : ''}
      </p>
    </div>
  );
}
