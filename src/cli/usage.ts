/**
 * The CLI's --help: its flags, the action's inputs with their defaults and descriptions (from
 * action.yml, through the generated declared.ts), and the exit codes.
 */
import { DECLARED_INPUTS } from '../engine/inputs/declared.js'
import { INPUT_NAMES, defaultOf } from '../engine/inputs/names.js'

export const EXIT_CODES = {
  passed: 0,
  failed: 1,
  badInput: 2,
  interrupted: 130
} as const

const WIDTH = 100

/** `text` cut into lines of at most WIDTH characters, each after `indent` spaces. */
function wrap(text: string, indent: number): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines.map(l => `${' '.repeat(indent)}${l}`).join('\n')
}

function inputs(): string {
  return INPUT_NAMES.map(name => {
    const fallback = defaultOf(name)
    const head = `  --${name} <value>${fallback ? `   (default: ${fallback})` : ''}`
    return `${head}\n${wrap(DECLARED_INPUTS[name].description, 6)}`
  }).join('\n')
}

export function usage(): string {
  return `Usage: codedeploy-bridge [--<input> <value>]... [--json] [--summary-file <path>] [--verbose]

Packages a directory with appspec.yml, uploads it to S3 and deploys it with CodeDeploy, follows
the deployment and explains a failure: the GitHub Action's engine, from a terminal.

Examples:
  codedeploy-bridge --application my-app --deployment-group staging --bucket my-bundles --source ./deploy
  codedeploy-bridge --command wait --deployment-id d-A1B2C3D4E --json
      follow a deployment made by anyone to its end; exit 0 only when it Succeeded
  codedeploy-bridge --command stop --deployment-id d-A1B2C3D4E --rollback false
      stop it (rolling back unless --rollback false), then follow the stop and the rollback

Other flags:
  --json                  print one JSON object on stdout (headline, outcome, passed, outputs,
                          error); every log line goes to stderr
  --summary-file <path>   append the Markdown summary to this file
  --verbose               print debug lines
  -h, --help              show this text

Exit codes:
  ${EXIT_CODES.passed}    passed: the deployment succeeded (or was created with --wait false,
       packaged, skipped as superseded, left Ready with --on-ready exit, or no longer running
       after --command stop)
  ${EXIT_CODES.failed}    failed: the deployment failed, timed out or was stopped, or the run broke off
  ${EXIT_CODES.badInput}    bad input: a flag, an input or the appspec needs fixing; nothing was written
       to AWS
  ${EXIT_CODES.interrupted}  interrupted: Ctrl-C or SIGTERM cancelled the run, and its deployment was
       handled as --on-cancel says (a second Ctrl-C quits at once)

Credentials, region and endpoints come from the AWS environment: AWS_PROFILE, AWS_REGION,
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_CODEDEPLOY, AWS_ENDPOINT_URL_S3, …

Inputs (the action's input names, as --name value or --name=value; relative paths start at the
current directory):
${inputs()}`
}
