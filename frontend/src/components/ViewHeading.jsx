import { useEffect, useRef } from 'react';
import { useRoute } from '../hooks/useRoute.jsx';

/**
 * The view's title: names the tab, and takes the focus after a navigation so that keyboard and
 * screen-reader users start reading the new view from its top.
 */
export function ViewHeading({ children, title }) {
  const ref = useRef(null);
  const { navigations, path } = useRoute();
  const text = title ?? (typeof children === 'string' ? children : '');

  useEffect(() => {
    document.title = text ? `${text} · DTS` : 'DTS';
  }, [text]);

  useEffect(() => {
    if (navigations > 0) ref.current?.focus();
  }, [navigations, path]);

  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
