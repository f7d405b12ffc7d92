import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  {
    // A smell to look at, not a rule to cut by: a file this long is worth a second look.
    files: ['src/**/*.ts', 'local/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] }
  },
  {
    // The engine runs the same under the action and the CLI: it speaks through its Reporter and
    // returns its record, and never reaches up into an adapter or into @actions/*.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@actions/*'], message: 'The engine does not import @actions/*.' },
            {
              group: ['**/action/*', '**/cli/*', '**/main.js', '**/cli.js', '**/aws.js'],
              message: 'The engine does not import the adapters; they import it.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked
  },
  {
    files: ['__tests__/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/explicit-function-return-type': 'off' }
  }
)
