// The query-key factory: every cache entry is named here, so a feature that changes data another feature
// shows (checkout empties the cart, signing in drops the orders) invalidates the same arrays.
import type { AdminOrderQuery, ProductQuery } from './types';

export const keys = {
  me: ['me'] as const,
  cart: ['cart'] as const,
  categories: ['categories'] as const,
  products: ['products'] as const,
  productLists: ['products', 'list'] as const,
  productList: (q: ProductQuery) => [...keys.productLists, q] as const,
  product: (id: number) => [...keys.products, 'detail', id] as const,
  suggest: (q: string) => ['suggest', q] as const,
  orders: ['orders'] as const,
  order: (id: string) => [...keys.orders, id] as const,
  admin: ['admin'] as const,
  adminOrders: ['admin', 'orders'] as const,
  adminOrderList: (q: AdminOrderQuery) => [...keys.adminOrders, q] as const,
  audit: (sku: string) => [...keys.admin, 'audit', sku] as const,
  ops: ['admin', 'ops'] as const,
};
