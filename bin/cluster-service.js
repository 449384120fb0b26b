#!/usr/bin/env node
import { prepareServiceProcess } from '../src/cli/service/process/index.ts'

// before the daemon's modules are resolved: a static import would load them first
prepareServiceProcess()
const { main } = await import('../src/cli/service/main.ts')
process.exit(await main(process.argv.slice(2)))
