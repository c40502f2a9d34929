import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, isProblem } from '../../../lib/api/client';
import { useCreateProduct, useSetStock, useUpdateProduct, useUploadImage } from '../api/mutations';
import { useInventoryAudit } from '../api/queries';
import type { AuditEntry, Product } from '../../../lib/api/types';
import { DataTable, type Column } from '../../../components/DataTable';
import { formatDate } from '../../../lib/date';
import { productPath, useProduct } from '../../catalog';
import { ErrorBox, Field, ProductImage, QueryState, Spinner } from '../../../components/ui';
import { formatMoney, parseAmountToCents } from '../../../lib/money';
import { useForm, type FormErrors } from '../../../lib/form';
import { useDocumentTitle, useResettableState } from '../../../lib/hooks';

interface ProductFormValues {
  sku: string;
  name: string;
  description: string;
  category: string;
  price: string;
  available: string;
  seo_title: string;
  seo_description: string;
}

// Search engines cut titles and descriptions past these lengths; the API refuses longer ones.
export const SEO_TITLE_MAX = 70;
export const SEO_DESCRIPTION_MAX = 160;

export function validateProductForm(v: ProductFormValues, creating: boolean): FormErrors<keyof ProductFormValues> {
  const e: FormErrors<keyof ProductFormValues> = {};
  if (creating && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v.sku.trim()))
    e.sku = 'Use letters, digits, dot, dash or underscore.';
  if (!v.name.trim()) e.name = 'Enter a name.';
  if (!v.category.trim()) e.category = 'Enter a category.';
  const cents = parseAmountToCents(v.price);
  if (cents === null) e.price = 'Enter a price like 19.99.';
  if (creating && !/^\d+$/.test(v.available.trim())) e.available = 'Enter a whole number, 0 or more.';
  if (v.seo_title.trim().length > SEO_TITLE_MAX) e.seo_title = `Use at most ${SEO_TITLE_MAX} characters.`;
  if (v.seo_description.trim().length > SEO_DESCRIPTION_MAX)
    e.seo_description = `Use at most ${SEO_DESCRIPTION_MAX} characters.`;
  return e;
}

function ProductForm({ product }: { product?: Product }) {
  const creating = !product;
  const navigate = useNavigate();
  const create = useCreateProduct();
  const update = useUpdateProduct(product?.id ?? 0);
  const mutation = creating ? create : update;
  const [saved, setSaved] = useState(false);
  const form = useForm<keyof ProductFormValues>(
    () => ({
      sku: product?.sku ?? '',
      name: product?.name ?? '',
      description: product?.description ?? '',
      category: product?.category ?? '',
      price: product ? (product.price_cents / 100).toFixed(2) : '',
      available: '0',
      seo_title: product?.seo_title ?? '',
      seo_description: product?.seo_description ?? '',
    }),
    () => setSaved(false),
  );
  const { values: v, setErrors } = form;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs = validateProductForm(v, creating);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const base = {
      name: v.name.trim(),
      description: v.description.trim(),
      category: v.category.trim(),
      price_cents: parseAmountToCents(v.price)!,
    };
    const onError = (err: unknown) => {
      if (err instanceof ApiError) {
        const fe = err.fieldErrors();
        setErrors({
          sku: fe.sku ?? (isProblem(err, 'duplicate-sku', 'conflict') ? 'This SKU already exists.' : undefined),
          name: fe.name,
          category: fe.category,
          price: fe.price_cents,
          available: fe.available,
          seo_title: fe.seo_title,
          seo_description: fe.seo_description,
        });
      }
    };
    if (creating)
      create.mutate(
        { ...base, sku: v.sku.trim(), available: Number(v.available) },
        { onSuccess: (p) => navigate(`/admin/products/${p.id}`, { replace: true }), onError },
      );
    else
      update.mutate(
        // Blank clears a field: the shop then shows the name and the description's start.
        { ...base, seo_title: v.seo_title.trim(), seo_description: v.seo_description.trim() },
        { onSuccess: () => setSaved(true), onError },
      );
  };

  return (
    <form onSubmit={submit} noValidate className="admin-form" aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      {mutation.isError && <ErrorBox error={mutation.error} title="Could not save the product" />}
      {creating ? (
        <Field label="SKU" required {...form.field('sku')} />
      ) : (
        <p className="muted">
          SKU <code>{product.sku}</code>
        </p>
      )}
      <Field label="Name" required {...form.field('name')} />
      <div className="field">
        <label htmlFor="description">Description</label>
        <textarea
          id="description"
          name="description"
          rows={4}
          value={v.description}
          onChange={form.field('description').onChange}
        />
      </div>
      <div className="row">
        <Field label="Category" required {...form.field('category')} />
        <Field label="Price (USD)" inputMode="decimal" required {...form.field('price')} />
      </div>
      {creating && <Field label="Initial stock" inputMode="numeric" required {...form.field('available')} />}
      {!creating && (
        <fieldset>
          <legend>Search engines and link previews</legend>
          <Field
            label="SEO title"
            hint={`Up to ${SEO_TITLE_MAX} characters. Blank: the product's name.`}
            {...form.field('seo_title')}
          />
          <Field
            label="SEO description"
            hint={`Up to ${SEO_DESCRIPTION_MAX} characters. Blank: the start of the description.`}
            {...form.field('seo_description')}
          />
        </fieldset>
      )}
      <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
        {mutation.isPending ? 'Saving…' : creating ? 'Create product' : 'Save changes'}
      </button>
      <p aria-live="polite" className="success">
        {saved ? 'Saved.' : ''}
      </p>
    </form>
  );
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
const MAX_IMAGE = 5 * 1024 * 1024;

function ImageUpload({ product }: { product: Product }) {
  const upload = useUploadImage(product.id);
  const [chosen, setChosen] = useState<{ file: File; preview: string } | null>(null);
  const [error, setError] = useState<string>();
  const [inputKey, setInputKey] = useState(0);
  // the object URL lives as long as its choice
  useEffect(
    () => () => {
      if (chosen) URL.revokeObjectURL(chosen.preview);
    },
    [chosen],
  );
  const file = chosen?.file ?? null;
  const preview = chosen?.preview ?? null;
  const setFile = (f: File | null) => setChosen(f ? { file: f, preview: URL.createObjectURL(f) } : null);

  const choose = (f: File | null) => {
    upload.reset();
    setError(undefined);
    if (f && !IMAGE_TYPES.includes(f.type)) {
      setFile(null);
      return setError('Choose a PNG, JPEG, WebP or GIF image.');
    }
    if (f && f.size > MAX_IMAGE) {
      setFile(null);
      return setError('The image must be 5 MB or smaller.');
    }
    setFile(f);
  };

  return (
    <section aria-labelledby="image-title" className="admin-panel">
      <h2 id="image-title">Image</h2>
      <div className="image-row">
        <figure>
          <ProductImage
            src={product.image_url}
            alt={`Current image of ${product.name}`}
            width={160}
            height={160}
            className="thumb-lg"
          />
          <figcaption>Current</figcaption>
        </figure>
        {preview && (
          <figure>
            <img src={preview} alt="Preview of the chosen file" width={160} height={160} className="thumb-lg" />
            <figcaption>Preview</figcaption>
          </figure>
        )}
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (file)
            upload.mutate(file, {
              onSuccess: () => {
                setFile(null);
                setInputKey((k) => k + 1); // clear the file input
              },
            });
        }}
      >
        <div className="field">
          <label htmlFor="image-file">Choose image</label>
          <input
            key={inputKey}
            id="image-file"
            type="file"
            accept={IMAGE_TYPES.join(',')}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'image-error' : 'image-hint'}
            onChange={(e) => choose(e.target.files?.[0] ?? null)}
          />
          <p id="image-hint" className="hint">
            PNG, JPEG, WebP or GIF, up to 5 MB.
          </p>
          {error && (
            <p id="image-error" className="field-error">
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="btn btn-primary" disabled={!file || upload.isPending}>
          {upload.isPending ? 'Uploading…' : 'Upload image'}
        </button>
      </form>
      <div aria-live="polite">{upload.isSuccess && <p className="success">Image uploaded.</p>}</div>
      {upload.isError && <ErrorBox error={upload.error} title="Upload failed" />}
    </section>
  );
}

const AUDIT_COLUMNS: Column<AuditEntry>[] = [
  { header: 'When', cell: (e) => formatDate(e.at) },
  { header: 'Who', cell: (e) => e.actor_email },
  { header: 'From', cell: (e) => e.old_available },
  { header: 'To', cell: (e) => e.new_available },
];

function StockPanel({ product }: { product: Product }) {
  const setStock = useSetStock(product.id, product.sku);
  const audit = useInventoryAudit(product.sku);
  const [value, setValue] = useResettableState(String(product.available));
  const [error, setError] = useState<string>();
  return (
    <section aria-labelledby="stock-title" className="admin-panel">
      <h2 id="stock-title">Stock</h2>
      <p>
        Available now: <strong data-testid="admin-available">{product.available}</strong>
      </p>
      <form
        className="row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!/^\d+$/.test(value.trim())) return setError('Enter a whole number, 0 or more.');
          setError(undefined);
          setStock.mutate(Number(value));
        }}
      >
        <div className="field">
          <label htmlFor="stock-available">Set available stock</label>
          <input
            id="stock-available"
            inputMode="numeric"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'stock-error' : undefined}
          />
          {error && (
            <p id="stock-error" className="field-error">
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="btn btn-primary" disabled={setStock.isPending}>
          {setStock.isPending ? 'Saving…' : 'Set stock'}
        </button>
      </form>
      <div aria-live="polite">
        {setStock.isSuccess && <p className="success">Stock set to {setStock.data.available}.</p>}
      </div>
      {setStock.isError && <ErrorBox error={setStock.error} title="Could not set stock" />}
      <h3>Stock history</h3>
      <QueryState query={audit} loadingLabel="Loading stock history…">
        {(a) =>
          a.items.length === 0 ? (
            <p className="muted">No stock changes yet.</p>
          ) : (
            <DataTable
              caption="Stock history"
              className="admin-table"
              columns={AUDIT_COLUMNS}
              rows={a.items}
              rowKey={(e, i) => `${e.at}-${i}`}
            />
          )
        }
      </QueryState>
    </section>
  );
}

export function AdminProductEdit() {
  const { id } = useParams();
  const pid = Number(id);
  const creating = !id;
  const product = useProduct(creating ? 0 : pid);
  useDocumentTitle(creating ? 'Admin · New product' : `Admin · ${product.data?.name ?? 'Product'}`);
  if (creating)
    return (
      <section aria-labelledby="edit-title">
        <h1 id="edit-title">New product</h1>
        <ProductForm />
      </section>
    );
  if (product.isPending) return <Spinner label="Loading product…" />;
  if (product.isError) return <ErrorBox error={product.error} onRetry={() => void product.refetch()} />;
  const p = product.data;
  return (
    <section aria-labelledby="edit-title">
      <div className="results-header">
        <h1 id="edit-title">Edit {p.name}</h1>
        <p>
          <Link to={productPath(p)}>View in shop</Link> · {formatMoney(p.price_cents, p.currency)}
        </p>
      </div>
      <div className="admin-edit-grid">
        <ProductForm key={p.id} product={p} />
        <div>
          <ImageUpload product={p} />
          <StockPanel product={p} />
        </div>
      </div>
    </section>
  );
}
