/**
 * Proxied runners: the action, run as its own process from source, with a real forward proxy
 * between it and the local stack and a stand-in GitHub API that only the proxy can reach.
 */
import { describe, expect, it } from '@jest/globals'
import { ListApplicationsCommand } from '@aws-sdk/client-codedeploy'
import path from 'node:path'
import { runAction } from '../local/run-action.js'
import { createClients } from '../src/aws.js'
import { bypassesProxy, describeProxy, proxyForRequest } from '../src/proxy.js'
import { startForwardProxy, type ForwardProxy } from './helpers/forward-proxy.js'
import { startFakeGitHubApi, type FakeGitHubApi } from './helpers/github-api.js'
import { appspec } from './helpers/revisions.js'
import { useTestStack } from './helpers/stack.js'

let proxy: ForwardProxy
let github: FakeGitHubApi
let githubPort = 0
let releases = 0

const t = useTestStack({
  groups: { web: 1 },
  env: {
    GITHUB_SHA: 'c'.repeat(40),
    GITHUB_REPOSITORY: 'octo/shop',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '5'
  },
  server: async () => {
    proxy = await startForwardProxy()
    github = await startFakeGitHubApi()
    githubPort = Number(new URL(github.url).port)
    // A name only the proxy resolves: the GitHub API is reachable through it or not at all.
    return {
      env: { GITHUB_API_URL: `http://api.github.test:${githubPort}` },
      close: async () => {
        await github.close()
        await proxy.close()
      }
    }
  }
})

const endpoint = (name: string): { host: string; port: number } => {
  const url = new URL(t.env[name]!)
  return { host: url.hostname, port: Number(url.port) }
}

async function deploy(proxyEnv: Record<string, string>) {
  const source = await t.source({
    'appspec.yml': appspec({}),
    'site/index.html': `release ${++releases}`
  })
  const proxied = proxy.requests.length
  const calls = t.stack.codedeploy.calls.length
  const result = await runAction({
    inputs: {
      application: 'shop',
      'deployment-group': 'web',
      bucket: 'bundles',
      source,
      'github-deployment': 'web',
      'github-token': 'ghs_proxyTestToken'
    },
    env: { ...t.env, ...proxyEnv },
    cwd: t.workspace,
    entry: path.resolve('src/index.ts')
  })
  return {
    result,
    through: proxy.requests.slice(proxied),
    codedeployCalls: t.stack.codedeploy.calls.length - calls
  }
}

describe('a runner behind a proxy', () => {
  it('sends every CodeDeploy, S3 and GitHub API call of a deployment through HTTP_PROXY', async () => {
    const { result, through, codedeployCalls } = await deploy({ HTTP_PROXY: proxy.url })
    expect(result.log).toContain(`Proxy for AWS calls: http via ${proxy.url}.`)
    expect(result.code).toBe(0)
    const codedeploy = endpoint('AWS_ENDPOINT_URL_CODEDEPLOY')
    const s3 = endpoint('AWS_ENDPOINT_URL_S3')
    const at = (host: string, port: number) =>
      through.filter(r => r.host === host && r.port === port)
    // Plain HTTP endpoints: forwarded with absolute URLs, one proxied request per call received.
    expect(codedeployCalls).toBeGreaterThan(3)
    expect(at(codedeploy.host, codedeploy.port)).toHaveLength(codedeployCalls)
    expect(at(s3.host, s3.port).map(r => r.method)).toContain('PUT')
    // The GitHub API, through a CONNECT tunnel to a host only the proxy can resolve.
    expect(at('api.github.test', githubPort).map(r => r.method)).toContain('CONNECT')
    expect(github.requests.map(r => r.body.state ?? r.path)).toEqual(
      expect.arrayContaining(['/repos/octo/shop/deployments', 'in_progress', 'success'])
    )
  })

  it('reaches the hosts in no_proxy directly, and the others through http_proxy (lower case)', async () => {
    const { result, through, codedeployCalls } = await deploy({
      http_proxy: proxy.url,
      no_proxy: '127.0.0.1'
    })
    expect(result.code).toBe(0)
    expect(codedeployCalls).toBeGreaterThan(3)
    expect(through.filter(r => r.host === '127.0.0.1')).toEqual([])
    expect(through.filter(r => r.host === 'api.github.test').length).toBeGreaterThan(0)
  })

  it('tunnels calls to an https endpoint with CONNECT through HTTPS_PROXY', async () => {
    const codedeploy = endpoint('AWS_ENDPOINT_URL_CODEDEPLOY')
    const saved = { ...process.env }
    Object.assign(process.env, t.env, {
      HTTPS_PROXY: proxy.url,
      AWS_ENDPOINT_URL_CODEDEPLOY: `https://codedeploy.test:${codedeploy.port}`
    })
    const before = proxy.requests.length
    const clients = await createClients({ maxAttempts: 1 })
    try {
      // The emulator speaks plain HTTP, so the TLS handshake inside the tunnel fails; the tunnel
      // to a name only the proxy resolves shows which way the call went.
      await expect(clients.codedeploy.send(new ListApplicationsCommand({}))).rejects.toThrow()
      expect(proxy.requests.slice(before)).toEqual([
        { method: 'CONNECT', host: 'codedeploy.test', port: codedeploy.port }
      ])
    } finally {
      clients.codedeploy.destroy()
      clients.s3.destroy()
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  })
})

describe('the proxy variables', () => {
  const env = {
    https_proxy: 'http://lower:3128',
    HTTPS_PROXY: 'http://upper:3128',
    HTTP_PROXY: 'proxy.corp:8080'
  }

  it('pick the proxy by the endpoint scheme, lower case first, http:// when none is given', () => {
    expect(proxyForRequest('https', 's3.amazonaws.com', 443, env)).toBe('http://lower:3128')
    expect(proxyForRequest('http', '10.0.0.5', 80, env)).toBe('http://proxy.corp:8080')
    expect(proxyForRequest('https', 's3.amazonaws.com', 443, { HTTP_PROXY: 'http://p:1' })).toBe(
      undefined
    )
  })

  it('NO_PROXY matches hosts, their subdomains, IP addresses, ports and *', () => {
    const noProxy = (list: string) => ({ NO_PROXY: list })
    expect(bypassesProxy('s3.eu-west-1.amazonaws.com', 443, noProxy('amazonaws.com'))).toBe(true)
    expect(bypassesProxy('b.s3.amazonaws.com', 443, noProxy('.s3.amazonaws.com'))).toBe(true)
    expect(bypassesProxy('s3.amazonaws.com', 443, noProxy('*.s3.amazonaws.com'))).toBe(true)
    expect(bypassesProxy('notamazonaws.com', 443, noProxy('amazonaws.com'))).toBe(false)
    expect(bypassesProxy('127.0.0.1', 9000, noProxy('localhost, 127.0.0.1'))).toBe(true)
    expect(bypassesProxy('internal', 8443, noProxy('internal:443'))).toBe(false)
    expect(bypassesProxy('internal', 443, noProxy('internal:443'))).toBe(true)
    expect(bypassesProxy('[::1]', 80, noProxy('::1'))).toBe(true)
    expect(bypassesProxy('[::1]', 80, noProxy('[::1]:81'))).toBe(false)
    expect(bypassesProxy('anything', 1, { no_proxy: '*' })).toBe(true)
  })

  it('are told in one line, without the credentials of the proxy URL', () => {
    expect(
      describeProxy({ HTTPS_PROXY: 'http://user:secret@proxy:3128', NO_PROXY: '.internal' })
    ).toBe('Proxy for AWS calls: https via http://proxy:3128; direct for NO_PROXY .internal.')
    expect(describeProxy({})).toBeUndefined()
  })
})
