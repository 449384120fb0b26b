/** The cluster-ctl process: bin/cluster-ctl.js imports this module. */
import { main } from './ctl.ts'

const cancel = new AbortController()
process.once('SIGINT', () => { cancel.abort(new Error('cancelled')) })
// output piped into a reader that quits early (| head): stop quietly
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})

process.exitCode = await main(process.argv.slice(2), { cancel: cancel.signal })
