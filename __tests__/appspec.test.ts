import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { checkAppSpec, suggest } from '../src/engine/revision/appspec/index.js'
import { AppSpecError, InputError } from '../src/engine/errors.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'appspec-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

type Tree = Record<string, string | { content: string; mode: number }>

async function write(root: string, tree: Tree): Promise<void> {
  for (const [rel, value] of Object.entries(tree)) {
    const file = path.join(root, rel)
    await mkdir(path.dirname(file), { recursive: true })
    const { content, mode } = typeof value === 'string' ? { content: value, mode: 0o755 } : value
    await writeFile(file, content)
    await chmod(file, mode)
  }
}

const scripts: Tree = {
  'scripts/start.sh': '#!/bin/sh\necho start\n',
  'scripts/stop.sh': '#!/bin/sh\necho stop\n',
  'scripts/check.ps1': 'Write-Output ok\n',
  'site/index.html': '<h1>hi</h1>\n'
}

/** 1-based line and column of the first occurrence of `needle` (plus `shift` characters). */
function positionOf(text: string, needle: string, shift = 0): { line: number; column: number } {
  const at = text.indexOf(needle)
  if (at < 0) throw new Error(`fixture does not contain ${needle}`)
  const before = text.slice(0, at + shift).split('\n')
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 }
}

async function failure(appspec: string, extra: Tree = {}): Promise<AppSpecError> {
  await write(dir, { ...scripts, ...extra, 'appspec.yml': { content: appspec, mode: 0o644 } })
  try {
    await checkAppSpec(dir)
  } catch (error) {
    expect(error).toBeInstanceOf(AppSpecError)
    return error as AppSpecError
  }
  throw new Error('checkAppSpec accepted the appspec')
}

/** Asserts the error points at `needle` in the appspec, and that the message holds every part. */
async function expectError(
  appspec: string,
  needle: string | [string, number],
  parts: (string | RegExp)[],
  extra: Tree = {}
): Promise<void> {
  const error = await failure(appspec, extra)
  const [text, shift] = typeof needle === 'string' ? [needle, 0] : needle
  const { line, column } = positionOf(appspec, text, shift)
  expect({ line: error.line, column: error.column }).toEqual({ line, column })
  expect(error.file).toBe(path.join(dir, 'appspec.yml'))
  expect(error.message.startsWith(`appspec.yml:${line}:${column}: `)).toBe(true)
  for (const part of parts) expect(error.message).toMatch(part)
}

const head = 'version: 0.0\nos: linux\n'

describe('finding the appspec', () => {
  it('names a source directory that does not exist', async () => {
    const missing = path.join(dir, 'nope')
    await expect(checkAppSpec(missing)).rejects.toThrow(InputError)
    await expect(checkAppSpec(missing)).rejects.toThrow(/nope.*does not exist.*Set 'source'/)
  })

  it('refuses a file as the source', async () => {
    await write(dir, { 'file.txt': 'x' })
    await expect(checkAppSpec(path.join(dir, 'file.txt'))).rejects.toThrow(
      /is a file, not a directory/
    )
  })

  it('refuses an empty source', async () => {
    await expect(checkAppSpec(dir)).rejects.toThrow(/is empty.*Check out or build/)
  })

  it('says where a nested appspec is and what to set source to', async () => {
    await write(dir, { 'app/appspec.yml': head, 'README.md': 'x' })
    await expect(checkAppSpec(dir)).rejects.toThrow(
      `found app/appspec.yml: set source to '${dir}/app'`
    )
  })

  it('builds the suggested source from the source as given', async () => {
    await write(dir, { 'build/deep/app/appspec.yaml': head, 'build/x': 'x' })
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      await expect(checkAppSpec('build')).rejects.toThrow(
        "found deep/app/appspec.yaml: set source to 'build/deep/app'"
      )
    } finally {
      process.chdir(cwd)
    }
  })

  it('catches a wrongly cased name', async () => {
    await write(dir, { 'AppSpec.yml': head })
    await expect(checkAppSpec(dir)).rejects.toThrow(
      /Found 'AppSpec.yml'.*lower case.*git mv AppSpec.yml appspec.yml/
    )
  })

  it('refuses both appspec.yml and appspec.yaml', async () => {
    await write(dir, { 'appspec.yml': head, 'appspec.yaml': head })
    await expect(checkAppSpec(dir)).rejects.toThrow(
      /both appspec.yml and appspec.yaml.*Delete the other/
    )
  })

  it('says so when there is no appspec at all', async () => {
    await write(dir, { 'index.html': 'x' })
    await expect(checkAppSpec(dir)).rejects.toThrow(/No appspec.yml at the root.*Add one/)
  })

  it('refuses a .codedeployignore that excludes the appspec', async () => {
    await write(dir, { 'appspec.yml': head, '.codedeployignore': '*.yml\n' })
    await expect(checkAppSpec(dir)).rejects.toThrow(
      /\.codedeployignore excludes appspec.yml.*'!appspec.yml'/
    )
  })

  it('accepts appspec.yaml', async () => {
    await write(dir, { 'appspec.yaml': head })
    const checked = await checkAppSpec(dir)
    expect(checked.fileName).toBe('appspec.yaml')
    expect(checked.path).toBe(path.join(dir, 'appspec.yaml'))
  })
})

describe('YAML', () => {
  it('reports a syntax error at its place', async () => {
    const text = `${head}files: [a, b\nhooks:\n`
    const error = await failure(text)
    expect(error.message).toMatch(/invalid YAML/)
    expect(error.line).toBeGreaterThanOrEqual(positionOf(text, 'files').line)
    expect(error.column).toBeGreaterThan(0)
  })

  it('reports tabs used for indentation', async () => {
    const text = `${head}hooks:\n\tAfterInstall:\n`
    const error = await failure(text)
    expect(error.message).toMatch(/tab.*Indent with spaces/)
    expect(error.line).toBe(positionOf(text, '\t').line)
  })

  it('reports a duplicate key at the second one', async () => {
    const text = `${head}hooks:\n  AfterInstall:\n    - location: scripts/start.sh\n  AfterInstall:\n    - location: scripts/stop.sh\n`
    const error = await failure(text)
    const second = positionOf(text, 'AfterInstall:\n    - location: scripts/stop.sh')
    expect({ line: error.line, column: error.column }).toEqual({
      line: second.line,
      column: second.column
    })
    expect(error.message).toMatch(/key 'AfterInstall' appears twice.*Keep one/)
  })

  it('refuses several documents', async () => {
    const error = await failure(`${head}---\nos: windows\n`)
    expect(error.message).toMatch(/more than one YAML document.*single document/)
  })

  it('refuses an empty file', async () => {
    const error = await failure('# nothing yet\n')
    expect(error.message).toMatch(/the file is empty.*version: 0.0/)
    expect(error.line).toBe(1)
  })

  it('refuses a top level that is not a mapping', async () => {
    await expectError('- version: 0.0\n', '- version', [/must be a mapping.*not a list/])
  })
})

describe('top level', () => {
  it('requires version 0.0', async () => {
    const text = 'version: 1.0\nos: linux\n'
    await expectError(text, '1.0', [/version is '1.0'.*only version 0.0.*Set 'version: 0.0'/])
  })

  it('explains that a quoted version fails on the agent', async () => {
    await expectError('version: "0.0"\nos: linux\n', '"0.0"', [/string '0.0'.*Remove the quotes/])
  })

  it('requires version', async () => {
    await expectError('os: linux\n', 'os', [/'version' is missing.*Add 'version: 0.0'/])
  })

  it('requires os', async () => {
    await expectError('version: 0.0\n', 'version', [
      /'os' is missing.*'os: linux' or 'os: windows'/
    ])
  })

  it('asks for a lower-case os', async () => {
    await expectError('version: 0.0\nos: Linux\n', 'Linux', [
      /os is 'Linux'.*lower case: os: linux/
    ])
  })

  it('refuses an unknown os', async () => {
    await expectError('version: 0.0\nos: ubuntu\n', 'ubuntu', [
      /os is 'ubuntu'.*Use 'linux'.*or 'windows'/
    ])
  })

  it('recognises a Lambda or ECS appspec', async () => {
    const text = 'version: 0.0\nResources:\n  - myFunction:\n      Type: AWS::Lambda::Function\n'
    await expectError(text, 'Resources', [/Lambda or ECS.*deploys EC2\/on-premises/])
  })

  it('suggests the closest key for a typo', async () => {
    await expectError(`${head}hook:\n  AfterInstall: []\n`, 'hook:', [
      /unknown key 'hook'.*Did you mean 'hooks'\?/
    ])
  })

  it('checks file_exists_behavior', async () => {
    await expectError(`${head}file_exists_behavior: replace\n`, 'replace', [
      /DISALLOW, OVERWRITE or RETAIN/
    ])
  })
})

describe('files', () => {
  it('requires a list', async () => {
    await expectError(`${head}files:\n  source: /\n`, 'source', [/'files' must be a list/])
  })

  it('requires mappings in the list', async () => {
    await expectError(`${head}files:\n  - site\n`, 'site', [/each 'files' entry must be a mapping/])
  })

  it('requires a destination', async () => {
    await expectError(`${head}files:\n  - source: site\n`, 'source: site', [
      /no 'destination'.*absolute path/
    ])
  })

  it('requires an absolute destination on linux', async () => {
    await expectError(`${head}files:\n  - source: site\n    destination: var/www\n`, 'var/www', [
      /destination 'var\/www' is not an absolute linux path.*\/var\/www\/app/
    ])
  })

  it('requires a drive path on windows', async () => {
    const text = 'version: 0.0\nos: windows\nfiles:\n  - source: site\n    destination: /inetpub\n'
    await expectError(text, '/inetpub', [/not an absolute windows path.*C:\\inetpub/])
  })

  it('requires the source to exist', async () => {
    await expectError(`${head}files:\n  - source: public\n    destination: /var/www\n`, 'public', [
      /source 'public' does not exist in .*Fix the path/
    ])
  })

  it('refuses a source that leaves the bundle', async () => {
    await expectError(`${head}files:\n  - source: ../etc\n    destination: /var/www\n`, '../etc', [
      /leaves the bundle/
    ])
  })

  it('refuses a source the ignore rules leave out', async () => {
    const text = `${head}files:\n  - source: site\n    destination: /var/www\n`
    await expectError(text, 'site\n', [/excluded by \.codedeployignore.*'!site'/], {
      '.codedeployignore': 'site/\n'
    })
  })

  it('flags unknown keys with a suggestion', async () => {
    const text = `${head}files:\n  - source: site\n    destinaton: /var/www\n`
    await expectError(text, 'destinaton', [
      /unknown key 'destinaton'.*Did you mean 'destination'\?/
    ])
  })

  it('moves file_exists_behavior to the top level', async () => {
    const text = `${head}files:\n  - source: /\n    destination: /var/www\n    file_exists_behavior: OVERWRITE\n`
    await expectError(text, 'file_exists_behavior', [/goes at the top level/])
  })
})

describe('permissions', () => {
  const entry = (body: string): string =>
    `${head}files:\n  - source: /\n    destination: /var/www\npermissions:\n  - object: /var/www\n${body}`

  it('is Linux only', async () => {
    const text = 'version: 0.0\nos: windows\npermissions:\n  - object: C:\\app\n'
    await expectError(text, 'permissions', [/Linux instances only.*Remove it/])
  })

  it('requires an absolute object', async () => {
    const text = `${head}permissions:\n  - object: var/www\n`
    await expectError(text, 'var/www', [/object 'var\/www' is not an absolute path/])
  })

  it('requires object', async () => {
    await expectError(`${head}permissions:\n  - owner: www\n`, 'owner', [/no 'object'/])
  })

  it('explains an unquoted leading zero in mode', async () => {
    await expectError(entry('    mode: 0644\n'), '0644', [
      /leading zero without quotes.*"0644" in quotes, or 644/
    ])
  })

  it('accepts a quoted mode with a leading zero', async () => {
    await write(dir, { ...scripts, 'appspec.yml': entry('    mode: "0644"\n') })
    const checked = await checkAppSpec(dir)
    expect(checked.spec.permissions[0]?.mode).toBe('0644')
  })

  it('refuses a mode that is not octal', async () => {
    await expectError(entry('    mode: 789\n'), '789', [/mode '789' is not an octal mode/])
  })

  it('checks type', async () => {
    await expectError(entry('    type:\n      - file\n      - socket\n'), 'socket', [
      /type 'socket'.*'file' and\/or 'directory'/
    ])
  })

  it('wants owner by name', async () => {
    await expectError(entry('    owner: 1000\n'), '1000', [/owner must be a user name/])
  })

  it('requires a context type', async () => {
    await expectError(entry('    context:\n      name: unconfined_u\n'), 'name: unconfined_u', [
      /context needs 'type'/
    ])
  })

  it('suggests the closest permission key', async () => {
    await expectError(entry('    owners: www\n'), 'owners', [
      /unknown key 'owners'.*Did you mean 'owner'\?/
    ])
  })
})

describe('hooks', () => {
  const hook = (name: string, body = '    - location: scripts/start.sh\n'): string =>
    `${head}hooks:\n  ${name}:\n${body}`

  it('rejects a reserved event with the reason and the fix', async () => {
    await expectError(hook('Install'), 'Install', [
      /^appspec.yml:\d+:\d+: hook 'Install' is reserved: the agent runs it itself/,
      /Remove it and use BeforeInstall or AfterInstall\.$/
    ])
  })

  it.each([
    ['DownloadBundle', 'BeforeInstall'],
    ['AllowTraffic', 'BeforeAllowTraffic or AfterAllowTraffic'],
    ['BlockTraffic', 'BeforeBlockTraffic or AfterBlockTraffic'],
    ['Start', 'ApplicationStop'],
    ['End', 'ValidateService']
  ])('rejects reserved %s and points to %s', async (name, use) => {
    await expectError(hook(name), name, [`hook '${name}' is reserved`, `use ${use}.`])
  })

  it.each([
    ['ValidateServices', 'ValidateService'],
    ['afterinstall', 'AfterInstall'],
    ['BeforeInstal', 'BeforeInstall'],
    ['Application_Start', 'ApplicationStart']
  ])('suggests the hook for %s', async (name, close) => {
    await expectError(hook(name), name, [`unknown hook '${name}'. Did you mean '${close}'?`])
  })

  it('says a lower-case reserved name is still reserved', async () => {
    await expectError(hook('install'), 'install', [/unknown hook 'install'; 'Install' is reserved/])
  })

  it('renames the old load balancer events', async () => {
    await expectError(hook('BeforeELBAdd'), 'BeforeELBAdd', [
      /old name.*Rename it to BeforeAllowTraffic/
    ])
  })

  it('lists the events for a name far from all of them', async () => {
    const error = await failure(hook('Deploy'))
    expect(error.message).toMatch(
      /unknown hook 'Deploy'\. Server deployments run: ApplicationStop, BeforeInstall/
    )
    expect(error.message).not.toMatch(/Did you mean/)
  })

  it('recognises the Lambda/ECS list form', async () => {
    await expectError(`${head}hooks:\n  - BeforeAllowTraffic: fn\n`, '- Before', [
      /Lambda\/ECS form/
    ])
  })

  it('refuses an event without scripts', async () => {
    await expectError(`${head}hooks:\n  AfterInstall:\n`, 'AfterInstall', [
      /has no scripts.*or remove the hook/
    ])
  })

  it('shows how to write a bare script path', async () => {
    await expectError(hook('AfterInstall', '    - scripts/start.sh\n'), 'scripts/start.sh', [
      /mapping with 'location'.*Write '- location: scripts\/start.sh'/
    ])
  })

  it('requires location', async () => {
    await expectError(hook('AfterInstall', '    - timeout: 30\n'), 'timeout', [/no 'location'/])
  })

  it('requires the script to exist', async () => {
    await expectError(
      hook('AfterInstall', '    - location: scripts/missing.sh\n'),
      'scripts/missing.sh',
      [/script 'scripts\/missing.sh' for AfterInstall does not exist/]
    )
  })

  it('refuses a script outside the bundle', async () => {
    await expectError(hook('AfterInstall', '    - location: ../x.sh\n'), '../x.sh', [
      /leaves the bundle/
    ])
  })

  it('refuses a directory as a script', async () => {
    await expectError(hook('AfterInstall', '    - location: scripts\n'), 'scripts\n', [
      /is a directory/
    ])
  })

  it('refuses a link to a script outside the bundle', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'appspec-outside-'))
    try {
      await writeFile(path.join(outside, 'x.sh'), '#!/bin/sh\n')
      await mkdir(path.join(dir, 'scripts'), { recursive: true })
      await symlink(path.join(outside, 'x.sh'), path.join(dir, 'scripts/linked.sh'))
      await expectError(
        hook('AfterInstall', '    - location: scripts/linked.sh\n'),
        'scripts/linked.sh',
        [/is a link to .*outside the bundle.*Copy the script/]
      )
    } finally {
      await rm(outside, { recursive: true, force: true })
    }
  })

  it('refuses a script the ignore rules leave out', async () => {
    await expectError(
      hook('AfterInstall'),
      'scripts/start.sh',
      [/excluded by \.codedeployignore/],
      {
        '.codedeployignore': '*.sh\n'
      }
    )
  })

  it.each(['0', '4000', 'soon', '1.5', '[30]'])(
    'refuses timeout %s, pointing at the value',
    async value => {
      const body = `    - location: scripts/start.sh\n      timeout: ${value}\n`
      await expectError(
        hook('AfterInstall', body),
        [`timeout: ${value}`, 'timeout: '.length],
        [/timeout '.*' for scripts\/start.sh/, /whole number of seconds from 1 to 3600/]
      )
    }
  )

  it('limits the sum of timeouts of one event', async () => {
    const body =
      '    - location: scripts/start.sh\n      timeout: 2000\n    - location: scripts/stop.sh\n      timeout: 1601\n'
    await expectError(hook('ValidateService', body), 'ValidateService', [
      /add up to 3601 seconds.*at most 3600/
    ])
  })

  it('keeps runas to Linux', async () => {
    const text =
      'version: 0.0\nos: windows\nhooks:\n  AfterInstall:\n    - location: scripts/check.ps1\n      runas: admin\n'
    await expectError(text, 'runas', [/'runas' works on Linux only/])
  })

  it('checks runas is a user name', async () => {
    await expectError(
      hook('AfterInstall', '    - location: scripts/start.sh\n      runas: "web server"\n'),
      '"web server"',
      [/runas 'web server' is not a user name/]
    )
  })

  it('suggests the closest script key', async () => {
    await expectError(
      hook('AfterInstall', '    - location: scripts/start.sh\n      timout: 30\n'),
      'timout',
      [/unknown key 'timout'.*Did you mean 'timeout'\?/]
    )
  })

  it('refuses a Linux script with CRLF line endings', async () => {
    await expectError(
      hook('AfterInstall', '    - location: scripts/crlf.sh\n'),
      'scripts/crlf.sh',
      [/CRLF.*eol=lf/],
      {
        'scripts/crlf.sh': '#!/bin/bash\r\necho hi\r\n'
      }
    )
  })
})

describe('valid appspecs', () => {
  const linux = `version: 0.0
os: linux
file_exists_behavior: OVERWRITE
files:
  - source: /
    destination: /var/www/app
  - source: site/index.html
    destination: /var/www/html
permissions:
  - object: /var/www/app
    pattern: "**"
    except: [cache]
    owner: www-data
    group: www-data
    mode: 755
    acls:
      - u:bob:rw
    context:
      name: unconfined_u
      type: httpd_sys_content_t
      range: s0
    type:
      - file
      - directory
hooks:
  ApplicationStop:
    - location: scripts/stop.sh
      timeout: 30
  AfterInstall:
    - location: /scripts/start.sh
      timeout: "120"
      runas: root
    - location: scripts/lazy.sh
  ValidateService:
    - location: scripts/link.sh
      timeout: 3600
  BeforeAllowTraffic:
    - location: ./scripts/start.sh
`

  it('returns the typed spec, the hook scripts and the warnings', async () => {
    await write(dir, {
      ...scripts,
      'scripts/lazy.sh': { content: '#!/bin/sh\n', mode: 0o644 },
      'appspec.yml': { content: linux, mode: 0o644 }
    })
    await symlink('stop.sh', path.join(dir, 'scripts/link.sh'))
    const checked = await checkAppSpec(dir)
    expect(checked.path).toBe(path.join(dir, 'appspec.yml'))
    expect(checked.fileName).toBe('appspec.yml')
    expect(checked.spec).toEqual({
      version: '0.0',
      os: 'linux',
      fileExistsBehavior: 'OVERWRITE',
      files: [
        { source: '/', destination: '/var/www/app' },
        { source: 'site/index.html', destination: '/var/www/html' }
      ],
      permissions: [
        {
          object: '/var/www/app',
          pattern: '**',
          except: ['cache'],
          owner: 'www-data',
          group: 'www-data',
          mode: '755',
          acls: ['u:bob:rw'],
          context: { user: 'unconfined_u', type: 'httpd_sys_content_t', range: 's0' },
          type: ['file', 'directory']
        }
      ],
      hooks: {
        ApplicationStop: [{ location: 'scripts/stop.sh', timeout: 30 }],
        AfterInstall: [
          { location: '/scripts/start.sh', timeout: 120, runas: 'root' },
          { location: 'scripts/lazy.sh' }
        ],
        ValidateService: [{ location: 'scripts/link.sh', timeout: 3600 }],
        BeforeAllowTraffic: [{ location: './scripts/start.sh' }]
      }
    })
    // links resolved to the file that runs, each once, in order of appearance
    expect(checked.hookScripts).toEqual(['scripts/stop.sh', 'scripts/start.sh', 'scripts/lazy.sh'])
    if (process.platform !== 'win32') {
      expect(checked.warnings).toHaveLength(1)
      expect(checked.warnings[0]).toMatch(/scripts\/lazy.sh is not executable.*marks it executable/)
    }
  })

  it('accepts a Windows appspec', async () => {
    const windows = `version: 0.0
os: windows
files:
  - source: \\
    destination: C:\\inetpub\\wwwroot
  - source: site\\index.html
    destination: D:/web
hooks:
  BeforeInstall:
    - location: scripts\\check.ps1
      timeout: 900
`
    await write(dir, {
      ...scripts,
      'scripts/check.ps1': { content: 'Write-Output 1\r\n', mode: 0o644 },
      'appspec.yml': windows
    })
    const checked = await checkAppSpec(dir)
    expect(checked.spec.os).toBe('windows')
    expect(checked.spec.files).toEqual([
      { source: '\\', destination: 'C:\\inetpub\\wwwroot' },
      { source: 'site\\index.html', destination: 'D:/web' }
    ])
    expect(checked.spec.hooks).toEqual({
      BeforeInstall: [{ location: 'scripts\\check.ps1', timeout: 900 }]
    })
    expect(checked.hookScripts).toEqual(['scripts/check.ps1'])
    // no execute-bit warnings for Windows
    expect(checked.warnings).toEqual([])
  })

  it('accepts a minimal appspec with empty sections', async () => {
    await write(dir, { 'appspec.yml': `${head}files:\nhooks:\npermissions:\n` })
    const checked = await checkAppSpec(dir)
    expect(checked.spec).toEqual({
      version: '0.0',
      os: 'linux',
      files: [],
      permissions: [],
      hooks: {}
    })
    expect(checked.hookScripts).toEqual([])
  })

  it('resolves aliases', async () => {
    const text = `${head}hooks:\n  AfterInstall: &scripts\n    - location: scripts/start.sh\n  ApplicationStart: *scripts\n`
    await write(dir, { ...scripts, 'appspec.yml': text })
    const checked = await checkAppSpec(dir)
    expect(checked.spec.hooks.ApplicationStart).toEqual([{ location: 'scripts/start.sh' }])
  })
})

describe('suggest', () => {
  it('ignores names that are not close', () => {
    expect(suggest('zzzzzz', ['hooks', 'files'])).toBeUndefined()
    expect(suggest('Hooks', ['hooks', 'files'])).toBe('hooks')
  })
})
