import { useState, type ChangeEvent } from 'react';

export type FormErrors<K extends string> = Partial<Record<K, string>>;

/**
 * Text form state: values, errors, and `field(k)` — the props that bind one `<Field>` (name, value,
 * onChange, error). `onEdit` runs on every change (e.g. to clear a "Saved" note).
 */
export function useForm<K extends string>(initial: Record<K, string> | (() => Record<K, string>), onEdit?: () => void) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FormErrors<K>>({});
  const field = (k: K) => ({
    name: k,
    value: values[k],
    error: errors[k],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      onEdit?.();
      const value = e.target.value;
      setValues((v) => ({ ...v, [k]: value }));
    },
  });
  return { values, errors, setErrors, field };
}
