/**
 * More of the bad-input table (bad-input.test.ts has the first part; appspec.yml's rules are in
 * bad-input-appspec.test.ts, ECS and Lambda in bad-input-platforms.test.ts): every input of
 * action.yml, the contradictions between them, the environment and the action's own inputs
 * (GitHub deployment, artifact). Each fails with a message that names the input and the fix,
 * before anything is written.
 */
import { beforeAll, describe } from '@jest/globals'
import { GOOD_APPSPEC, badInputCases, tree, withInputs, type Case } from './helpers/bad-input.js'
import { putRevision, s3Client } from './helpers/revisions.js'
import { useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { staging: 1, prod: 1 }, stepDelayMs: 0 })

/** A bundle already in S3, for the cases that deploy a `revision`. */
const REVISION = 's3://bundles/app/v1.zip'
beforeAll(async () => {
  await putRevision(s3Client(t.stack.s3.endpoint), 'bundles', 'app/v1.zip', tree(GOOD_APPSPEC))
})

const CASES: Record<string, Case> = {
  // command, application, deployment-group, deployment-config
  'unknown command': withInputs(
    { command: 'deploi' },
    /Invalid command 'deploi'. Expected one of: deploy, package, rollback, continue, wait, stop/
  ),
  'application longer than 100 characters': withInputs(
    { application: 'a'.repeat(101) },
    /Invalid application 'a{40}': it is 101 characters long\. Give the name as CodeDeploy shows it: at most 100 printable characters/
  ),
  'application with a line break': withInputs(
    { application: 'shop\nprod' },
    /Invalid application 'shop\\nprod': it holds a control character \(a line break or tab\)\. Give the name as CodeDeploy shows it: at most 100 printable characters/
  ),
  'missing application': withInputs(
    { application: '' },
    /Input 'application' is required for command 'deploy': set it to the CodeDeploy application name/
  ),
  'missing application with command rollback': withInputs(
    { command: 'rollback', application: '', bucket: '' },
    /Input 'application' is required for command 'rollback': set it to the CodeDeploy application name/
  ),
  'missing deployment-group with command rollback': withInputs(
    { command: 'rollback', 'deployment-group': '', bucket: '' },
    /Input 'deployment-group' is required for command 'rollback': set it to the deployment group name \(in application 'shop'\)/
  ),
  'deployment-group longer than 100 characters': withInputs(
    { 'deployment-group': 'g'.repeat(120) },
    /Invalid deployment-group 'g{40}': .*at most 100 printable characters/
  ),
  'deployment-config with a tab': withInputs(
    { 'deployment-config': 'CodeDeployDefault.\tOneAtATime' },
    /Invalid deployment-config .*at most 100 printable characters/
  ),
  'an ECS deployment-config on an EC2 group': withInputs(
    { 'deployment-config': 'CodeDeployDefault.ECSAllAtOnce' },
    /Deployment config 'CodeDeployDefault.ECSAllAtOnce' is for Amazon ECS, and group 'staging' deploys to EC2\/on-premises.*Set 'deployment-config' to one for EC2\/on-premises, or leave it empty/
  ),
  // bucket, key-prefix, bundle-type
  'bucket given as an s3:// URL': withInputs(
    { bucket: 's3://bundles' },
    /Invalid bucket 's3:\/\/bundles': .*Give the bucket's name only, not an s3:\/\/ URL or ARN/
  ),
  'bucket given as an ARN': withInputs(
    { bucket: 'arn:aws:s3:::bundles' },
    /Invalid bucket 'arn:aws:s3:::bundles'.*Give the bucket's name only/
  ),
  'bucket name too short': withInputs(
    { bucket: 'ab' },
    /Invalid bucket 'ab': it must be 3 to 63 characters long/
  ),
  'bucket name with two dots in a row': withInputs(
    { bucket: 'my..bundles' },
    /Invalid bucket 'my..bundles': it must not contain two dots in a row/
  ),
  'bucket name that is an IP address': withInputs(
    { bucket: '192.168.1.1' },
    /Invalid bucket '192.168.1.1': it must not look like an IP address/
  ),
  'bucket with a trailing slash': withInputs(
    { bucket: 'bundles/' },
    /Invalid bucket 'bundles\/'.*Give the bucket's name only/
  ),
  'command package without bucket or bundle-path': withInputs(
    { command: 'package', bucket: '' },
    /'bucket' is required to upload the bundle.*or, to write the bundle to a file without uploading it, set 'bundle-path'/
  ),
  'key-prefix with a tab': withInputs(
    { 'key-prefix': 'app\tv1' },
    /Invalid key-prefix "app\\tv1": it must not hold control characters.*e.g. 'my-app\/'/
  ),
  'key-prefix that is ..': withInputs(
    { 'key-prefix': '..' },
    /Invalid key-prefix "..": it must not hold a '.' or '..' segment.*Expected folder names joined by '\/'/
  ),
  'bundle-type gzip': withInputs(
    { 'bundle-type': 'gzip' },
    /Invalid bundle-type 'gzip'. Expected one of: zip, tgz, tar/
  ),
  'bundle-type tar.bz2': withInputs(
    { 'bundle-type': 'tar.bz2' },
    /Invalid bundle-type 'tar.bz2'. Expected one of: zip, tgz, tar/
  ),
  // revision, revision-etag, revision-version
  'revision without s3://': withInputs(
    { revision: 'bundles/app/v1.zip' },
    /Invalid revision 'bundles\/app\/v1.zip'. Expected s3:\/\/bucket\/key, e.g. s3:\/\/my-bucket/
  ),
  'revision as an https URL': withInputs(
    { revision: 'https://bundles.s3.amazonaws.com/app/v1.zip' },
    /Invalid revision 'https:.*'. Expected s3:\/\/bucket\/key/
  ),
  'revision without a key': withInputs(
    { revision: 's3://bundles' },
    /Invalid revision 's3:\/\/bundles'. Expected s3:\/\/bucket\/key/
  ),
  'revision with a bad bucket name': withInputs(
    { revision: 's3://My_Bundles/app/v1.zip' },
    /Invalid bucket 'My_Bundles' in revision: .*lower-case.*Expected s3:\/\/<bucket>\/<key> with the bucket's S3 name/
  ),
  'revision in a bucket that does not exist': withInputs(
    { revision: 's3://no-such-bucket/app/v1.zip' },
    /Revision s3:\/\/no-such-bucket\/app\/v1.zip does not exist. Check the bucket and key/
  ),
  'revision-etag that does not match': withInputs(
    { revision: REVISION, 'revision-etag': '0123456789abcdef0123456789abcdef' },
    /Revision s3:\/\/bundles\/app\/v1.zip has ETag \w+, not the 0123456789abcdef0123456789abcdef given in 'revision-etag'.*update revision-etag/
  ),
  'revision-etag without revision': withInputs(
    { 'revision-etag': 'abc' },
    /Input 'revision-etag' pins a 'revision', and this step names none: set 'revision' too, or remove 'revision-etag'/
  ),
  'revision-version without revision': withInputs(
    { 'revision-version': '3' },
    /Input 'revision-version' pins a 'revision'.*set 'revision' too, or remove 'revision-version'/
  ),
  'revision with command package': withInputs(
    { command: 'package', revision: REVISION },
    /Input 'revision' deploys an existing bundle; command 'package' builds a new one. Use one or the other/
  ),
  'revision with command rollback': withInputs(
    { command: 'rollback', revision: REVISION, bucket: '' },
    /Command 'rollback' redeploys the group's last successful revision; remove input 'revision'/
  ),
  // file-exists-behavior, ignore-application-stop-failures, auto-rollback
  'file-exists-behavior REPLACE': withInputs(
    { 'file-exists-behavior': 'REPLACE' },
    /Invalid file-exists-behavior 'REPLACE'. Expected one of: DISALLOW, OVERWRITE, RETAIN/
  ),
  'file-exists-behavior keep': withInputs(
    { 'file-exists-behavior': 'keep' },
    /Invalid file-exists-behavior 'keep'. Expected one of: DISALLOW, OVERWRITE, RETAIN/
  ),
  'ignore-application-stop-failures 1': withInputs(
    { 'ignore-application-stop-failures': '1' },
    /Invalid ignore-application-stop-failures '1'. Expected true or false/
  ),
  'auto-rollback true': withInputs(
    { 'auto-rollback': 'true' },
    /Invalid auto-rollback 'true'. Expected one of: on-failure, group, off/
  ),
  // wait, timeout, rollback-timeout, on-cancel, on-ready, on-termination-wait, skip-if-superseded
  'wait no': withInputs({ wait: 'no' }, /Invalid wait 'no'. Expected true or false/),
  'wait 0': withInputs({ wait: '0' }, /Invalid wait '0'. Expected true or false/),
  'timeout under a minute': withInputs(
    { timeout: '30s' },
    /Invalid timeout '30s'. Expected a duration from 1m to 6h, such as 45m/
  ),
  'timeout over six hours': withInputs(
    { timeout: '7h' },
    /Invalid timeout '7h'. Expected a duration from 1m to 6h/
  ),
  'timeout in days': withInputs({ timeout: '1d' }, /Invalid timeout '1d'. Expected a duration/),
  'negative timeout': withInputs({ timeout: '-5m' }, /Invalid timeout '-5m'. Expected a duration/),
  'rollback-timeout forever': withInputs(
    { 'rollback-timeout': 'forever' },
    /Invalid rollback-timeout 'forever'. Expected a duration from 1m to 6h/
  ),
  'rollback-timeout 0': withInputs(
    { 'rollback-timeout': '0' },
    /Invalid rollback-timeout '0'. Expected a duration from 1m to 6h/
  ),
  'on-cancel rollback': withInputs(
    { 'on-cancel': 'rollback' },
    /Invalid on-cancel 'rollback'. Expected one of: stop-and-rollback, stop, detach/
  ),
  'on-ready reroute': withInputs(
    { 'on-ready': 'reroute' },
    /Invalid on-ready 'reroute'. Expected one of: continue, wait, exit/
  ),
  'on-termination-wait terminate': withInputs(
    { 'on-termination-wait': 'terminate' },
    /Invalid on-termination-wait 'terminate'. Expected one of: exit, wait, continue/
  ),
  'skip-if-superseded maybe': withInputs(
    { 'skip-if-superseded': 'maybe' },
    /Invalid skip-if-superseded 'maybe'. Expected true or false/
  ),
  // deployment-id, command continue
  'deployment-id with command deploy': withInputs(
    { 'deployment-id': 'd-A1B2C3D4E' },
    /Input 'deployment-id' is for command 'continue'.*Remove it, or set command: continue/
  ),
  'command continue without deployment-id': withInputs(
    { command: 'continue' },
    /Input 'deployment-id' is required for command 'continue': the id \(d-XXXXXXXXX\)/
  ),
  'deployment-id too short': withInputs(
    { command: 'continue', 'deployment-id': 'd-123' },
    /Invalid deployment-id 'd-123'. Expected a CodeDeploy deployment id such as d-A1B2C3D4E/
  ),
  'deployment-id in lower case': withInputs(
    { command: 'continue', 'deployment-id': 'd-a1b2c3d4e' },
    /Invalid deployment-id 'd-a1b2c3d4e'. Expected a CodeDeploy deployment id such as d-A1B2C3D4E/
  ),
  'deployment-id that does not exist': withInputs(
    { command: 'continue', 'deployment-id': 'd-AAAAAAAAA' },
    /Deployment d-AAAAAAAAA does not exist in us-east-1. Check 'deployment-id' and the region/
  ),
  // sse, sse-kms-key-id
  'sse in lower case': withInputs(
    { sse: 'aes256' },
    /Invalid sse 'aes256'. Expected one of: AES256, aws:kms, aws:kms:dsse/
  ),
  'sse kms': withInputs({ sse: 'kms' }, /Invalid sse 'kms'. Expected one of: AES256, aws:kms/),
  'sse-kms-key-id without sse': withInputs(
    { 'sse-kms-key-id': 'alias/bundles' },
    /Input 'sse-kms-key-id' needs sse: aws:kms \(or aws:kms:dsse\)\. Set sse to aws:kms to encrypt the bundle with that key, or remove sse-kms-key-id/
  ),
  'sse-kms-key-id with sse AES256': withInputs(
    { sse: 'AES256', 'sse-kms-key-id': 'alias/bundles' },
    /Input 'sse-kms-key-id' needs sse: aws:kms \(or aws:kms:dsse\), not AES256\. Set sse to aws:kms/
  ), // the environment
  'negative SOURCE_DATE_EPOCH': {
    env: { SOURCE_DATE_EPOCH: '-1' },
    message:
      /SOURCE_DATE_EPOCH '-1' is not a whole number of seconds since 1970-01-01 UTC. Set it to one, e.g. \$\(git log -1 --format=%(25)?ct\)/
  },
  'SOURCE_DATE_EPOCH with a fraction': {
    env: { SOURCE_DATE_EPOCH: '1700000000.5' },
    message: /SOURCE_DATE_EPOCH '1700000000.5' is not a whole number of seconds.*Set it to one/
  },
  'region in capitals': {
    env: { AWS_REGION: 'US-EAST-1' },
    message:
      /The AWS region "US-EAST-1" \(from AWS_REGION\) is not a region's name. Expected the form us-east-1/
  },
  'secret access key set but empty': {
    env: {
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_EC2_METADATA_DISABLED: 'true'
    },
    message:
      /No AWS credentials found .*AWS_SECRET_ACCESS_KEY is set but empty.*run aws-actions\/configure-aws-credentials before this step/
  },
  // the action's own inputs
  'github-deployment without a token': {
    inputs: { 'github-deployment': 'staging' },
    env: { GITHUB_REPOSITORY: 'octo/shop', GITHUB_SHA: 'a'.repeat(40) },
    message:
      /Input 'github-deployment' needs a token: leave 'github-token' at its default \(\$\{\{ github.token \}\}\) and give the job 'permissions: deployments: write'/
  },
  'github-deployment outside a GitHub Actions job': withInputs(
    { 'github-deployment': 'staging', 'github-token': 'token' },
    /Input 'github-deployment' works inside a GitHub Actions job only \(GITHUB_REPOSITORY and GITHUB_SHA are not set\); remove it elsewhere/
  ),
  'github-deployment longer than 255 characters': {
    inputs: { 'github-deployment': 'e'.repeat(256), 'github-token': 'token' },
    env: { GITHUB_REPOSITORY: 'octo/shop', GITHUB_SHA: 'a'.repeat(40) },
    message:
      /Input 'github-deployment' is 256 characters long, longer than GitHub's 255 characters for an environment name\. Use a shorter environment name/
  },
  'artifact-name with a slash': withInputs(
    { 'artifact-name': 'bundles/v1' },
    /Input 'artifact-name' 'bundles\/v1' has a character GitHub refuses in artifact names.*Use letters, digits, '-', '_' and '.'/
  ),
  'artifact-name outside a GitHub Actions job': withInputs(
    { 'artifact-name': 'bundle' },
    /Input 'artifact-name' works inside a GitHub Actions job only \(ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set\); remove it elsewhere/
  )
}

describe('bad input: inputs and environment', () => {
  badInputCases(t, CASES)
})
