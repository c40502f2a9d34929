// @vitest-environment node
// The feature layout's import boundaries (eslint.config.js, import-x/no-restricted-paths), checked by linting
// small made-up files in place: each would be a real file at that path, importing real modules.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The boundary errors ESLint reports for `code` as if it were the file at `path` (relative to frontend/). */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('import boundaries', { timeout: 60_000 }, () => {
  it('refuses a feature importing a file inside another feature', async () => {
    const errors = await boundaryErrors(
      'src/features/checkout/Fixture.ts',
      "export { CartSummary } from '../cart/components/CartSummary';\n",
    );
    expect(errors).toEqual([expect.stringContaining('src/features/cart/index.ts')]);
  });

  it("lets a feature use another feature through that feature's index.ts", async () => {
    const errors = await boundaryErrors('src/features/checkout/Fixture.ts', "export { CartSummary } from '../cart';\n");
    expect(errors).toEqual([]);
  });

  it('refuses a page importing another page', async () => {
    const errors = await boundaryErrors(
      'src/features/catalog/routes/Fixture.ts',
      "export { HomePage } from './HomePage';\n",
    );
    expect(errors).toEqual([expect.stringContaining('A page must not import another page')]);
  });

  it('refuses shared code importing a feature', async () => {
    const errors = await boundaryErrors('src/components/Fixture.ts', "export { useCart } from '../features/cart';\n");
    expect(errors).toEqual([expect.stringContaining('Shared code must not depend on a feature')]);
  });

  it('refuses a feature importing the app', async () => {
    const errors = await boundaryErrors(
      'src/features/cart/Fixture.ts',
      "export { AppRoutes } from '../../app/router';\n",
    );
    expect(errors).toEqual([expect.stringContaining('A feature must not import from the app')]);
  });
});
