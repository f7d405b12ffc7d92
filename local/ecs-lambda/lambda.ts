/**
 * The Lambda stand-in: the calls the action makes, in REST JSON as Lambda speaks it under
 * `/2015-03-31/functions/`: GetAlias, PublishVersion, GetFunction, GetFunctionConfiguration and
 * ListVersionsByFunction. Errors carry `x-amzn-ErrorType` and `{"Type","Message"}` with the
 * service's status codes (404 for a missing function, version or alias).
 */
import type { InjectedFailures, StackLog } from '../guard.js'
import { jsonObject, serve, StandInError, type LocalServer } from './http.js'
import { ACCOUNT, REGION, type Alias, type LambdaFunction, type World } from './world.js'

const PREFIX = '/2015-03-31/functions/'
const MODIFIED = '2026-01-01T00:00:00.000+0000'

function notFound(what: string): StandInError {
  return new StandInError('ResourceNotFoundException', what, 404)
}

/** A function by name, ARN or partial ARN, with the qualifier the name may carry. */
function findFunction(world: World, raw: string): { fn: LambdaFunction; qualifier?: string } {
  const ref = decodeURIComponent(raw)
  const parts = ref.split(':')
  let name = ref
  let qualifier: string | undefined
  if (ref.startsWith('arn:')) [name, qualifier] = [parts[6] ?? '', parts[7]]
  else if (parts.length >= 3 && parts[1] === 'function') [name, qualifier] = [parts[2]!, parts[3]]
  else if (parts.length === 2) [name, qualifier] = [parts[0]!, parts[1]]
  const fn = world.functions.get(name)
  if (!fn)
    throw notFound(`Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`)
  return { fn, ...(qualifier ? { qualifier } : {}) }
}

function configuration(fn: LambdaFunction, version: string): Record<string, unknown> {
  return {
    FunctionName: fn.name,
    FunctionArn: version === '$LATEST' ? fn.arn : `${fn.arn}:${version}`,
    Runtime: 'nodejs20.x',
    Role: `arn:aws:iam::${ACCOUNT}:role/${fn.name}-role`,
    Handler: 'index.handler',
    CodeSize: 1024,
    Description: '',
    Timeout: 3,
    MemorySize: 128,
    LastModified: MODIFIED,
    CodeSha256: fn.codeSha256,
    Version: version,
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64']
  }
}

/** The version a qualifier names: $LATEST, a published version, or an alias's version. */
function resolve(fn: LambdaFunction, qualifier: string | undefined): string {
  if (!qualifier || qualifier === '$LATEST') return '$LATEST'
  if (fn.versions.includes(qualifier)) return qualifier
  const alias = fn.aliases.get(qualifier)
  if (alias) return alias.functionVersion
  throw notFound(`Function not found: ${fn.arn}:${qualifier}`)
}

export function aliasConfiguration(fn: LambdaFunction, alias: Alias): Record<string, unknown> {
  return {
    AliasArn: `${fn.arn}:${alias.name}`,
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: '',
    ...(alias.weights ? { RoutingConfig: { AdditionalVersionWeights: alias.weights } } : {}),
    RevisionId: alias.revisionId
  }
}

function route(world: World, method: string, url: URL, body: string): [number, unknown] {
  const rest = url.pathname.slice(PREFIX.length).split('/')
  const { fn, qualifier } = findFunction(world, rest[0] ?? '')
  const sub = rest.slice(1)
  const query = url.searchParams.get('Qualifier') ?? qualifier
  if (method === 'GET' && sub.length === 0) {
    const version = resolve(fn, query)
    return [
      200,
      {
        Configuration: configuration(fn, version),
        Code: { RepositoryType: 'S3', Location: `https://awslambda.local/${fn.name}/${version}` }
      }
    ]
  }
  if (method === 'GET' && sub.length === 1 && sub[0] === 'configuration')
    return [200, configuration(fn, resolve(fn, query))]
  if (method === 'GET' && sub.length === 2 && sub[0] === 'aliases') {
    const alias = fn.aliases.get(decodeURIComponent(sub[1]!))
    if (!alias) throw notFound(`Alias not found: ${fn.arn}:${decodeURIComponent(sub[1]!)}`)
    return [200, aliasConfiguration(fn, alias)]
  }
  if (sub.length === 1 && sub[0] === 'versions') {
    if (method === 'GET')
      return [200, { Versions: ['$LATEST', ...fn.versions].map(v => configuration(fn, v)) }]
    if (method === 'POST') {
      const input = jsonObject(
        body,
        () => new StandInError('InvalidRequestContentException', 'Could not parse request body.')
      )
      if (typeof input.RevisionId === 'string' && input.RevisionId !== fn.revisionId)
        throw new StandInError(
          'PreconditionFailedException',
          'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
          412
        )
      if (typeof input.CodeSha256 === 'string' && input.CodeSha256 !== fn.codeSha256)
        throw new StandInError(
          'InvalidParameterValueException',
          'CodeSHA256 does not match the code of $LATEST.'
        )
      return [201, configuration(fn, world.publishVersion(fn))]
    }
  }
  throw new StandInError('UnknownOperationException', `No operation for ${method} ${url.pathname}`)
}

export function startLambda(
  world: World,
  log: StackLog,
  failures: InjectedFailures
): Promise<LocalServer> {
  return serve({
    name: 'Lambda stand-in',
    log,
    failures,
    handle: request => {
      if (!request.url.pathname.startsWith(PREFIX))
        throw new StandInError('UnknownOperationException', 'Unknown operation', 404)
      const [status, body] = route(world, request.method, request.url, request.body)
      return { status, body }
    },
    onError: error => ({
      status: error.status,
      body: { Type: error.status >= 500 ? 'Service' : 'User', Message: error.message },
      errorType: error.type
    })
  })
}
