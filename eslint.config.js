import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The engine's folders, each with the folders it must not import: the directions in which its
 * questions lean on each other. The kernel (the top-level clock, errors, cancellation and
 * reporter) imports no folder; ports.ts the gateway only; aws/ (the gateway) and inputs/ none of
 * the others; tell/ (the record and what is said from it) inputs/ only; revision/ and follow/
 * tell/, inputs/ and aws/; deploy/ also follow/; end/ also deploy/; run.ts everything.
 */
const ENGINE_FOLDERS = ['aws', 'inputs', 'tell', 'revision', 'follow', 'deploy', 'end']
const FORBIDDEN = {
  aws: ['inputs', 'tell', 'revision', 'follow', 'deploy', 'end', 'ports', 'run'],
  inputs: ['aws', 'tell', 'revision', 'follow', 'deploy', 'end', 'ports', 'run'],
  tell: ['aws', 'revision', 'follow', 'deploy', 'end', 'ports', 'run'],
  revision: ['follow', 'deploy', 'end', 'run'],
  follow: ['revision', 'deploy', 'end', 'run'],
  deploy: ['revision', 'end', 'run'],
  end: ['revision', 'run']
}
const KERNEL = ['clock', 'errors', 'cancellation', 'reporter']

/** What no engine file may import: @actions/* (statically or with import()) and the adapters. */
const ENGINE_BOUNDARY = [
  { group: ['@actions/*'], message: 'The engine does not import @actions/*.' },
  {
    group: ['**/action/*', '**/cli/*', '**/main.js', '**/cli.js', '**/aws.js', '**/local/**'],
    message: 'The engine does not import the adapters or the local stack; they import it.'
  }
]

function forbidding(names, message) {
  const group = names.flatMap(name =>
    ENGINE_FOLDERS.includes(name) ? [`**/${name}/*`, `**/${name}/**`] : [`**/${name}.js`]
  )
  return { group, message }
}

function engineRules() {
  const dynamicActions = [
    'error',
    {
      selector: 'ImportExpression[source.value=/^@actions\\//]',
      message: 'The engine does not import @actions/*, not even with import().'
    }
  ]
  const rule = patterns => ({
    'no-restricted-imports': ['error', { patterns: [...ENGINE_BOUNDARY, ...patterns] }],
    'no-restricted-syntax': dynamicActions
  })
  return [
    // The engine runs the same under the action and the CLI: it speaks through its Reporter and
    // returns its record, and never reaches up into an adapter or into @actions/*.
    { files: ['src/engine/**/*.ts'], rules: rule([]) },
    ...Object.entries(FORBIDDEN).map(([folder, names]) => ({
      files: [`src/engine/${folder}/**/*.ts`],
      rules: rule([forbidding(names, `src/engine/${folder}/ does not import ${names.join(', ')}.`)])
    })),
    {
      files: KERNEL.map(name => `src/engine/${name}.ts`),
      rules: rule([
        forbidding([...ENGINE_FOLDERS, 'ports', 'run'], 'The kernel imports none of the folders.')
      ])
    },
    {
      files: ['src/engine/ports.ts'],
      rules: rule([
        forbidding(
          ENGINE_FOLDERS.filter(f => f !== 'aws').concat('run'),
          'ports.ts imports the gateway and the kernel only.'
        )
      ])
    }
  ]
}

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
  ...engineRules(),
  {
    // src/ and the local stack never import each other: the stack stands in for AWS.
    files: ['local/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src/**'], message: 'local/ does not import src/.' }] }
      ]
    }
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/local/**'], message: 'src/ does not import local/.' }] }
      ]
    }
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/explicit-function-return-type': 'off' }
  },
  {
    files: ['__tests__/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/explicit-function-return-type': 'off' }
  }
)
