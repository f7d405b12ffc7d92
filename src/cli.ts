#!/usr/bin/env node
/** Terminal entry: `node dist/cli/index.js --help`. */
import { main } from './cli/main.js'

process.exitCode = await main(process.argv.slice(2))
