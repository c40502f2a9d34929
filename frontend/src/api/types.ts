// Hand-written from docs/api-contract.md. Replaced by types derived from the generated
// OpenAPI schema (src/api/schema.d.ts) once backend/openapi.json exists.

export type Role = 'customer' | 'admin';
export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled';
export type SortKey = 'relevance' | 'price_asc' | 'price_desc' | 'newest';

export interface Product {
  id: number;
  sku: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  price_cents: number;
  currency: string;
  image_url: string | null;
  available: number;
  created_at: string;
}

export interface CategoryCount {
  name: string;
  count: number;
}

export interface ProductPage {
  items: Product[];
  total: number;
  page: number;
  per_page: number;
  facets: { categories: CategoryCount[] };
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export interface CartItem {
  product_id: number;
  sku: string;
  slug: string;
  name: string;
  image_url: string | null;
  unit_price_cents: number;
  quantity: number;
  line_total_cents: number;
  available: number;
}

export interface Cart {
  items: CartItem[];
  item_count: number;
  subtotal_cents: number;
  currency: string;
}

export interface Address {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postal_code: string;
  country: string;
}

export interface OrderItem {
  product_id: number;
  sku: string;
  name: string;
  unit_price_cents: number;
  quantity: number;
  line_total_cents: number;
}

export interface Order {
  id: string;
  status: OrderStatus;
  email: string;
  items: OrderItem[];
  subtotal_cents: number;
  total_cents: number;
  currency: string;
  shipping_address: Address;
  payment: { brand: string; last4: string };
  created_at: string;
  updated_at: string;
}

export interface OrderList {
  items: Order[];
}

export interface AdminOrderPage {
  items: Order[];
  total: number;
  page: number;
  per_page: number;
}

export interface InventoryLevel {
  sku: string;
  available: number;
}

export interface AuditEntry {
  at: string;
  actor_email: string;
  old_available: number;
  new_available: number;
}

export interface AuditList {
  items: AuditEntry[];
}

export interface OpsSummary {
  generated_at: string;
  window_seconds: number;
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  error_rate: number;
  orders_per_minute: number;
  inventory_updates_per_minute: number;
}

export interface CheckoutRequest {
  email: string;
  shipping_address: Address;
  payment: { card_number: string; exp_month: number; exp_year: number; cvc: string };
}

export interface ProductCreate {
  sku: string;
  name: string;
  description: string;
  category: string;
  price_cents: number;
  available: number;
}

export type ProductUpdate = Partial<Pick<ProductCreate, 'name' | 'description' | 'category' | 'price_cents'>>;

export interface FieldError {
  field: string;
  message: string;
}

export interface StockLine {
  product_id: number;
  sku: string;
  requested: number;
  available: number;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
  lines?: StockLine[];
}
