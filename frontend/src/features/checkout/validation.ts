import { EMAIL_RE } from '../../lib/email';

export interface CheckoutForm {
  email: string;
  name: string;
  line1: string;
  line2: string;
  city: string;
  postal_code: string;
  country: string;
  card_number: string;
  expiry: string; // MM/YY
  cvc: string;
}

export type CheckoutField = keyof CheckoutForm;
export type Errors<K extends string> = Partial<Record<K, string>>;

export function digitsOnly(s: string): string {
  return s.replace(/\D/g, '');
}

/** Luhn checksum over the digits of `num`. */
export function luhnValid(num: string): boolean {
  const d = digitsOnly(num);
  if (d.length < 12 || d.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** Groups card digits by four: "4242424242424242" → "4242 4242 4242 4242". */
export function formatCardNumber(s: string): string {
  return digitsOnly(s)
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Parses "MM/YY" or "MM/YYYY"; null when malformed. */
export function parseExpiry(s: string): { month: number; year: number } | null {
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(s);
  if (!m) return null;
  const month = Number(m[1]);
  let year = Number(m[2]);
  if (year < 100) year += 2000;
  if (month < 1 || month > 12) return null;
  return { month, year };
}

export function validateField(field: CheckoutField, v: CheckoutForm, now = new Date()): string | undefined {
  const val = v[field].trim();
  switch (field) {
    case 'email':
      if (!val) return 'Enter your email address.';
      if (!EMAIL_RE.test(val)) return 'Enter a valid email address, like name@example.com.';
      return;
    case 'name':
      return val ? undefined : 'Enter the recipient’s full name.';
    case 'line1':
      return val ? undefined : 'Enter the street address.';
    case 'line2':
      return;
    case 'city':
      return val ? undefined : 'Enter the city.';
    case 'postal_code':
      if (!val) return 'Enter the postal code.';
      if (!/^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$/.test(val)) return 'Enter a valid postal code.';
      return;
    case 'country':
      return /^[A-Z]{2}$/.test(val) ? undefined : 'Choose a country.';
    case 'card_number':
      if (!digitsOnly(val)) return 'Enter the card number.';
      if (!luhnValid(val)) return 'This card number is not valid — check the digits.';
      return;
    case 'expiry': {
      if (!val) return 'Enter the expiry date as MM/YY.';
      const e = parseExpiry(val);
      if (!e) return 'Enter the expiry date as MM/YY.';
      const endOfMonth = new Date(e.year, e.month, 1);
      if (endOfMonth <= now) return 'This card has expired.';
      return;
    }
    case 'cvc':
      return /^\d{3,4}$/.test(val) ? undefined : 'Enter the 3 or 4 digit security code.';
  }
}

export const CHECKOUT_FIELDS: CheckoutField[] = [
  'email',
  'name',
  'line1',
  'line2',
  'city',
  'postal_code',
  'country',
  'card_number',
  'expiry',
  'cvc',
];

export function validateCheckout(v: CheckoutForm, now = new Date()): Errors<CheckoutField> {
  const errors: Errors<CheckoutField> = {};
  for (const f of CHECKOUT_FIELDS) {
    const e = validateField(f, v, now);
    if (e) errors[f] = e;
  }
  return errors;
}

/** Maps the API's dotted field paths onto form fields. */
export function apiFieldToFormField(path: string): CheckoutField | undefined {
  const map: Record<string, CheckoutField> = {
    email: 'email',
    'shipping_address.name': 'name',
    'shipping_address.line1': 'line1',
    'shipping_address.line2': 'line2',
    'shipping_address.city': 'city',
    'shipping_address.postal_code': 'postal_code',
    'shipping_address.country': 'country',
    'payment.card_number': 'card_number',
    'payment.exp_month': 'expiry',
    'payment.exp_year': 'expiry',
    'payment.cvc': 'cvc',
  };
  return map[path];
}
