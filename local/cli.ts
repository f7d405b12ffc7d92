/**
 * `npm run local-stack [-- --config stack.json]`: starts the local S3 and CodeDeploy emulator on
 * free ports, prints the environment to point the AWS CLI or an SDK at them, and runs until
 * Ctrl-C. Without --config it serves DEMO_CONFIG (application demo-app, group demo-fleet with
 * three instances, bucket demo-bundles).
 */
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import type { EmulatorConfig } from './emulator/index.js'
import { failureEntry, stderrLog } from './guard.js'
import { DEMO_CONFIG, startLocalStack } from './stack.js'

interface StackFile extends EmulatorConfig {
  buckets?: string[]
}

// The servers guard their own handlers; this is the last resort, so that nothing the stack does
// ends it silently: whatever escapes is written with its stack, and the stack goes on serving.
process.on('uncaughtException', error => stderrLog(failureEntry('the local stack', error)))
process.on('unhandledRejection', reason =>
  stderrLog(failureEntry('the local stack (a promise nobody awaited)', reason))
)

async function main(): Promise<void> {
  const at = process.argv.indexOf('--config')
  const file = at >= 0 ? process.argv[at + 1] : undefined
  const config: StackFile = file
    ? (parse(await readFile(file, 'utf8')) as StackFile)
    : { ...DEMO_CONFIG, buckets: ['demo-bundles'] }
  const stack = await startLocalStack({
    config,
    buckets: config.buckets ?? ['demo-bundles'],
    stepDelayMs: 250
  })
  const exports = Object.entries(stack.env)
    .map(([k, v]) => `export ${k}=${v}`)
    .join('\n')
  console.log(`Local stack is up. Paste this into another shell:\n\n${exports}\n`)
  console.log('Then, for example:')
  console.log(
    '  aws deploy list-deployment-groups --application-name demo-app --endpoint-url $AWS_ENDPOINT_URL_CODEDEPLOY'
  )
  console.log(
    '  node dist/cli/index.js --application demo-app --deployment-group demo-fleet --bucket demo-bundles --source examples/app'
  )
  console.log(
    '  node dist/cli/index.js --command wait --deployment-id <id>   (or --command stop; a deployment made by anyone)'
  )
  console.log(
    `  curl -X PUT -d '{"throttleRate":0.3,"latencyMs":200}' $AWS_ENDPOINT_URL_CODEDEPLOY/_emulator/faults`
  )
  console.log(
    `\nSimulated instances live under ${stack.codedeploy.directory}/instances. Ctrl-C stops everything.`
  )
  const stop = (): void => {
    void stack.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

await main()
