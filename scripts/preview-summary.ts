/**
 * `npm run preview-summary`: the job summaries of three runs of the action from source against
 * the local stack (a deployment that succeeds, a broken one that CodeDeploy rolls back, and a
 * package run), rendered as GitHub renders GITHUB_STEP_SUMMARY (GitHub-flavoured Markdown, HTML
 * such as <details> kept) into summary-preview/<run>.html, and, when Chromium is installed
 * (Debian's `chromium` package), a screenshot of each as summary-preview/<run>.png, to look at a
 * change to the summary as people will see it.
 */
import { spawnSync } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { marked } from 'marked'
import { runAction } from '../local/run-action.js'
import { DEMO_CONFIG, startLocalStack } from '../local/stack.js'

const OUT = path.resolve('summary-preview')

/** A plain stylesheet close to github.com's Markdown: what matters is tables, details, code. */
const STYLE = `
body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  color: #1f2328; margin: 0; padding: 24px; background: #f6f8fa; }
main { max-width: 1012px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px;
  padding: 16px 32px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
h3 { font-size: 1.25em; }
table { border-collapse: collapse; display: block; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
tr:nth-child(2n) { background: #f6f8fa; }
code { background: #eff1f3; border-radius: 6px; padding: .2em .4em; font-size: 85%; }
pre { background: #f6f8fa; border-radius: 6px; padding: 16px; overflow: auto; }
pre code { background: none; padding: 0; }
a { color: #0969da; }
hr { border: 0; border-top: 4px solid #d1d9e0; }`

function page(title: string, markdown: string): string {
  const body = marked.parse(markdown, { gfm: true, async: false })
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>\n`
}

function chromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    if (spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0) return name
  }
  return undefined
}

async function main(): Promise<number> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'cdb-preview-'))
  const stack = await startLocalStack({
    config: DEMO_CONFIG,
    buckets: ['demo-bundles'],
    stepDelayMs: 20
  })
  const summaries: [string, string][] = []
  try {
    await cp('examples/app', path.join(workspace, 'app'), { recursive: true })
    const run = async (name: string, inputs: Record<string, string>): Promise<void> => {
      const result = await runAction({
        inputs: { bucket: 'demo-bundles', 'key-prefix': 'demo-app/', source: 'app', ...inputs },
        env: {
          ...stack.env,
          NODE_NO_WARNINGS: '1',
          GITHUB_WORKSPACE: workspace,
          GITHUB_SHA: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
          GITHUB_REF_NAME: 'main',
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: 'example/demo-app',
          GITHUB_RUN_ID: '1'
        },
        cwd: workspace,
        entry: path.resolve('src/index.ts')
      })
      console.log(`${name}: exit code ${result.code}`)
      summaries.push([name, result.summary])
    }
    const target = { application: 'demo-app', 'deployment-group': 'demo-fleet' }
    await run('success', target)
    await writeFile(path.join(workspace, 'app/site/health.conf'), 'healthy=false\n')
    await run('failure-with-rollback', target)
    await run('package', { command: 'package', application: 'demo-app' })
  } finally {
    await stack.close()
    await rm(workspace, { recursive: true, force: true })
  }

  await mkdir(OUT, { recursive: true })
  const browser = chromium()
  for (const [name, markdown] of summaries) {
    await writeFile(path.join(OUT, `${name}.md`), markdown)
    const html = path.join(OUT, `${name}.html`)
    await writeFile(html, page(name, markdown))
    if (browser) {
      spawnSync(
        browser,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--hide-scrollbars',
          `--screenshot=${path.join(OUT, `${name}.png`)}`,
          '--window-size=1100,1300',
          `file://${html}`
        ],
        { stdio: 'ignore' }
      )
    }
  }
  console.log(
    `Summaries in ${OUT}: ${summaries.map(([n]) => `${n}.html`).join(', ')}` +
      (browser
        ? `, with screenshots (${browser}).`
        : '. Install Chromium (apt-get install chromium) for screenshots.')
  )
  const missing = summaries.filter(([, markdown]) => !markdown.trim()).map(([n]) => n)
  if (missing.length) console.log(`No summary from: ${missing.join(', ')}`)
  return missing.length ? 1 : 0
}

process.exitCode = await main()
