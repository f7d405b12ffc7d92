/**
 * What the listing refuses, warns about and leaves out: odd names and links, files that look like
 * secrets, `.codedeployignore` files at any depth, unreadable files.
 */
import { describe, expect, it } from '@jest/globals'
import { listEntries } from '../src/engine/revision/bundle/index.js'
import { translate } from '../src/engine/revision/bundle/read.js'
import { InputError } from '../src/engine/errors.js'
import { tempTree, type Tree } from './helpers/revisions.js'

const APPSPEC = { 'appspec.yml': 'version: 0.0\nos: linux\n' }

async function listed(tree: Tree): Promise<Awaited<ReturnType<typeof listEntries>>> {
  return listEntries(await tempTree({ ...APPSPEC, ...tree }))
}

const names = (listing: Awaited<ReturnType<typeof listEntries>>): string[] =>
  listing.entries.map(e => e.rel)

describe('the listing refuses', () => {
  it('a symlink loop, naming the link', async () => {
    const promise = listed({ 'site/a': { link: 'b' }, 'site/b': { link: 'a' } })
    await expect(promise).rejects.toThrow(InputError)
    await expect(promise).rejects.toThrow(/Link site\/a -> b loops/)
  })

  it.each(['new\nline.html', 'tab\there', 'bell\u0007'])(
    'a file name with a control character (%j), naming the file',
    async name => {
      const promise = listed({ [`site/${name}`]: 'x' })
      await expect(promise).rejects.toThrow(InputError)
      await expect(promise).rejects.toThrow(JSON.stringify(`site/${name}`))
      await expect(promise).rejects.toThrow(/has a control character .* Rename it/)
    }
  )

  it('names an unreadable file and suggests .codedeployignore', () => {
    const error = Object.assign(new Error('EACCES: permission denied'), {
      code: 'EACCES',
      path: '/src/site/secret.key'
    })
    const translated = translate(
      error,
      { rel: 'site/secret.key', abs: '/src/site/secret.key' },
      '/src'
    )
    expect(translated).toBeInstanceOf(InputError)
    expect((translated as Error).message).toMatch(
      /Cannot read site\/secret.key in \/src \(permission denied\).*add it to \.codedeployignore/
    )
  })
})

describe('the listing warns, by name, and still packages', () => {
  it('a dangling link', async () => {
    const listing = await listed({ 'site/gone': { link: 'missing.html' } })
    expect(names(listing)).toContain('site/gone')
    expect(listing.warnings).toEqual([
      expect.objectContaining({
        rel: 'site/gone',
        message: expect.stringMatching(/Link site\/gone -> missing.html points at nothing/)
      })
    ])
  })

  it('a link into .git or into what .codedeployignore leaves out', async () => {
    const listing = await listed({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.codedeployignore': 'private/\n',
      'private/notes.txt': 'x',
      head: { link: '.git/HEAD' },
      'site/notes': { link: '../private/notes.txt' }
    })
    expect(listing.warnings.map(w => w.rel)).toEqual(['head', 'site/notes'])
    expect(listing.warnings[0]!.message).toMatch(/points at \.git\/HEAD, which is left out/)
    expect(listing.warnings[1]!.message).toMatch(/points at private\/notes.txt, which is left out/)
  })

  it.each([
    ['.env', 'an environment file'],
    ['config/.env.production', 'an environment file'],
    ['certs/server.pem', 'a key or certificate store'],
    ['deploy/id_rsa', 'an SSH private key'],
    ['.npmrc', 'a credentials file']
  ])('a file that looks like a secret: %s, with the line that leaves it out', async (rel, what) => {
    const listing = await listed({ [rel]: 'secret' })
    expect(listing.warnings).toEqual([
      {
        rel,
        title: 'Looks like a secret',
        message: expect.stringContaining(`${rel} looks like ${what}`) as unknown as string
      }
    ])
    expect(listing.warnings[0]!.message).toContain(`add the line '/${rel}' to .codedeployignore`)
  })

  it('but not an example environment file', async () => {
    expect((await listed({ '.env.example': 'KEY=' })).warnings).toEqual([])
  })
})

describe('.codedeployignore files', () => {
  it('apply to their own directory and below, as .gitignore files do', async () => {
    const listing = await listed({
      '.codedeployignore': '*.log\n',
      'site/.codedeployignore': 'drafts/\n!keep.log\n',
      'site/drafts/a.html': 'x',
      'site/keep.log': 'x',
      'site/debug.log': 'x',
      'site/index.html': 'x',
      'other/drafts/b.html': 'x',
      'other/run.log': 'x'
    })
    expect(names(listing)).toEqual([
      'appspec.yml',
      'other',
      'other/drafts',
      'other/drafts/b.html',
      'site',
      'site/index.html',
      'site/keep.log'
    ])
  })

  it('cannot bring back a file inside a directory a shallower file leaves out', async () => {
    const listing = await listed({
      '.codedeployignore': 'cache/\n',
      'cache/.codedeployignore': '!*\n',
      'cache/data.bin': 'x'
    })
    expect(names(listing)).toEqual(['appspec.yml'])
    expect(listing.rules.excludes('cache/data.bin', false)).toBe(true)
  })
})
