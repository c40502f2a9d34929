import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { useSearchParams } from 'react-router';

export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(t);
  }, [value, delayMs]);
  return debounced;
}

/**
 * `fn` called `delayMs` after the last call; `cancel` drops a pending call. The latest `fn` is used,
 * so callers need not memoize it.
 */
export function useDebouncedCallback<A extends unknown[]>(fn: (...args: A) => void, delayMs: number) {
  const fnRef = useRef(fn);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    fnRef.current = fn;
  });
  const cancel = useCallback(() => clearTimeout(timer.current), []);
  const call = useCallback(
    (...args: A) => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => fnRef.current(...args), delayMs);
    },
    [delayMs],
  );
  useEffect(() => cancel, [cancel]);
  return { call, cancel };
}

/**
 * Local, editable state that starts from `source` and starts over whenever `source` changes (a form
 * field showing a server value). Adjusted during render, as React recommends, instead of in an effect.
 */
export function useResettableState<T>(source: T): [T, Dispatch<SetStateAction<T>>] {
  const [state, setState] = useState(source);
  const [seen, setSeen] = useState(source);
  if (!Object.is(seen, source)) {
    setSeen(source);
    setState(source);
  }
  return [state, setState];
}

export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · ecomm` : 'ecomm';
  }, [title]);
}

/** The 1-based `page` search parameter, and a setter that keeps the other parameters. */
export function usePageParam(): [number, (page: number) => void] {
  const [sp, setSp] = useSearchParams();
  const page = Math.max(1, Number(sp.get('page') ?? '1') || 1);
  const setPage = (p: number) =>
    setSp((prev) => {
      const next = new URLSearchParams(prev);
      if (p > 1) next.set('page', String(p));
      else next.delete('page');
      return next;
    });
  return [page, setPage];
}
