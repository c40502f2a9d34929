import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  if (typeof localStorage !== 'undefined') localStorage.clear();
});

// jsdom does not implement scrolling
if (typeof window !== 'undefined') window.scrollTo = (() => {}) as typeof window.scrollTo;
