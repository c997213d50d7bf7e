import { useEffect, useRef } from 'react';
import { useLocation } from 'react-router';

/**
 * After every navigation but the first page load (a link, the back or forward button), the focus
 * moves to the new view's heading, so that keyboard and screen-reader users start there.
 */
export function useFocusOnNavigation(): void {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [pathname]);
}
