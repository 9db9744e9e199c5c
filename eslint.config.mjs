// ESLint (flat config) with typescript-eslint's type-aware rules, run by `npm run lint` inside
// `npm test`. Deliberately narrow: the rules that catch bugs the type checker lets through. No
// formatting rules: formatting is Prettier's (`npm run format`; `npm test` checks it).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '.dist-*/**', 'node_modules/**', 'data/**', 'bench/**', 'docs/**', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  {
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'libs/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and
      // its ordering; mark a deliberate fire-and-forget with `void`.
      '@typescript-eslint/no-floating-promises': 'error',
      // A switch over a union names every member (or says why not with a default), so a new
      // event type, role or status cannot fall through unnoticed.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
);
