import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { useMe } from '../account';
import { ErrorBox, Spinner } from '../../components/ui';
import { AdminProducts } from './routes/AdminProducts';
import { AdminProductEdit } from './routes/AdminProductEdit';
import { AdminOrders } from './routes/AdminOrders';
import { OpsDashboard } from './routes/OpsDashboard';

/** Role gate: the API enforces it too (401/403), this keeps the UI honest. */
export function RequireAdmin({ children }: { children: React.ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Spinner label="Checking your access…" />;
  if (me.isError) return <ErrorBox error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data)
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (me.data.role !== 'admin')
    return (
      <section className="empty-state" role="alert">
        <h1>Admins only</h1>
        <p>Your account ({me.data.email}) does not have access to the back office.</p>
      </section>
    );
  return <>{children}</>;
}

const ADMIN_LINKS = [
  { to: '/admin', label: 'Products', end: true },
  { to: '/admin/products/new', label: 'New product' },
  { to: '/admin/orders', label: 'Orders' },
  { to: '/admin/ops', label: 'Ops dashboard' },
];

export default function AdminRoutes() {
  return (
    <RequireAdmin>
      <div className="admin">
        <nav aria-label="Back office" className="admin-nav">
          <ul>
            {ADMIN_LINKS.map(({ to, label, end }) => (
              <li key={to}>
                <NavLink to={to} end={end}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <Routes>
          <Route index element={<AdminProducts />} />
          <Route path="products/new" element={<AdminProductEdit />} />
          <Route path="products/:id" element={<AdminProductEdit />} />
          <Route path="orders" element={<AdminOrders />} />
          <Route path="ops" element={<OpsDashboard />} />
          <Route path="*" element={<Navigate to="/admin" replace />} />
        </Routes>
      </div>
    </RequireAdmin>
  );
}
