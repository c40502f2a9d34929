// API types, derived from the generated OpenAPI schema (src/lib/api/schema.d.ts ← backend/openapi.json,
// `npm run gen:api`). Only enum-like strings are narrowed here; everything else is the backend's.
// The `Ok`/`Body` helpers tie these names to a path+method of the spec (schema.test.ts), so a renamed
// endpoint or a changed response shape fails `tsc`.
import type { components, operations, paths } from './schema';

type S = components['schemas'];
type QueryOf<O extends keyof operations> = NonNullable<operations[O]['parameters']['query']>;

export type Role = S['Role'];
export type OrderStatus = S['OrderStatus'];
export type SortKey = NonNullable<QueryOf<'list_products'>['sort']>;

export type Product = S['ProductDto'];
export type CategoryCount = S['CategoryCount'];
export type ProductPage = S['ProductPage'];
export type User = S['UserDto'];
export type CartItem = S['CartLineDto'];
export type Cart = S['CartDto'];
export type Address = S['Address'];
export type OrderItem = S['OrderItemDto'];
export type Order = S['OrderDto'];
export type OrderList = S['OrderList'];
export type AdminOrderPage = S['AdminOrderPage'];
export type InventoryLevel = S['StockLevel'];
export type AuditEntry = S['AuditEntryDto'];
export type AuditList = S['AuditList'];
export type OpsSummary = S['OpsSummary'];
export type StartCheckout = S['StartCheckout'];
export type CheckoutStarted = S['StartedDto'];
export type ProductCreate = S['CreateProduct'];
export type ProductUpdate = S['UpdateProduct'];
export type FieldError = S['FieldError'];
export type Credentials = S['LoginRequest'];
export type Registration = S['RegisterRequest'];
export type ProductQuery = QueryOf<'list_products'>;
export type AdminOrderQuery = QueryOf<'admin_list_orders'>;
export type Suggestion = S['Suggestion'];
export type StockLine = S['ShortLine'];
/** A problem document as received: every member may be missing on a non-backend error (proxy 502…). */
export type Problem = Partial<S['Problem']>;

// ---- spec-checked request/response helpers ---------------------------------------------------
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;

/** The success (200/201) JSON body of `M P` (void for 204). */
export type Ok<P extends keyof paths, M extends Method> =
  Op<P, M> extends { responses: infer R }
    ? R extends { 200: infer X }
      ? JsonOf<X>
      : R extends { 201: infer X }
        ? JsonOf<X>
        : R extends { 204: unknown }
          ? void
          : never
    : never;

/** The JSON request body of `M P`. */
export type Body<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

/** Compile-time check that A is assignable to B. */
export type Assert<A extends B, B> = A;

// The narrowed types still match the wire types.
export type _OrderCheck = Assert<Order, S['OrderDto']>;
export type _UserCheck = Assert<User, S['UserDto']>;
