import { useEffect, type ReactNode } from 'react';

/**
 * The view's title: names the tab. After a navigation the focus moves to it (see
 * useFocusOnNavigation), so keyboard and screen-reader users start reading the new view from its top.
 */
export function ViewHeading({ children, title }: { children: ReactNode; title?: string }) {
  const text = title ?? (typeof children === 'string' ? children : '');

  useEffect(() => {
    document.title = text ? `${text} · DTS` : 'DTS';
  }, [text]);

  return <h1 tabIndex={-1}>{children}</h1>;
}
