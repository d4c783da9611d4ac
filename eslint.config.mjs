// Lint: typed rules (a forgotten await on an activity or update is a real bug)
// and the import directions of DESIGN.md's layout, checked here rather than by memory.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'crypto',
  'child_process',
  'net',
  'http',
  'https',
  'process',
  'worker_threads',
];

/** `@typescript-eslint/no-restricted-imports` with type-only imports allowed. */
const restrict = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    { patterns: patterns.map((p) => ({ ...p, allowTypeImports: p.allowTypeImports ?? true })) },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'db/migrations/**', 'test/histories/**', '.mutual-aid/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The contract is imported by clients and workflows alike: Temporal's workflow API and types only.
    files: ['workflows/contract.ts'],
    rules: restrict([
      {
        regex: '^(?!@temporalio/workflow$|\\.\\./domain/)',
        message: 'contract.ts may import @temporalio/workflow and domain types only.',
      },
    ]),
  },
  {
    // Workflow code is replayed: deterministic, no I/O, activities by type only.
    files: ['workflows/**/*.ts'],
    ignores: [
      'workflows/contract.ts',
      'workflows/worker.ts',
      'workflows/client.ts',
      'workflows/acting.ts',
      'workflows/capacity-client.ts',
      'workflows/patient-requests.ts',
      'workflows/waiting-list-import.ts',
      'workflows/bulk-listing.ts',
      'workflows/journey-start.ts',
      'workflows/schedules.ts',
      'workflows/config.ts',
      'workflows/activities/**',
    ],
    rules: restrict([
      {
        group: NODE_BUILTINS,
        message: 'Workflow code must be deterministic: no Node built-ins.',
        allowTypeImports: false,
      },
      {
        group: [
          '@temporalio/client',
          '@temporalio/worker',
          '@temporalio/activity',
          'pg',
          'drizzle-orm',
          'drizzle-orm/*',
        ],
        message: 'Workflow code cannot do I/O: use an activity.',
        allowTypeImports: false,
      },
      {
        group: ['**/activities', '**/activities/*', '**/db/*', '**/bot/*'],
        message: 'Workflows import activities and db types with `import type` only.',
      },
    ]),
  },
  {
    files: ['workflows/activities/**/*.ts'],
    rules: restrict([
      {
        group: ['@temporalio/client', '@temporalio/worker', '@temporalio/workflow'],
        message: 'Activities use @temporalio/activity only.',
        allowTypeImports: false,
      },
      {
        group: ['**/bot/*', '**/journey/*'],
        message: 'Activities get chat senders injected; they do not import the bot or workflow code.',
      },
    ]),
  },
  {
    files: ['db/**/*.ts'],
    rules: restrict([
      {
        group: ['@temporalio/*', '**/workflows/*', '**/bot/*'],
        message: 'db/ holds schema and queries: drizzle-orm and pg only.',
      },
    ]),
  },
  {
    // Pure domain code: importable from workflows, activities and the bot alike.
    files: ['domain/**/*.ts'],
    rules: restrict([
      {
        group: [...NODE_BUILTINS, 'pg', 'drizzle-orm', 'drizzle-orm/*', '@temporalio/*'],
        message: 'domain/ is pure: no I/O, no Temporal.',
        allowTypeImports: false,
      },
      { group: ['**/db/*', '**/workflows/*', '**/bot/*'], message: 'domain/ depends on nothing of ours.' },
    ]),
  },
  {
    // The bot talks to journeys through the client and the contract, never the workflow internals.
    files: ['bot/**/*.ts'],
    rules: restrict([
      {
        group: ['@temporalio/worker', '@temporalio/workflow', '**/workflows/journey/*', '**/workflows/activities/*'],
        message: 'The bot reaches journeys through workflows/client and workflows/contract.',
        allowTypeImports: false,
      },
    ]),
  },
);
