/**
 * Every bad input fails with a message that names the problem and the fix, and none of them
 * writes anything to AWS (no PutObject, no RegisterApplicationRevision, no CreateDeployment).
 */
import { describe, expect, it } from '@jest/globals'
import { runInProcess } from './helpers/action.js'
import {
  GOOD_APPSPEC,
  NO_CREDENTIALS,
  badInputCases,
  base,
  tree,
  withAppspec,
  type Case
} from './helpers/bad-input.js'
import { useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { staging: 1, prod: 1 }, stepDelayMs: 0 })

const CASES: Record<string, Case> = {
  'missing appspec': { tree: tree(undefined), message: /No appspec.yml at the root of .*Add one/ },
  'appspec only in a subfolder': {
    tree: { 'app/appspec.yml': GOOD_APPSPEC, 'app/x': 'x' },
    message: /found app\/appspec.yml: set source to '.*\/app'/
  },
  'wrong-case appspec': {
    tree: { 'AppSpec.yml': GOOD_APPSPEC },
    message: /Found 'AppSpec.yml'.*lower case.*Rename it/
  },
  'YAML syntax error': withAppspec(
    'version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: [scripts/check.sh\n',
    /appspec.yml:\d+:\d+: invalid YAML/
  ),
  'duplicate key': withAppspec(
    'version: 0.0\nos: linux\nos: windows\n',
    /appspec.yml:3:1: key 'os' appears twice/
  ),
  'unknown hook': withAppspec(
    'version: 0.0\nos: linux\nhooks:\n  ValidateServices:\n    - location: scripts/check.sh\n',
    /appspec.yml:4:3: unknown hook 'ValidateServices'.*Did you mean 'ValidateService'/
  ),
  'reserved hook': withAppspec(
    'version: 0.0\nos: linux\nhooks:\n  Install:\n    - location: scripts/check.sh\n',
    /appspec.yml:4:3: hook 'Install' is reserved.*use BeforeInstall or AfterInstall/
  ),
  'timeout 4000': withAppspec(
    'version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n      timeout: 4000\n',
    /appspec.yml:6:16: timeout '4000' .* from 1 to 3600/
  ),
  'timeouts adding up past an hour': withAppspec(
    'version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/check.sh\n      timeout: 2000\n    - location: scripts/check.sh\n      timeout: 2000\n',
    /the timeouts of AfterInstall add up to 4000 seconds/
  ),
  'missing hook script': withAppspec(
    'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n',
    /script 'scripts\/start.sh' for ApplicationStart does not exist/
  ),
  'relative destination': withAppspec(
    'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: srv/app\n',
    /appspec.yml:5:18: destination 'srv\/app' is not an absolute linux path/
  ),
  'missing files source': withAppspec(
    'version: 0.0\nos: linux\nfiles:\n  - source: public\n    destination: /srv/app\n',
    /source 'public' does not exist/
  ),
  'wrong version': withAppspec(
    'version: 1.0\nos: linux\n',
    /appspec.yml:1:10: version is '1.0', but CodeDeploy supports only version 0.0/
  ),
  'unknown os': withAppspec(
    'version: 0.0\nos: macos\n',
    /appspec.yml:2:5: os is 'macos'.*Use 'linux'.*or 'windows'/
  ),
  'runas on windows': withAppspec(
    'version: 0.0\nos: windows\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n      runas: admin\n',
    /'runas' works on Linux only/
  ),
  'Lambda appspec': withAppspec(
    'version: 0.0\nResources:\n  - fn: {}\n',
    /'Resources' belongs to a Lambda or ECS appspec/
  ),
  'link escaping the source': {
    tree: tree(GOOD_APPSPEC, { 'site/passwd': { link: '../../../../etc/passwd' } }),
    message: /Link site\/passwd -> ..\/..\/..\/..\/etc\/passwd leaves the source directory/
  },
  'empty source': {
    empty: true,
    message: /is empty\. Check out or build the revision into it first/
  },
  'missing source directory': {
    inputs: { source: 'does-not-exist' },
    message: /does not exist. Set 'source' to the directory that holds appspec.yml/
  },
  'unknown bundle type': {
    inputs: { 'bundle-type': 'rar' },
    message: /Invalid bundle-type 'rar'. Expected one of: zip, tgz, tar/
  },
  'bad bucket name': {
    inputs: { bucket: 'My_Bundles' },
    message: /Invalid bucket 'My_Bundles'.*lower-case/
  },
  'missing bucket': {
    inputs: { bucket: '' },
    message:
      /'bucket' is required to upload the bundle.*An ECS or Lambda deployment group takes no bundle: give its AppSpec file in 'appspec' instead/
  },
  'bucket that does not exist': {
    inputs: { bucket: 'no-such-bucket' },
    message: /Bucket 'no-such-bucket' does not exist.*set 'bucket' to an existing one/
  },
  'unknown application': {
    inputs: { application: 'shpo' },
    message: /Application 'shpo' does not exist in us-east-1. Existing: shop\./
  },
  'unknown deployment group': {
    inputs: { 'deployment-group': 'production' },
    message:
      /Deployment group 'production' does not exist in application 'shop'. Existing: prod, staging\./
  },
  'unknown deployment config': {
    inputs: { 'deployment-config': 'CodeDeployDefault.TwoAtATime' },
    message:
      /Deployment config 'CodeDeployDefault.TwoAtATime' does not exist. Existing: .*CodeDeployDefault.OneAtATime/
  },
  'missing deployment group': {
    inputs: { 'deployment-group': '' },
    message: /'deployment-group' is required/
  },
  'invalid auto-rollback': {
    inputs: { 'auto-rollback': 'always' },
    message: /Invalid auto-rollback 'always'. Expected one of: on-failure, group, off/
  },
  'a boolean written yes': {
    inputs: { 'ignore-application-stop-failures': 'yes' },
    message:
      /Invalid ignore-application-stop-failures 'yes'. Expected true or false \(one of: true, True, TRUE, false, False, FALSE\)/
  },
  'invalid on-cancel': { inputs: { 'on-cancel': 'panic' }, message: /Invalid on-cancel 'panic'/ },
  'invalid timeout': {
    inputs: { timeout: 'a while' },
    message: /Invalid timeout 'a while'. Expected a duration/
  },
  'revision without a bundle type': {
    inputs: { revision: 's3://bundles/app/latest' },
    message: /must end in .zip, .tar.gz, .tgz or .tar/
  },
  'key-prefix climbing out with ..': {
    inputs: { 'key-prefix': 'a/../../b' },
    message:
      /Invalid key-prefix "a\/..\/..\/b": it must not hold a '.' or '..' segment.*e.g. 'my-app\/'/
  },
  'key-prefix with a . segment': {
    inputs: { 'key-prefix': 'app/./v1' },
    message: /Invalid key-prefix "app\/.\/v1": it must not hold a '.' or '..' segment/
  },
  'key-prefix with a leading slash': {
    inputs: { 'key-prefix': '/releases' },
    message: /Invalid key-prefix "\/releases": it must not start with \//
  },
  'key-prefix with a newline': {
    inputs: { 'key-prefix': 'app\nv1' },
    message: /Invalid key-prefix "app\\nv1": it must not hold control characters/
  },
  'key-prefix too long for an S3 key': {
    inputs: { 'key-prefix': 'p'.repeat(1000) },
    message: /Invalid key-prefix .*1001 bytes long.*S3's 1024 bytes/
  },
  'source outside the workspace': {
    inputs: { source: '../outside/app' },
    message: /Invalid source '..\/outside\/app': it is .*\/outside\/app, outside the workspace /
  },
  'absolute source outside the workspace': {
    inputs: { source: '/etc' },
    message: /Invalid source '\/etc': it is \/etc, outside the workspace /
  },
  'source that is a link out of the workspace': {
    tree: tree(GOOD_APPSPEC, { elsewhere: { link: '/etc' } }),
    inputs: { source: 'LINK' },
    message:
      /Invalid source '.*\/elsewhere': it resolves through a link to \/etc, outside the workspace/
  },
  'symlink loop': {
    tree: tree(GOOD_APPSPEC, { 'site/a': { link: 'b' }, 'site/b': { link: 'a' } }),
    message: /Link site\/a -> b loops/
  },
  'file name with a newline': {
    tree: tree(GOOD_APPSPEC, { 'site/new\nline.html': 'x' }),
    message: /"site\/new\\nline.html" in .* has a control character/
  },
  'invalid SOURCE_DATE_EPOCH': {
    env: { SOURCE_DATE_EPOCH: 'yesterday' },
    message: /SOURCE_DATE_EPOCH 'yesterday' is not a whole number of seconds/
  },
  "a region that is not a region's name": {
    env: { AWS_REGION: 'not a region!' },
    message:
      /The AWS region "not a region!" \(from AWS_REGION\) is not a region's name\. Expected the form us-east-1 .*Set AWS_REGION, or give aws-region to aws-actions\/configure-aws-credentials/
  },
  'credentials set but empty': {
    env: NO_CREDENTIALS,
    message:
      /No AWS credentials found \(.+\)\. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set but empty: .* run aws-actions\/configure-aws-credentials before this step \(.*'permissions: id-token: write'\); elsewhere set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/
  },
  'revision that does not exist': {
    inputs: { revision: 's3://bundles/app/missing.zip' },
    message: /Revision s3:\/\/bundles\/app\/missing.zip does not exist/
  }
}

describe('bad input', () => {
  badInputCases(t, CASES)

  it.each([
    ['a malformed region', { AWS_REGION: 'us-east1 ' }],
    ['no credentials', NO_CREDENTIALS]
  ])('%s is found before any AWS call, reads included', async (_, env) => {
    const dir = await t.source(tree(GOOD_APPSPEC))
    const calls = t.stack.codedeploy.calls.length
    const requests = t.stack.s3.requests.length
    const result = await runInProcess({ ...base, source: dir }, { ...t.env, ...env })
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(/::error::.*(region's name|No AWS credentials)/)
    expect(t.stack.codedeploy.calls.length).toBe(calls)
    expect(t.stack.s3.requests.length).toBe(requests)
  })

  it('points an appspec error at its file and line as an annotation', async () => {
    const dir = await t.source(
      tree('version: 0.0\nos: linux\nhooks:\n  DownloadBundle:\n    - location: scripts/check.sh\n')
    )
    const result = await runInProcess({ ...base, source: dir }, t.env)
    const annotations = result.log.split('\n').filter(l => l.startsWith('::error'))
    expect(annotations).toHaveLength(2)
    expect(annotations[0]).toMatch(
      new RegExp(`^::error title=Invalid appspec,file=${dir}/appspec.yml,line=4,col=3::`)
    )
    expect(annotations[1]).toMatch(/^::error::Failed while checking the appspec: appspec.yml:4:3: /)
  })
})
