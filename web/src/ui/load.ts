import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (and on `reload`); the latest call wins. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => call === latest.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => call === latest.current && setState({ data: undefined, error, loading: false }),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Paged<T> extends Loaded<Page<T>> {
  pageNumber: number;
  hasPrevious: boolean;
  next(): void;
  previous(): void;
}

/**
 * A list paged with the API's cursors: `next` follows `nextCursor`, `previous` goes back through the
 * cursors already seen (the API's cursors only go forward). A change of `deps` starts at page one.
 */
export function useCursorPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  deps: readonly unknown[],
): Paged<T> {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  useEffect(() => setCursors([undefined]), deps);
  const cursor = cursors[cursors.length - 1];
  const loaded = useLoad(() => fetchPage(cursor), [...deps, cursor]);
  return {
    ...loaded,
    pageNumber: cursors.length,
    hasPrevious: cursors.length > 1,
    next: () => {
      const nextCursor = loaded.data?.nextCursor;
      if (nextCursor) setCursors((stack) => [...stack, nextCursor]);
    },
    previous: () => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)),
  };
}

export interface Action {
  busy: boolean;
  error: unknown;
  /** Runs the action unless one is running; true when it succeeded (its refusal is kept in `error`). */
  run(action: () => Promise<unknown>): Promise<boolean>;
}

/** One thing a form or button does: whether it is under way, and its refusal to show in words. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
