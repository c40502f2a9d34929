// What the rest of the app may use of the cart: the cart itself, adding to it, its totals and limits.
export { useAddToCart, useCart } from './api/cart';
export { CartSummary } from './components/CartSummary';
export { cartTotals, clampQuantity, MAX_QUANTITY } from './cart';
