// ESLint (run by `npm run lint`, part of `npm test`): typescript-eslint's strict rules with type
// information from both tsconfigs, React's hooks rules for the renderer, plain JavaScript rules for the
// few .mjs scripts. A rule is turned off here only with the reason next to it.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'release/',
      'test-results/',
      'playwright-report/',
      // Generated from Kafka's message definitions by scripts/generate-protocol.ts, whose output is
      // checked by a staleness test; the generator is linted instead.
      'electron/kafka/protocol/generated/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The renderer (and its tests) have their own tsconfig with the DOM library.
        project: ['./tsconfig.json', './renderer/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      // Numbers, booleans and null read as meant in messages ("exited with null"); objects, unknown and
      // any stay refused, which is where "[object Object]" comes from.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // `(x) => resolve(x)` is the callback idiom everywhere here; void inside other expressions stays refused.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // With noUncheckedIndexedAccess every index read is optional; `!` marks the ones the code has
      // established (bounds checked, just set), and tsc still checks everything around them.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      // Says only that React Compiler would skip a component (here: useVirtualizer); the app does not use the compiler.
      'react-hooks/incompatible-library': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
);
