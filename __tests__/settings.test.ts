import { describe, expect, it } from '@jest/globals'
import { InputError } from '../src/engine/errors.js'
import {
  parseDuration,
  parseInputs,
  parseSettings,
  type InputName
} from '../src/engine/inputs/settings.js'

const BASE: Partial<Record<InputName, string>> = {
  application: 'web',
  'deployment-group': 'staging',
  bucket: 'my-bundles'
}

function parse(inputs: Partial<Record<InputName, string>>, base = BASE) {
  const all = { ...base, ...inputs }
  return parseSettings(name => all[name] ?? '', '/work/repo')
}

function problem(inputs: Partial<Record<InputName, string>>, base = BASE): string {
  try {
    parse(inputs, base)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error(`expected ${JSON.stringify(inputs)} to be refused`)
}

describe('parseSettings', () => {
  it('applies the documented defaults', () => {
    const s = parse({})
    expect(s).toMatchObject({
      command: 'deploy',
      source: '/work/repo',
      bundleType: 'zip',
      autoRollback: 'on-failure',
      wait: true,
      timeoutSeconds: 3600,
      onCancel: 'stop-and-rollback',
      ignoreApplicationStopFailures: false,
      keyPrefix: ''
    })
    expect(s.deploymentConfig).toBeUndefined()
  })

  it('normalises values users commonly write differently', () => {
    const s = parse({
      'bundle-type': 'TAR.GZ',
      'file-exists-behavior': 'overwrite',
      'key-prefix': 'releases',
      source: 'build/../dist',
      timeout: '1h30m',
      wait: 'False'
    })
    expect(s.bundleType).toBe('tgz')
    expect(s.fileExistsBehavior).toBe('OVERWRITE')
    expect(s.keyPrefix).toBe('releases/')
    expect(s.source).toBe('/work/repo/dist')
    expect(s.timeoutSeconds).toBe(5400)
    expect(s.wait).toBe(false)
  })

  it.each([
    ['a/../../b', 'a/../../b', /'\.' or '\.\.' segment/],
    ['./a', './a', /'\.' or '\.\.' segment/],
    ['/releases', '/releases', /must not start with \//],
    ['a newline', 'a\nb', /control characters/],
    ['953 characters', 'x'.repeat(953), /954 bytes long.*at most 953/]
  ])('refuses key-prefix %s with a valid example', (_label, prefix, why) => {
    const message = problem({ 'key-prefix': prefix })
    expect(message).toMatch(why)
    expect(message).toMatch(/e\.g\. 'my-app\/'/)
  })

  it('takes a key-prefix that just fits S3 key limit', () => {
    expect(parse({ 'key-prefix': `${'x'.repeat(952)}/` }).keyPrefix).toHaveLength(953)
  })

  it('refuses a source outside the workspace when confined, naming both paths', () => {
    const refuse = (source: string): string => {
      try {
        parseSettings(n => ({ ...BASE, source })[n] ?? '', '/work/repo', { confine: true })
      } catch (error) {
        return (error as Error).message
      }
      throw new Error('not refused')
    }
    expect(refuse('../outside/app')).toMatch(
      /Invalid source '..\/outside\/app': it is \/work\/outside\/app, outside the workspace \/work\/repo/
    )
    expect(refuse('/etc')).toMatch(/it is \/etc, outside the workspace/)
  })

  it('reads an existing revision with its pins and bundle type', () => {
    const s = parse(
      {
        revision: 's3://my-bundles/app/abc.tar.gz',
        'revision-etag': '"0123"',
        'revision-version': 'v7'
      },
      {
        application: 'web',
        'deployment-group': 'staging'
      }
    )
    expect(s.revision).toEqual({
      bucket: 'my-bundles',
      key: 'app/abc.tar.gz',
      bundleType: 'tgz',
      eTag: '0123',
      version: 'v7'
    })
  })

  it('package needs no deployment group', () => {
    expect(parse({ command: 'package' }, { bucket: 'my-bundles' }).command).toBe('package')
  })

  it.each<[string, Partial<Record<InputName, string>>, RegExp]>([
    [
      'unknown command',
      { command: 'ship' },
      /Invalid command 'ship'. Expected one of: deploy, package, rollback/
    ],
    ['missing application', { application: '' }, /'application' is required/],
    ['missing group', { 'deployment-group': '' }, /'deployment-group' is required/],
    ['missing bucket', { bucket: '' }, /'bucket' is required to upload/],
    ['bucket with capitals', { bucket: 'My_Bucket' }, /Invalid bucket 'My_Bucket'.*lower-case/],
    ['bucket as URL', { bucket: 's3://my-bundles' }, /Invalid bucket.*name only/],
    ['short bucket', { bucket: 'ab' }, /3 to 63 characters/],
    [
      'unknown bundle type',
      { 'bundle-type': 'rar' },
      /Invalid bundle-type 'rar'. Expected one of: zip, tgz, tar/
    ],
    [
      'bad auto-rollback',
      { 'auto-rollback': 'yes' },
      /Invalid auto-rollback 'yes'. Expected one of: on-failure, group, off/
    ],
    ['bad on-cancel', { 'on-cancel': 'ignore' }, /Invalid on-cancel 'ignore'/],
    [
      'bad file-exists-behavior',
      { 'file-exists-behavior': 'REPLACE' },
      /Expected one of: DISALLOW, OVERWRITE, RETAIN/
    ],
    ['bad boolean', { wait: 'maybe' }, /Invalid wait 'maybe'. Expected true or false/],
    [
      'bad ignore flag',
      { 'ignore-application-stop-failures': 'sometimes' },
      /Invalid ignore-application-stop-failures/
    ],
    [
      'timeout text',
      { timeout: 'soon' },
      /Invalid timeout 'soon'. Expected a duration from 1m to 6h/
    ],
    ['timeout too long', { timeout: '7h' }, /Invalid timeout '7h'/],
    ['timeout too short', { timeout: '10' }, /Invalid timeout '10'/],
    ['revision not s3 URL', { revision: 'https://x/y.zip' }, /Expected s3:\/\/bucket\/key/],
    [
      'revision without type',
      { revision: 's3://my-bundles/app/build' },
      /must end in \.zip, \.tar\.gz, \.tgz or \.tar/
    ],
    ['etag without revision', { 'revision-etag': 'abc' }, /pins a 'revision'/],
    [
      'revision with package',
      { command: 'package', revision: 's3://my-bundles/a.zip' },
      /Use one or the other/
    ],
    [
      'revision with rollback',
      { command: 'rollback', revision: 's3://my-bundles/a.zip' },
      /remove input 'revision'/
    ],
    ['kms key without kms', { 'sse-kms-key-id': 'alias/x' }, /needs sse: aws:kms/],
    [
      'unknown sse',
      { sse: 'KMS' },
      /Invalid sse 'KMS'. Expected one of: AES256, aws:kms, aws:kms:dsse/
    ],
    ['overlong application', { application: 'a'.repeat(101) }, /at most 100 printable characters/]
  ])('refuses %s with the expected form', (_name, inputs, expected) => {
    expect(problem(inputs)).toMatch(expected)
  })

  it.each(['true', 'True', 'TRUE'])('reads %s as true, as core.getBooleanInput does', word => {
    expect(parse({ 'ignore-application-stop-failures': word, wait: word })).toMatchObject({
      ignoreApplicationStopFailures: true,
      wait: true
    })
  })

  it.each(['false', 'False', 'FALSE'])('reads %s as false', word => {
    expect(parse({ 'skip-if-superseded': word, wait: word })).toMatchObject({
      skipIfSuperseded: false,
      wait: false
    })
  })

  it.each(['yes', 'no', 'on', 'off', '1', '0', 'tRUE', 'y'])(
    'refuses the boolean %s, naming the words it takes',
    word => {
      expect(problem({ 'ignore-application-stop-failures': word })).toBe(
        `Invalid ignore-application-stop-failures '${word}'. Expected true or false (one of: true, True, TRUE, false, False, FALSE).`
      )
    }
  )

  it('lists every problem at once', () => {
    const message = problem({ 'bundle-type': 'rar', wait: 'maybe', bucket: '' })
    expect(message).toMatch(/^3 inputs need fixing:/)
    expect(message).toMatch(/bundle-type/)
    expect(message).toMatch(/wait/)
    expect(message).toMatch(/bucket/)
  })
})

type Inputs = Partial<Record<InputName, string>>
const CONTINUE: Inputs = { command: 'continue', 'deployment-id': 'd-ABCDEFGHI' }
const REVISION: Inputs = { ...BASE, bucket: '', revision: 's3://my-bundles/app/a.zip' }

describe('an input the step does not use', () => {
  const inputs = (given: Inputs) => parseInputs(name => given[name] ?? '', '/work/repo')

  it.each<[string, Inputs, Inputs, RegExp]>([
    [
      'continue',
      CONTINUE,
      { bucket: 'My_Bucket', revision: 'not-a-url', 'revision-etag': 'e', source: 'build' },
      /command 'continue' moves an existing deployment on/
    ],
    [
      'continue, deployment options',
      CONTINUE,
      { 'deployment-config': 'X', 'auto-rollback': 'off', 'on-ready': 'exit', description: 'd' },
      /command 'continue' moves an existing deployment on/
    ],
    [
      'package',
      { command: 'package', bucket: 'my-bundles' },
      { 'deployment-group': 'g', wait: 'false', timeout: '2h', 'on-cancel': 'detach' },
      /command 'package' packages and uploads, and creates no deployment/
    ],
    [
      'rollback',
      { ...BASE, command: 'rollback', bucket: '' },
      {
        bucket: 'b-b-b',
        'key-prefix': 'app/',
        'bundle-path': 'x.zip',
        'skip-if-superseded': 'false'
      },
      /command 'rollback' redeploys the group's last successful revision/
    ],
    [
      'a deploy of revision',
      REVISION,
      { bucket: 'b-b-b', source: 'build', 'bundle-type': 'tgz', sse: 'AES256', 'bundle-path': 'x' },
      /this step deploys 'revision', a bundle already in S3/
    ],
    [
      // A deploy of appspec uses the bundle's inputs too: an EC2/on-premises group packages it.
      'rollback, the new bundle and instance options',
      { ...BASE, command: 'rollback', bucket: '' },
      {
        's3-tags': 'team=web',
        'target-instances': '{"autoScalingGroups":["web-green"]}',
        'outdated-instances-only': 'true'
      },
      /command 'rollback' redeploys the group's last successful revision/
    ]
  ])('with %s is named in a warning and ignored', (_, step, unused, doing) => {
    const { settings, warnings } = inputs({ ...step, ...unused })
    expect(warnings).toHaveLength(Object.keys(unused).length)
    expect(warnings).toEqual(
      expect.arrayContaining(
        Object.keys(unused).map(name =>
          expect.stringMatching(
            new RegExp(`^Input '${name}' is not used: ${doing.source}. It is ignored`)
          )
        )
      )
    )
    expect(settings).toEqual(inputs(step).settings)
  })

  it("is not warned about when it holds action.yml's default, as a runner passes it", () => {
    const given = { ...CONTINUE, source: '.', 'bundle-type': 'zip', 'skip-if-superseded': 'true' }
    expect(inputs(given).warnings).toEqual([])
  })

  it.each<[string, Inputs, RegExp]>([
    ['deployment-id on a deploy', { 'deployment-id': 'd-ABCDEFGHI' }, /is for command 'continue'/],
    [
      'deployment-id on a rollback',
      { command: 'rollback', 'deployment-id': 'd-ABCDEFGHI' },
      /command 'rollback' creates a deployment of its own/
    ],
    [
      'revision on a package',
      { command: 'package', revision: 's3://b-b-b/a.zip' },
      /one or the other/
    ],
    [
      'revision on a rollback',
      { command: 'rollback', revision: 's3://b-b-b/a.zip' },
      /remove input 'revision'/
    ],
    [
      'a pin without revision',
      { 'revision-version': 'v1' },
      /'revision-version' pins a 'revision'/
    ],
    ['appspec on a package', { command: 'package', appspec: 'a.yml' }, /deploys another/],
    ['appspec and revision', { appspec: 'a.yml', revision: 's3://b-b-b/a.zip' }, /two kinds/],
    ['task-definition without appspec', { 'task-definition': 'td.json' }, /give that AppSpec/]
  ])('fails when it contradicts the step: %s', (_, given, message) => {
    expect(problem(given)).toMatch(message)
  })
})

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['45m', 2700],
    ['2h', 7200],
    ['1h30m', 5400],
    ['90s', 90],
    ['1.5h', 5400]
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })
  it.each(['', 'm', '10 minutes', '-5', '5d'])('%s is not a duration', text => {
    expect(parseDuration(text)).toBeUndefined()
  })
})
