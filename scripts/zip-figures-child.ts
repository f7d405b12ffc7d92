/**
 * One packaging run for scripts/zip-figures.ts, in its own process (built with ncc, as the action
 * is), so that its peak RSS is its own. Prints one JSON line.
 *   node <built>/index.js <source> <out.zip>
 */
import { createBundle } from '../src/engine/bundle/index.js'

const [source, outFile] = process.argv.slice(2)
if (!source || !outFile) throw new Error('usage: zip-figures-child <source> <out.zip>')
const started = performance.now()
const cpu = process.cpuUsage()
const result = await createBundle({ source, type: 'zip', outFile })
const used = process.cpuUsage(cpu)
console.log(
  JSON.stringify({
    ms: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    bytes: result.size,
    maxRssMb: process.resourceUsage().maxRSS / 1024
  })
)
