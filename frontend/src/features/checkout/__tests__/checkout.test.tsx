import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Cart } from '../../../lib/api/types';
import { ApiError } from '../../../lib/api/client';
import { startCheckout, type StartCheckout } from '../api/cardFlow';
import { AttemptKeys } from '../idempotency';
import { luhnValid, parseExpiry, validateCheckout, formatCardNumber, type CheckoutForm as Form } from '../validation';
import { CheckoutForm } from '../components/CheckoutForm';
import { CheckoutPage } from '../routes/CheckoutPage';
import { CheckoutReturnPage } from '../routes/CheckoutReturnPage';
import { cartLine, currentLocation, mockFetch, renderWithProviders } from '../../../testing/utils';

const cart: Cart = { currency: 'USD', item_count: 1, subtotal_cents: 1999, items: [cartLine()] };

const valid: Form = {
  email: 'ann@example.com',
  name: 'Ann Lee',
  line1: '1 Main St',
  line2: '',
  city: 'Springfield',
  postal_code: '12345',
  country: 'US',
  card_number: '4242 4242 4242 4242',
  expiry: '12/30',
  cvc: '123',
};

async function fillGuestCheckout(card: string) {
  const type = async (name: RegExp, v: string) => userEvent.type(await screen.findByRole('textbox', { name }), v);
  await type(/email/i, 'guest@example.com');
  await type(/full name/i, 'Guest');
  await type(/address line 1/i, '1 Main St');
  await type(/city/i, 'Springfield');
  await type(/postal code/i, '12345');
  await type(/card number/i, card);
  await type(/expiry/i, '12/30');
  await type(/security code/i, '123');
}

const started = {
  checkout_id: 'c1',
  amount_cents: 1999,
  currency: 'USD',
  payment: {
    provider: 'stripe',
    intent_id: 'pi_1',
    client_secret: 'pi_1_secret_x',
    publishable_key: 'pk_test_standin',
  },
};

const declinedAtStandIn = {
  status: 402,
  body: {
    error: {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    },
  },
};

describe('checkout validation', () => {
  it('checks card numbers with Luhn', () => {
    expect(luhnValid('4242 4242 4242 4242')).toBe(true);
    expect(luhnValid('4000000000000002')).toBe(true);
    expect(luhnValid('4242 4242 4242 4241')).toBe(false);
    expect(luhnValid('42')).toBe(false);
    expect(formatCardNumber('4242424242424242')).toBe('4242 4242 4242 4242');
  });

  it('parses and validates expiry dates', () => {
    expect(parseExpiry('04/29')).toEqual({ month: 4, year: 2029 });
    expect(parseExpiry('4/2031')).toEqual({ month: 4, year: 2031 });
    expect(parseExpiry('13/29')).toBeNull();
    const now = new Date(2027, 5, 15);
    expect(validateCheckout({ ...valid, expiry: '05/27' }, now).expiry).toBe('This card has expired.');
    expect(validateCheckout({ ...valid, expiry: '06/27' }, now).expiry).toBeUndefined();
  });

  it('accepts a complete form and reports every missing field', () => {
    expect(validateCheckout(valid)).toEqual({});
    const errs = validateCheckout({ ...valid, email: 'nope', name: ' ', city: '', cvc: '12', card_number: '' });
    expect(Object.keys(errs).sort()).toEqual(['card_number', 'city', 'cvc', 'email', 'name']);
  });
});

describe('checkout form', () => {
  it('shows inline errors on submit and focuses the first invalid field', async () => {
    const onSubmit = vi.fn();
    renderWithProviders(<CheckoutForm cart={cart} onSubmit={onSubmit} submitting={false} />);
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect(onSubmit).not.toHaveBeenCalled();
    const email = screen.getByRole('textbox', { name: /email/i });
    expect(email).toHaveFocus();
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveAccessibleDescription('Enter your email address.');
    expect(screen.getByRole('textbox', { name: /card number/i })).toHaveAccessibleDescription('Enter the card number.');
    expect(screen.getByRole('textbox', { name: /address line 2/i })).not.toHaveAttribute('aria-invalid');
  });

  it('validates a field on blur and clears the error as the user fixes it', async () => {
    renderWithProviders(<CheckoutForm cart={cart} onSubmit={vi.fn()} submitting={false} />);
    const card = screen.getByRole('textbox', { name: /card number/i });
    await userEvent.type(card, '4242424242424241');
    await userEvent.tab();
    expect(card).toHaveAccessibleDescription(/not valid/);
    await userEvent.clear(card);
    await userEvent.type(card, '4242424242424242');
    expect(card).toHaveValue('4242 4242 4242 4242');
    expect(card).not.toHaveAttribute('aria-invalid');
  });

  it('submits the address with the total the shopper saw, and the card apart from it', async () => {
    const onSubmit = vi.fn();
    renderWithProviders(
      <CheckoutForm cart={cart} onSubmit={onSubmit} submitting={false} defaultEmail="ann@example.com" />,
    );
    const type = (name: RegExp, v: string) => userEvent.type(screen.getByRole('textbox', { name }), v);
    await type(/full name/i, 'Ann Lee');
    await type(/address line 1/i, '1 Main St');
    await type(/city/i, 'Springfield');
    await type(/postal code/i, '12345');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Country' }), 'CA');
    await type(/card number/i, '4242424242424242');
    await type(/expiry/i, '12/30');
    await type(/security code/i, '123');
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    const [req, card] = onSubmit.mock.calls[0]! as [StartCheckout, unknown];
    expect(card).toEqual({ number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' });
    expect(req).toEqual({
      email: 'ann@example.com',
      shipping_address: {
        name: 'Ann Lee',
        line1: '1 Main St',
        city: 'Springfield',
        postal_code: '12345',
        country: 'CA',
      },
      expected_total_cents: 1999,
    });
  });
});

describe('idempotency', () => {
  it('reuses the key for the same attempt and makes a new one when the attempt changes', () => {
    const k = new AttemptKeys();
    const a = k.keyFor('cart1|body1');
    expect(k.keyFor('cart1|body1')).toBe(a);
    const b = k.keyFor('cart1|body2');
    expect(b).not.toBe(a);
    k.reset();
    expect(k.keyFor('cart1|body2')).not.toBe(b);
  });

  it('retries transport failures with the same Idempotency-Key, but not declines', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let n = 0;
    const fetch = mockFetch(() => (++n < 3 ? { status: 503, body: { status: 503 } } : { status: 200, body: started }));
    expect((await startCheckout({} as StartCheckout, 'key-1')).payment.intent_id).toBe('pi_1');
    expect(fetch).toHaveBeenCalledTimes(3);
    const keys = fetch.sent.map((r) => r.headers.get('Idempotency-Key'));
    expect(new Set(keys)).toEqual(new Set(['key-1']));

    const declined = mockFetch(() => ({
      status: 402,
      body: { type: 'payment-declined', title: 'Payment Required', status: 402, detail: 'card declined' },
    }));
    await expect(startCheckout({} as StartCheckout, 'key-2')).rejects.toBeInstanceOf(ApiError);
    expect(declined).toHaveBeenCalledTimes(1);
  });

  it('after an interrupted checkout (nothing charged) the next try uses a new key', async () => {
    const keys: string[] = [];
    mockFetch((url, init) => {
      if (url.pathname === '/api/cart') return { body: cart };
      if (url.pathname === '/api/checkout') {
        keys.push(init.headers.get('Idempotency-Key')!);
        return { status: 409, body: { type: 'checkout-interrupted', title: 'Checkout interrupted', status: 409 } };
      }
    });
    renderWithProviders(<CheckoutPage />);
    await fillGuestCheckout('4242424242424242');
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/not been charged/i);
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    await vi.waitFor(() => expect(keys).toHaveLength(2));
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('asks again with the same key while the server is still on it (409 in-progress)', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let n = 0;
    const fetch = mockFetch(() =>
      ++n < 2
        ? { status: 409, body: { type: 'in-progress', title: 'Request in progress', status: 409 } }
        : { status: 200, body: started },
    );
    expect((await startCheckout({} as StartCheckout, 'key-3')).checkout_id).toBe('c1');
    expect(fetch.sent.map((r) => r.headers.get('Idempotency-Key'))).toEqual(['key-3', 'key-3']);
  });

  it('shows a clear declined-card error and keeps the form', async () => {
    const keys: string[] = [];
    mockFetch((url, init) => {
      if (url.pathname === '/api/cart') return { body: cart };
      if (url.pathname === '/api/checkout') {
        keys.push(init.headers.get('Idempotency-Key')!);
        return { body: started };
      }
      if (url.pathname === '/test-gateway/v1/payment_intents/pi_1/confirm') return declinedAtStandIn;
    });
    renderWithProviders(<CheckoutPage />);
    await fillGuestCheckout('4000000000000002');
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/declined/i);
    // another card pays on the same payment: the same key answers the same intent
    const card = screen.getByRole('textbox', { name: /card number/i });
    await userEvent.clear(card);
    await userEvent.type(card, '4242424242424242');
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    await vi.waitFor(() => expect(keys).toHaveLength(2));
    expect(keys[1]).toBe(keys[0]);
  });

  it('sends the total shown and, when prices moved (409 price-changed), says so and shows the new cart', async () => {
    let current = cart;
    const sent: unknown[] = [];
    mockFetch((url, init) => {
      if (url.pathname === '/api/cart') return { body: current };
      if (url.pathname === '/api/checkout') {
        sent.push(JSON.parse(init.body));
        current = { ...cart, items: [{ ...cart.items[0]!, unit_price_cents: 2499, line_total_cents: 2499 }] };
        return {
          status: 409,
          body: { type: 'price-changed', title: 'Prices changed', status: 409, detail: 'the cart total is now 2499' },
        };
      }
    });
    renderWithProviders(<CheckoutPage />);
    await fillGuestCheckout('4242424242424242');
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/prices have changed/i);
    expect(sent).toEqual([expect.objectContaining({ expected_total_cents: 1999 })]);
    // the summary refreshes to the cart as it is now
    expect(await screen.findByText('$24.99', { selector: '[data-testid=summary-total] *' })).toBeInTheDocument();
  });
});

describe('the card flow', () => {
  it('sends the card to the stand-in only, never to our API, then completes the order', async () => {
    const f = mockFetch((url) => {
      if (url.pathname === '/api/cart') return { body: cart };
      if (url.pathname === '/api/checkout') return { body: started };
      if (url.pathname === '/test-gateway/v1/payment_intents/pi_1/confirm')
        return { body: { id: 'pi_1', status: 'requires_capture', next_action: null } };
      if (url.pathname === '/api/checkout/complete') return { status: 201, body: { id: 'o9' } };
    });
    renderWithProviders(<CheckoutPage />);
    await fillGuestCheckout('4242424242424242');
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    await vi.waitFor(() => expect(currentLocation.pathname).toBe('/orders/o9'));
    const toApi = f.sent.filter((r) => r.url.pathname.startsWith('/api/'));
    expect(toApi.some((r) => r.body.includes('4242'))).toBe(false);
    const confirm = new URLSearchParams(f.sent.find((r) => r.url.pathname.endsWith('/confirm'))!.body);
    expect(confirm.get('payment_method_data[card][number]')).toBe('4242424242424242');
    expect(confirm.get('client_secret')).toBe('pi_1_secret_x');
    expect(JSON.parse(f.sent.find((r) => r.url.pathname === '/api/checkout/complete')!.body)).toEqual({
      intent_id: 'pi_1',
    });
  });

  it('sends the shopper to the 3-D Secure page when the card asks for it', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...globalThis.location, origin: 'http://localhost', assign });
    mockFetch((url) => {
      if (url.pathname === '/api/cart') return { body: cart };
      if (url.pathname === '/api/checkout') return { body: started };
      if (url.pathname === '/test-gateway/v1/payment_intents/pi_1/confirm')
        return {
          body: {
            id: 'pi_1',
            status: 'requires_action',
            next_action: { type: 'redirect_to_url', redirect_to_url: { url: '/test-gateway/3ds/pi_1' } },
          },
        };
    });
    renderWithProviders(<CheckoutPage />);
    await fillGuestCheckout('4000002500003155');
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith('/test-gateway/3ds/pi_1'));
    vi.unstubAllGlobals();
  });

  it('says the payment is not authorized when completing answers 402', async () => {
    mockFetch((url) => {
      if (url.pathname === '/api/cart') return { body: cart };
      if (url.pathname === '/api/checkout') return { body: started };
      if (url.pathname === '/test-gateway/v1/payment_intents/pi_1/confirm')
        return { body: { id: 'pi_1', status: 'requires_capture' } };
      if (url.pathname === '/api/checkout/complete')
        return {
          status: 402,
          body: {
            type: 'https://ecomm.dev/problems/payment-not-authorized',
            title: 'Payment not authorized',
            status: 402,
          },
        };
    });
    renderWithProviders(<CheckoutPage />);
    await fillGuestCheckout('4242424242424242');
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/not been authorized/);
  });
});

describe('back from the 3-D Secure page', () => {
  it('completes the order only once the cart is answered, then shows it', async () => {
    // the guest cart rides in a cookie every cart answer sets: an older one must not land last
    let answerCart = () => {};
    const cartHeld = new Promise<void>((r) => (answerCart = r));
    const sent: string[] = [];
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const path = new URL(input instanceof Request ? input.url : String(input), 'http://localhost').pathname;
        sent.push(path);
        if (path === '/api/cart') {
          await cartHeld;
          return json(200, cart);
        }
        return path === '/api/checkout/complete' ? json(201, { id: 'o7' }) : json(404, {});
      }),
    );
    renderWithProviders(<CheckoutReturnPage />, {
      route: '/checkout/return?payment_intent=pi_1&payment_intent_client_secret=s&redirect_status=succeeded',
    });
    await vi.waitFor(() => expect(sent).toContain('/api/cart'));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).not.toContain('/api/checkout/complete');
    answerCart();
    await vi.waitFor(() => expect(currentLocation.pathname).toBe('/orders/o7'));
    vi.unstubAllGlobals();
  });

  it('says the bank did not confirm a failed challenge and completes nothing', async () => {
    const f = mockFetch((url) => (url.pathname === '/api/cart' ? { body: cart } : undefined));
    renderWithProviders(<CheckoutReturnPage />, {
      route: '/checkout/return?payment_intent=pi_1&payment_intent_client_secret=s&redirect_status=failed',
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(/not been charged/);
    expect(screen.getByRole('link', { name: 'Back to checkout' })).toBeInTheDocument();
    expect(f.sent.some((r) => r.url.pathname === '/api/checkout/complete')).toBe(false);
  });
});
