import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  if (typeof window === 'undefined') return; // the pure tests run without a DOM
  cleanup();
  window.localStorage.clear();
  window.history.replaceState(null, '', '/');
});
