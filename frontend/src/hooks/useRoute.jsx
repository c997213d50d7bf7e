/**
 * A router of a few lines: the path in the address bar is the view, History API navigation, and
 * NGINX's fallback to index.html makes a reload of any view work. No library needed.
 */

import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';

const RouteContext = createContext(null);

function currentLocation() {
  return { path: window.location.pathname, search: window.location.search, navigations: 0 };
}

export function RouterProvider({ children }) {
  const [location, setLocation] = useState(currentLocation);

  useEffect(() => {
    const onPop = () => setLocation((prev) => ({ ...currentLocation(), navigations: prev.navigations + 1 }));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback((to, { replace = false } = {}) => {
    const url = new URL(to, window.location.origin);
    if (url.pathname + url.search !== window.location.pathname + window.location.search) {
      window.history[replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search);
    }
    setLocation((prev) => ({
      path: url.pathname,
      search: url.search,
      navigations: prev.navigations + 1,
    }));
  }, []);

  const value = useMemo(() => ({ ...location, navigate }), [location, navigate]);
  return <RouteContext.Provider value={value}>{children}</RouteContext.Provider>;
}

export function useRoute() {
  const route = useContext(RouteContext);
  if (!route) throw new Error('useRoute needs a RouterProvider');
  return route;
}

/** A query parameter of the current address (`?sym=ABC`). */
export function useQueryParam(name) {
  const { search } = useRoute();
  return new URLSearchParams(search).get(name);
}

export function Link({ to, children, className, ...rest }) {
  const { navigate, path } = useRoute();
  const target = new URL(to, 'http://x').pathname;
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a
      href={to}
      className={className}
      aria-current={path === target ? 'page' : undefined}
      onClick={onClick}
      {...rest}
    >
      {children}
    </a>
  );
}
