// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SHELL_AND_UI = ['**/electron/**', '**/renderer/**', 'electron', 'react', 'react-dom'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Layering (docs/architecture.md): the engine never imports the shell or the UI.
    files: ['engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: SHELL_AND_UI }] },
  },
  {
    // engine/workflow and engine/expr also run in the renderer: no Node modules, no lower layers.
    files: ['engine/workflow/**/*.ts', 'engine/expr/**/*.ts'],
    ignores: ['**/*.test.ts', 'engine/workflow/load-file.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: SHELL_AND_UI, message: 'the engine never imports the shell or the UI' },
            { group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'shared with the renderer' },
            {
              group: ['**/run/**', '**/lua/**', '**/actions/**', '**/serve/**'],
              message: 'lower layer only',
            },
          ],
        },
      ],
    },
  },
);
