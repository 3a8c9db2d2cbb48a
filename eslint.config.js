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
      // `(x) => resolve(x)` and `return callback(error)` in void functions are idioms here; void used as a value stays refused.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // TypeScript narrows fields as if nothing ran during an await or a callback (`this.closed`), and
      // the wire code checks typed values again where they come from outside, on purpose.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `async` marks functions that fulfil a Promise-returning contract (probes, hooks, test doubles): a throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // Topic configs and SCRAM users are plain JSON records, stored as they are; deleting a key is how they change.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // IPC calls answer with a result and never reject; the async handlers in JSX show the error themselves.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
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
      // zustand actions are closures typed with method syntax in the slices; none uses `this`.
      '@typescript-eslint/unbound-method': 'off',
      // React Compiler's rules; the app does not use the compiler, and its latest-value refs and
      // state reset on a prop change are deliberate (to revisit with the compiler).
      'react-hooks/refs': 'off',
      'react-hooks/set-state-in-effect': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read JSON answers (REST, CLI output) and untyped client internals (kafkajs) and check them with expect at run time.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
);
