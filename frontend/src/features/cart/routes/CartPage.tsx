import { Link } from 'react-router';
import { useCart, useSetCartQuantity } from '../api/cart';
import type { Cart, CartItem } from '../../../lib/api/types';
import { DataTable, type Column } from '../../../components/DataTable';
import { productPath } from '../../catalog';
import { ErrorBox, Money, ProductImage, QueryState } from '../../../components/ui';
import { CartSummary } from '../components/CartSummary';
import { clampQuantity, MAX_QUANTITY } from '../cart';
import { useDocumentTitle, useResettableState } from '../../../lib/hooks';

function QuantityControl({
  item,
  onChange,
  disabled,
}: {
  item: CartItem;
  onChange: (q: number) => void;
  disabled?: boolean;
}) {
  const [text, setText] = useResettableState(String(item.quantity));
  const max = Math.max(1, Math.min(MAX_QUANTITY, item.available));
  const commit = () => {
    const q = clampQuantity(Number(text), max);
    setText(String(q));
    if (q !== item.quantity) onChange(q);
  };
  const id = `qty-${item.product_id}`;
  return (
    <div className="qty-control">
      <button
        type="button"
        className="btn btn-ghost"
        aria-label={`Decrease quantity of ${item.name}`}
        disabled={disabled || item.quantity <= 1}
        onClick={() => onChange(item.quantity - 1)}
      >
        −
      </button>
      <label htmlFor={id} className="sr-only">
        Quantity of {item.name}
      </label>
      <input
        id={id}
        type="number"
        min={1}
        max={max}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      <button
        type="button"
        className="btn btn-ghost"
        aria-label={`Increase quantity of ${item.name}`}
        disabled={disabled || item.quantity >= max}
        onClick={() => onChange(item.quantity + 1)}
      >
        +
      </button>
    </div>
  );
}

function cartColumns(currency: string, setQuantity: (productId: number, q: number) => void): Column<CartItem>[] {
  return [
    {
      header: 'Product',
      cell: (it) => (
        <div className="cart-product">
          <ProductImage src={it.image_url} alt="" label={it.name} width={64} height={64} className="thumb" />
          <div>
            <Link to={productPath({ id: it.product_id, slug: it.slug })}>{it.name}</Link>
            {it.quantity > it.available && (
              <p className="field-error">
                {it.available === 0
                  ? 'Out of stock — remove it to check out.'
                  : `Only ${it.available} available — reduce the quantity.`}
              </p>
            )}
          </div>
        </div>
      ),
    },
    { header: 'Price', cell: (it) => <Money cents={it.unit_price_cents} currency={currency} /> },
    {
      header: 'Quantity',
      cell: (it) => <QuantityControl item={it} onChange={(q) => setQuantity(it.product_id, q)} />,
    },
    { header: 'Total', cell: (it) => <Money cents={it.unit_price_cents * it.quantity} currency={currency} /> },
    {
      header: 'Actions',
      srOnly: true,
      cell: (it) => (
        <button type="button" className="btn btn-ghost" onClick={() => setQuantity(it.product_id, 0)}>
          Remove<span className="sr-only"> {it.name}</span>
        </button>
      ),
    },
  ];
}

export function CartView({ cart }: { cart: Cart }) {
  const setQty = useSetCartQuantity();
  const short = cart.items.some((it) => it.quantity > it.available);
  if (cart.items.length === 0)
    return (
      <div className="empty-state">
        <h2>Your cart is empty</h2>
        <Link className="btn btn-primary" to="/products">
          Continue shopping
        </Link>
      </div>
    );
  return (
    <div className="cart-layout">
      <div>
        <DataTable
          caption="Items in your cart"
          className="cart-table"
          columns={cartColumns(cart.currency, (product_id, quantity) => setQty.mutate({ product_id, quantity }))}
          rows={cart.items}
          rowKey={(it) => it.product_id}
        />
        {setQty.isError && <ErrorBox error={setQty.error} title="Could not update the cart" />}
      </div>
      <div>
        <CartSummary cart={cart} />
        {short ? (
          <>
            <p className="field-error" id="cart-short">
              Some items are not available in the quantity you chose.
            </p>
            <button type="button" className="btn btn-primary btn-lg btn-block" disabled aria-describedby="cart-short">
              Checkout
            </button>
          </>
        ) : (
          <Link className="btn btn-primary btn-lg btn-block" to="/checkout">
            Checkout
          </Link>
        )}
      </div>
    </div>
  );
}

export function CartPage() {
  useDocumentTitle('Cart');
  const cart = useCart();
  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      <QueryState query={cart} loadingLabel="Loading your cart…">
        {(c) => <CartView cart={c} />}
      </QueryState>
    </section>
  );
}
