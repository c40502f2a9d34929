// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Ok, Body, ProductPage, Product, Cart, Order, StartCheckout, CheckoutStarted, OpsSummary } from './types';

const spec = fileURLToPath(new URL('../../../../backend/openapi.json', import.meta.url));
const generated = fileURLToPath(new URL('./schema.d.ts', import.meta.url));

describe('API types follow the backend OpenAPI document', () => {
  it('resolves response and request types from the spec (not never/unknown)', () => {
    expectTypeOf<Ok<'/api/products', 'get'>>().toEqualTypeOf<ProductPage>();
    expectTypeOf<Ok<'/api/products/{id}', 'get'>>().toEqualTypeOf<Product>();
    expectTypeOf<Ok<'/api/cart', 'get'>>().toEqualTypeOf<Cart>();
    expectTypeOf<Ok<'/api/admin/ops/summary', 'get'>>().toEqualTypeOf<OpsSummary>();
    expectTypeOf<Body<'/api/checkout', 'post'>>().toEqualTypeOf<StartCheckout>();
    expectTypeOf<Ok<'/api/checkout', 'post'>>().toEqualTypeOf<CheckoutStarted>();
    expectTypeOf<Order>().toExtend<Ok<'/api/checkout/complete', 'post'>>();
    expectTypeOf<Ok<'/api/auth/logout', 'post'>>().toEqualTypeOf<void>();
  });

  it.skipIf(!existsSync(spec))(
    'schema.d.ts is regenerated from backend/openapi.json (npm run gen:api)',
    async () => {
      // same CLI and flags as `npm run gen:api`, into a temp file
      const out = join(mkdtempSync(join(tmpdir(), 'ecomm-gen-')), 'schema.d.ts');
      const cli = fileURLToPath(new URL('../../../node_modules/openapi-typescript/bin/cli.js', import.meta.url));
      execFileSync(process.execPath, [cli, spec, '-o', out], { stdio: 'pipe' });
      const fresh = readFileSync(out, 'utf8');
      const committed = readFileSync(generated, 'utf8');
      expect(committed, 'src/lib/api/schema.d.ts is stale: run `npm run gen:api`').toBe(fresh);
    },
    30_000,
  );
});
