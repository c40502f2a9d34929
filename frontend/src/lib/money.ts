const formatters = new Map<string, Intl.NumberFormat>();

export function defaultLocale(): string {
  return (typeof navigator !== 'undefined' && navigator.language) || 'en-US';
}

/** Formats integer minor units (cents) as a localized currency string. */
export function formatMoney(cents: number, currency = 'USD', locale = defaultLocale()): string {
  const key = `${locale}|${currency}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, f);
  }
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(cents / 10 ** digits);
}

/** Parses a user-typed amount ("12.5", "12,50") into cents; null when not a valid amount. */
export function parseAmountToCents(input: string): number | null {
  const s = input.trim().replace(',', '.');
  if (!/^\d+(\.\d{0,2})?$/.test(s)) return null;
  return Math.round(parseFloat(s) * 100);
}
