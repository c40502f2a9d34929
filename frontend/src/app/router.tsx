import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { Layout } from './layout/Layout';
import { Spinner } from '../components/ui';
import { HomePage } from '../features/catalog/routes/HomePage';
import { CatalogPage } from '../features/catalog/routes/CatalogPage';
import { ProductPage } from '../features/catalog/routes/ProductPage';
import { CartPage } from '../features/cart/routes/CartPage';
import { CheckoutPage } from '../features/checkout/routes/CheckoutPage';
import { CheckoutReturnPage } from '../features/checkout/routes/CheckoutReturnPage';
import { OrderPage } from '../features/orders/routes/OrderPage';
import { OrdersPage } from '../features/orders/routes/OrdersPage';
import { LoginPage, RegisterPage } from '../features/account/routes/AuthPages';
import { NotFoundPage } from '../components/NotFoundPage';

// The back office is loaded on demand so shoppers never download it.
const AdminRoutes = lazy(() => import('../features/admin/AdminRoutes'));

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<HomePage />} />
        <Route path="products" element={<CatalogPage />} />
        <Route path="products/:id/:slug?" element={<ProductPage />} />
        <Route path="cart" element={<CartPage />} />
        <Route path="checkout" element={<CheckoutPage />} />
        <Route path="checkout/return" element={<CheckoutReturnPage />} />
        <Route path="orders/:id" element={<OrderPage />} />
        <Route path="account/orders" element={<OrdersPage />} />
        <Route path="login" element={<LoginPage />} />
        <Route path="register" element={<RegisterPage />} />
        <Route
          path="admin/*"
          element={
            <Suspense fallback={<Spinner label="Loading back office…" />}>
              <AdminRoutes />
            </Suspense>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
