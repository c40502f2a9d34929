// ESLint flat config: TypeScript (type-aware), React hooks, accessibility of JSX, no import cycles, and the
// import boundaries of the feature layout (below). Formatting is Prettier's job (`npm run format:check`), so
// no stylistic rules here.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('.', import.meta.url));
const features = readdirSync(new URL('src/features', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

// Who may import whom. Shared code (components, lib, testing) knows no feature; a feature never reaches up
// into the app; a feature uses another only through that feature's index.ts (its public API), so its files
// can move without breaking the others; and a page never imports another page (what two pages share is a
// component). The app (router, layout) may import any feature's pages.
const boundaries = [
  {
    target: ['./src/components', './src/lib', './src/testing'],
    from: ['./src/features', './src/app'],
    message: 'Shared code must not depend on a feature or the app: move what it needs into shared code.',
  },
  {
    target: './src/features',
    from: './src/app',
    message: 'A feature must not import from the app.',
  },
  ...features.flatMap((f) =>
    features
      .filter((g) => g !== f)
      .map((g) => ({
        target: `./src/features/${f}`,
        from: `./src/features/${g}`,
        except: ['./index.ts'],
        message: `Import what '${f}' needs of '${g}' from src/features/${g}/index.ts (export it there), not from its files.`,
      })),
  ),
  ...features.map((f) => ({
    target: `./src/features/${f}/routes`,
    from: `./src/features/${f}/routes`,
    message: 'A page must not import another page: move what they share into components/.',
  })),
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'e2e/artifacts/', 'src/lib/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks, 'jsx-a11y': jsxA11y, 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.d.ts'] })],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      'react-hooks/exhaustive-deps': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-duplicates': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: boundaries }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // e2e scripts run in node and hand functions to the page (page.evaluate): both sets of globals
    files: ['e2e/**/*.mjs', '*.config.{js,ts}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
