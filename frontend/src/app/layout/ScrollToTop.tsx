import { useEffect } from 'react';
import { useLocation, useNavigationType } from 'react-router';

/** Scrolls to the top and moves focus to <main> on forward navigations (not on back/forward). */
export function ScrollToTop() {
  const { pathname } = useLocation();
  const nav = useNavigationType();
  useEffect(() => {
    if (nav === 'POP') return;
    window.scrollTo(0, 0);
    const main = document.getElementById('main');
    if (main && document.activeElement === document.body) main.focus({ preventScroll: true });
  }, [pathname, nav]);
  return null;
}
