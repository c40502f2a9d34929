import { useRef, useState, type FormEvent } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useLogout, useMe } from '../../features/account';
import { useCart } from '../../features/cart';
import { SearchCombobox } from '../../features/catalog';

function HeaderSearch() {
  const navigate = useNavigate();
  const search = (q: string) => navigate(q.trim() ? `/products?q=${encodeURIComponent(q.trim())}` : '/products');
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    search(String(new FormData(e.currentTarget).get('q') ?? ''));
  };
  return (
    <form role="search" className="header-search" onSubmit={submit}>
      <SearchCombobox label="Search the shop" hideLabel name="q" placeholder="Search products" onSearch={search} />
      <button type="submit" className="btn btn-primary">
        Search
      </button>
    </form>
  );
}

export function Layout() {
  const me = useMe();
  const cart = useCart();
  const logout = useLogout();
  const navigate = useNavigate();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  // The mobile menu is open on the page where it was opened: navigating closes it.
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null);
  const menuOpen = menuOpenOn === location.pathname;
  const user = me.data ?? null;
  const count = cart.data?.item_count ?? 0;

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="site-header">
        <div className="container header-inner">
          <Link to="/" className="brand" aria-label="ecomm home">
            <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
              <rect width="32" height="32" rx="6" fill="currentColor" />
              <path d="M8 11h16l-2 12H10z" fill="#fff" />
            </svg>
            <span>ecomm</span>
          </Link>
          {/* the catalog has its own (debounced) search box */}
          {location.pathname === '/products' ? <div className="header-spacer" /> : <HeaderSearch />}
          <button
            type="button"
            className="btn btn-ghost menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="primary-nav"
            onClick={() => setMenuOpenOn(menuOpen ? null : location.pathname)}
          >
            Menu
          </button>
          <nav id="primary-nav" aria-label="Main" className={`primary-nav ${menuOpen ? 'open' : ''}`}>
            <ul>
              <li>
                <NavLink to="/products">Shop</NavLink>
              </li>
              {user && (
                <li>
                  <NavLink to="/account/orders">Orders</NavLink>
                </li>
              )}
              {user?.role === 'admin' && (
                <li>
                  <NavLink to="/admin">Admin</NavLink>
                </li>
              )}
              {user ? (
                <li>
                  <button
                    type="button"
                    className="btn btn-ghost"
                    onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/') })}
                  >
                    Log out<span className="sr-only"> {user.email}</span>
                  </button>
                </li>
              ) : (
                <>
                  <li>
                    <NavLink to="/login">Log in</NavLink>
                  </li>
                  <li>
                    <NavLink to="/register">Register</NavLink>
                  </li>
                </>
              )}
              <li>
                <NavLink
                  to="/cart"
                  className="cart-link"
                  aria-label={`Cart, ${count} ${count === 1 ? 'item' : 'items'}`}
                >
                  Cart{' '}
                  <span className="badge" aria-hidden="true">
                    {count}
                  </span>
                </NavLink>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="container main">
        <Outlet />
      </main>
      <footer className="site-footer">
        <div className="container">
          <p>ecomm — test shop. Use card 4242 4242 4242 4242 at checkout.</p>
        </div>
      </footer>
    </>
  );
}
