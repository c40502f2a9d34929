import { useRef, useState, type FormEvent } from 'react';
import { isProblem } from '../../../lib/api/client';
import type { Cart } from '../../../lib/api/types';
import type { CardInput, StartCheckout } from '../api/cardFlow';
import { Field, SelectField } from '../../../components/ui';
import {
  apiFieldToFormField,
  CHECKOUT_FIELDS,
  digitsOnly,
  formatCardNumber,
  parseExpiry,
  validateCheckout,
  validateField,
  type CheckoutField,
  type CheckoutForm,
  type Errors,
} from '../validation';
import { cartTotals } from '../../cart';

export const COUNTRIES: [string, string][] = [
  ['US', 'United States'],
  ['CA', 'Canada'],
  ['GB', 'United Kingdom'],
  ['IE', 'Ireland'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['NL', 'Netherlands'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['SE', 'Sweden'],
  ['AU', 'Australia'],
  ['NZ', 'New Zealand'],
  ['JP', 'Japan'],
];

const EMPTY: CheckoutForm = {
  email: '',
  name: '',
  line1: '',
  line2: '',
  city: '',
  postal_code: '',
  country: 'US',
  card_number: '',
  expiry: '',
  cvc: '',
};

const LABELS: Record<CheckoutField, string> = {
  email: 'Email',
  name: 'Full name',
  line1: 'Address line 1',
  line2: 'Address line 2',
  city: 'City',
  postal_code: 'Postal code',
  country: 'Country',
  card_number: 'Card number',
  expiry: 'Expiry (MM/YY)',
  cvc: 'Security code (CVC)',
};

/** The form split in two: what goes to our API, and the card, which goes to the payment provider only. */
export function toCheckoutRequest(v: CheckoutForm): {
  body: Omit<StartCheckout, 'expected_total_cents'>;
  card: CardInput;
} {
  const exp = parseExpiry(v.expiry)!;
  const body = {
    email: v.email.trim(),
    shipping_address: {
      name: v.name.trim(),
      line1: v.line1.trim(),
      ...(v.line2.trim() ? { line2: v.line2.trim() } : {}),
      city: v.city.trim(),
      postal_code: v.postal_code.trim(),
      country: v.country,
    },
  };
  return {
    body,
    card: { number: digitsOnly(v.card_number), exp_month: exp.month, exp_year: exp.year, cvc: v.cvc.trim() },
  };
}

function cartFingerprint(cart: Cart): string {
  return cart.items.map((i) => `${i.product_id}x${i.quantity}@${i.unit_price_cents}`).join(',');
}

export function CheckoutForm({
  cart,
  defaultEmail,
  onSubmit,
  submitting,
  serverError,
}: {
  cart: Cart;
  defaultEmail?: string;
  onSubmit: (req: StartCheckout, card: CardInput, fingerprint: string) => void;
  submitting: boolean;
  serverError?: unknown;
}) {
  const [values, setValues] = useState<CheckoutForm>({ ...EMPTY, email: defaultEmail ?? '' });
  const [errors, setErrors] = useState<Errors<CheckoutField>>({});
  const [touched, setTouched] = useState<Partial<Record<CheckoutField, boolean>>>({});
  const [lastServerError, setLastServerError] = useState<unknown>();
  const formRef = useRef<HTMLFormElement>(null);

  // Server-side field errors (422) are shown inline next to the fields.
  if (serverError !== lastServerError) {
    setLastServerError(serverError);
    if (isProblem(serverError, 'validation')) {
      const fe: Errors<CheckoutField> = {};
      for (const [path, msg] of Object.entries(serverError.fieldErrors())) {
        const f = apiFieldToFormField(path);
        if (f) fe[f] = msg;
      }
      if (Object.keys(fe).length) setErrors((e) => ({ ...e, ...fe }));
    }
  }

  const set = (f: CheckoutField, raw: string) => {
    const v = f === 'card_number' ? formatCardNumber(raw) : raw;
    const next = { ...values, [f]: v };
    setValues(next);
    if (touched[f] || errors[f]) setErrors((e) => ({ ...e, [f]: validateField(f, next) }));
  };
  const blur = (f: CheckoutField) => {
    setTouched((t) => ({ ...t, [f]: true }));
    setErrors((e) => ({ ...e, [f]: validateField(f, values) }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs = validateCheckout(values);
    setErrors(errs);
    setTouched(Object.fromEntries(CHECKOUT_FIELDS.map((f) => [f, true])));
    const first = CHECKOUT_FIELDS.find((f) => errs[f]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    // the total the shopper is looking at: the server refuses the order (409 price-changed) if it moved
    const { body, card } = toCheckoutRequest(values);
    onSubmit({ ...body, expected_total_cents: cartTotals(cart.items).totalCents }, card, cartFingerprint(cart));
  };

  const fieldProps = (f: CheckoutField) => ({
    name: f,
    label: LABELS[f],
    value: values[f],
    error: errors[f],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => set(f, e.target.value),
    onBlur: () => blur(f),
  });
  const errorCount = CHECKOUT_FIELDS.filter((f) => errors[f]).length;

  return (
    <form ref={formRef} className="checkout-form" onSubmit={submit} noValidate aria-describedby="checkout-note">
      <p id="checkout-note" className="muted">
        Fields marked * are required. Test cards: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 is declined, 4000
        0025 0000 3155 asks your bank to authenticate (3-D Secure). The card goes to the payment provider only.
      </p>
      {errorCount > 0 && (
        <p className="field-error" role="status">
          Please fix {errorCount} {errorCount === 1 ? 'field' : 'fields'} below.
        </p>
      )}
      <fieldset>
        <legend>Contact</legend>
        <Field {...fieldProps('email')} type="email" autoComplete="email" required />
      </fieldset>
      <fieldset>
        <legend>Shipping address</legend>
        <Field {...fieldProps('name')} autoComplete="name" required />
        <Field {...fieldProps('line1')} autoComplete="address-line1" required />
        <Field {...fieldProps('line2')} autoComplete="address-line2" />
        <div className="row">
          <Field {...fieldProps('city')} autoComplete="address-level2" required />
          <Field {...fieldProps('postal_code')} autoComplete="postal-code" required />
        </div>
        <SelectField
          label={LABELS.country}
          name="country"
          value={values.country}
          error={errors.country}
          onChange={(e) => set('country', e.target.value)}
          onBlur={() => blur('country')}
          autoComplete="country"
        >
          {COUNTRIES.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </SelectField>
      </fieldset>
      <fieldset>
        <legend>Payment</legend>
        <Field
          {...fieldProps('card_number')}
          inputMode="numeric"
          autoComplete="cc-number"
          placeholder="4242 4242 4242 4242"
          required
        />
        <div className="row">
          <Field {...fieldProps('expiry')} inputMode="numeric" autoComplete="cc-exp" placeholder="MM/YY" required />
          <Field
            {...fieldProps('cvc')}
            inputMode="numeric"
            autoComplete="cc-csc"
            placeholder="123"
            maxLength={4}
            required
          />
        </div>
      </fieldset>
      <button type="submit" className="btn btn-primary btn-lg btn-block" disabled={submitting}>
        {submitting ? 'Paying…' : 'Place order'}
      </button>
    </form>
  );
}
