/**
 * Proxies for the AWS calls, from the environment a proxied runner sets: `HTTPS_PROXY` for https
 * endpoints, `HTTP_PROXY` for http ones, `NO_PROXY` for the hosts reached directly; lower-case
 * names win over upper-case ones, as in curl and the GitHub toolkit. The AWS SDK reads none of
 * them itself. (The GitHub API calls get the same variables from @actions/github.)
 *
 * The choice is made per request, since a client reaches more than one host (S3 puts the bucket in
 * the host name). Tunnelling (CONNECT) and forwarding are done by https-proxy-agent and
 * http-proxy-agent, loaded only when a proxy is configured.
 */
import http from 'node:http'
import https from 'node:https'

type Env = NodeJS.ProcessEnv

function variable(env: Env, name: string): string | undefined {
  return env[name.toLowerCase()] || env[name.toUpperCase()] || undefined
}

/** The proxy URL the environment names for `protocol` ('http' or 'https'), if any. */
export function proxyFor(protocol: 'http' | 'https', env: Env = process.env): string | undefined {
  const value = variable(env, `${protocol}_proxy`)?.trim()
  if (!value) return undefined
  return value.includes('://') ? value : `http://${value}`
}

/** A `NO_PROXY` entry: `host`, `host:port`, `[v6 address]`, `[v6 address]:port` or a bare v6 address. */
function parseEntry(entry: string): { name: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
  if (bracketed)
    return { name: bracketed[1]!, ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) }
  const hostPort = /^([^:]+):(\d+)$/.exec(entry)
  if (hostPort) return { name: hostPort[1]!, port: Number(hostPort[2]) }
  return { name: entry }
}

/**
 * Whether `NO_PROXY` sends `host:port` directly. Entries are separated by commas or spaces: `*`
 * (every host), a host name (that host and its subdomains; a leading `.` or `*.` means the same)
 * or an IP address, each optionally with `:port`.
 */
export function bypassesProxy(host: string, port: number, env: Env = process.env): boolean {
  const list = variable(env, 'no_proxy')
  if (!list) return false
  const hostname = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  return list
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean)
    .some(raw => {
      if (raw === '*') return true
      const entry = parseEntry(raw)
      if (entry.port !== undefined && entry.port !== port) return false
      const name = entry.name.replace(/^\*?\./, '')
      return hostname === name || hostname.endsWith(`.${name}`)
    })
}

/** The proxy for a request to `protocol://host:port`, or undefined to connect directly. */
export function proxyForRequest(
  protocol: 'http' | 'https',
  host: string,
  port: number,
  env: Env = process.env
): string | undefined {
  const proxy = proxyFor(protocol, env)
  return proxy && !bypassesProxy(host, port, env) ? proxy : undefined
}

/** Whether any proxy variable is set, i.e. whether the SDK's own agents need replacing. */
export function proxyConfigured(env: Env = process.env): boolean {
  return proxyFor('https', env) !== undefined || proxyFor('http', env) !== undefined
}

/** What node's http module calls on an agent for each request (not in @types/node). */
interface RequestTaker {
  addRequest(
    req: http.ClientRequest,
    options: http.RequestOptions & { secureEndpoint?: boolean }
  ): void
}

/** The proxy agents' classes, loaded when a proxy is configured. */
interface ProxyAgentClasses {
  http: new (proxy: string, options: { keepAlive: boolean }) => http.Agent
  https: new (proxy: string, options: { keepAlive: boolean }) => http.Agent
}

/**
 * An agent that hands each request, as it is made, to a direct keep-alive agent or to a proxy
 * agent, as the environment says for the request's host. One for http endpoints, one for https.
 * The hand-over is synchronous, as the proxy agents need: the http proxy agent rewrites the
 * request line before the request writes its headers.
 */
class EnvironmentProxyAgent extends http.Agent implements RequestTaker {
  private readonly direct: http.Agent
  private readonly viaProxy = new Map<string, http.Agent>()

  constructor(
    private readonly scheme: 'http' | 'https',
    private readonly env: Env,
    private readonly classes: ProxyAgentClasses
  ) {
    super({ keepAlive: true })
    // What node checks a request's scheme against (an https.Agent says 'https:').
    Object.assign(this, { protocol: `${scheme}:`, defaultPort: scheme === 'https' ? 443 : 80 })
    const options = { keepAlive: true, maxSockets: 50 }
    this.direct = scheme === 'https' ? new https.Agent(options) : new http.Agent(options)
  }

  addRequest(req: http.ClientRequest, options: http.RequestOptions): void {
    const host = options.hostname ?? options.host ?? req.host
    const port = Number(options.port ?? (this.scheme === 'https' ? 443 : 80))
    const proxy = proxyForRequest(this.scheme, host, port, this.env)
    let agent = proxy ? this.viaProxy.get(proxy) : this.direct
    if (!agent && proxy) {
      agent = new this.classes[this.scheme](proxy, { keepAlive: true })
      this.viaProxy.set(proxy, agent)
    }
    ;(agent as unknown as RequestTaker).addRequest(req, {
      ...options,
      secureEndpoint: this.scheme === 'https'
    })
  }

  override destroy(): void {
    this.direct.destroy()
    for (const agent of this.viaProxy.values()) agent.destroy()
    super.destroy()
  }
}

export interface ProxyAgents {
  httpAgent: http.Agent
  httpsAgent: https.Agent
}

/** Agents for an SDK client's request handler, or undefined when no proxy is configured. */
export async function proxyAgents(env: Env = process.env): Promise<ProxyAgents | undefined> {
  if (!proxyConfigured(env)) return undefined
  const [{ HttpProxyAgent }, { HttpsProxyAgent }] = await Promise.all([
    import('http-proxy-agent'),
    import('https-proxy-agent')
  ])
  const classes: ProxyAgentClasses = { http: HttpProxyAgent, https: HttpsProxyAgent }
  return {
    httpAgent: new EnvironmentProxyAgent('http', env, classes),
    // It serves https requests through its delegates; the SDK's type asks for an https.Agent.
    httpsAgent: new EnvironmentProxyAgent('https', env, classes) as unknown as https.Agent
  }
}

/** A proxy URL fit for a log line: without its user name and password. */
export function redacted(proxy: string): string {
  try {
    const url = new URL(proxy)
    url.username = ''
    url.password = ''
    return url.toString().replace(/\/$/, '')
  } catch {
    return 'the configured proxy'
  }
}

/** One line saying which proxy the AWS calls use, or undefined when none is configured. */
export function describeProxy(env: Env = process.env): string | undefined {
  const https = proxyFor('https', env)
  const http = proxyFor('http', env)
  if (!https && !http) return undefined
  const parts = [
    https ? `https via ${redacted(https)}` : undefined,
    http ? `http via ${redacted(http)}` : undefined
  ].filter(Boolean)
  const bypass = variable(env, 'no_proxy')
  return `Proxy for AWS calls: ${parts.join(', ')}${bypass ? `; direct for NO_PROXY ${bypass}` : ''}.`
}
