import type { Cart, CartItem } from '../../lib/api/types';

export const MAX_QUANTITY = 99;

export interface CartTotals {
  itemCount: number;
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
}

/** Totals for a list of cart lines; shipping is free in this shop. */
export function cartTotals(items: Pick<CartItem, 'unit_price_cents' | 'quantity'>[]): CartTotals {
  let itemCount = 0;
  let subtotalCents = 0;
  for (const it of items) {
    itemCount += it.quantity;
    subtotalCents += it.unit_price_cents * it.quantity;
  }
  return { itemCount, subtotalCents, shippingCents: 0, totalCents: subtotalCents };
}

/** Clamps a requested quantity to 1..min(available, 99). */
export function clampQuantity(q: number, available: number): number {
  const max = Math.max(1, Math.min(MAX_QUANTITY, available));
  if (!Number.isFinite(q)) return 1;
  return Math.min(max, Math.max(1, Math.trunc(q)));
}

/** The cart after setting one line's quantity (0 removes it): used for optimistic updates. */
export function withQuantity(cart: Cart, productId: number, quantity: number): Cart {
  const items = cart.items
    .map((it) =>
      it.product_id === productId ? { ...it, quantity, line_total_cents: it.unit_price_cents * quantity } : it,
    )
    .filter((it) => it.quantity > 0);
  const t = cartTotals(items);
  return { ...cart, items, item_count: t.itemCount, subtotal_cents: t.subtotalCents };
}
