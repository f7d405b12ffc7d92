import { describe, expect, it } from '@jest/globals'
import { main, parseArgs } from '../src/cli/main.js'

describe('CLI arguments', () => {
  it('accepts the action input names in both flag forms', () => {
    const args = parseArgs([
      '--application',
      'web',
      '--deployment-group=prod',
      '--summary-file',
      's.md',
      '--verbose'
    ])
    expect(Object.fromEntries(args.inputs)).toEqual({
      application: 'web',
      'deployment-group': 'prod'
    })
    expect(args.summaryFile).toBe('s.md')
    expect(args.verbose).toBe(true)
  })

  it('names an unknown flag and lists the known ones', () => {
    expect(() => parseArgs(['--aplication', 'web'])).toThrow(
      /Unknown flag --aplication. Known inputs: command, application/
    )
  })

  it('refuses a flag without its value', () => {
    expect(() => parseArgs(['--bucket'])).toThrow(/--bucket needs a value/)
  })

  it('exits 2 on bad input before touching AWS', async () => {
    const lines: string[] = []
    const code = await main(
      [
        '--application',
        'web',
        '--deployment-group',
        'prod',
        '--bundle-type',
        'rar',
        '--bucket',
        'b-b-b'
      ],
      l => lines.push(l)
    )
    expect(code).toBe(2)
    expect(lines.join('\n')).toMatch(/Invalid bundle-type 'rar'/)
  })

  it('prints usage with --help', async () => {
    const lines: string[] = []
    expect(await main(['--help'], l => lines.push(l))).toBe(0)
    expect(lines.join('\n')).toMatch(/--deployment-group/)
  })
})
