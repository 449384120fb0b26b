import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const PROCESS_SETUP = fileURLToPath(new URL('../../src/cli/service/process/index.ts', import.meta.url))

/** Runs an ES module script in a fresh Node, from the project folder (so it finds node_modules). */
async function script (source: string, nodeArgs: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeArgs, '--input-type=module', '-e', source], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    timeout: 60_000
  })
  return stdout.trim()
}

/** Allocates steadily, keeping a share alive for a while, then prints the largest young generation seen, in MiB. */
const ALLOCATE = `
  const { getHeapSpaceStatistics } = await import('node:v8')
  const kept = []
  let largest = 0
  for (let i = 0; i < 2e6; i++) {
    const o = { i, list: new Array(20).fill(i) }
    if (i % 10 === 0) kept.push(o)
    if (kept.length > 100000) kept.splice(0, 50000)
    if (i % 50000 === 0) largest = Math.max(largest, getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)
  }
  console.log(largest / 1048576)
`

/** Allocates objects that outlive a few collections, then die: old-generation garbage. Prints the largest heap used, in MiB. */
const AGE = `
  const window = []
  let largest = 0
  for (let i = 0; i < 3e6; i++) {
    window.push({ i, s: 'x' + i, list: [i, i + 1, i + 2] })
    if (window.length > 200000) window.splice(0, 100000)
    if (i % 20000 === 0) largest = Math.max(largest, process.memoryUsage().heapUsed)
  }
  console.log(largest / 1048576)
`

describe('cluster-service process set-up', function () {
  it('keeps the young generation at its starting size, where V8 alone grows it', async function () {
    const prepared = Number(await script(`(await import(${JSON.stringify(PROCESS_SETUP)})).prepareServiceProcess()\n${ALLOCATE}`))
    const alone = Number(await script(ALLOCATE))
    // about 2 MiB (4 MiB seen on a loaded machine), where V8 alone reaches 128 MiB
    assert.ok(prepared <= 8, `young generation ${prepared} MiB`)
    assert.ok(alone >= 4 * prepared, `V8 alone grew it to ${alone} MiB only`)
  })

  it('collects the old generation before it grows far past what it holds', async function () {
    const prepared = Number(await script(`(await import(${JSON.stringify(PROCESS_SETUP)})).prepareServiceProcess()\n${AGE}`))
    const alone = Number(await script(AGE))
    assert.ok(prepared < alone * 0.6, `largest heap ${prepared} MiB, ${alone} MiB when V8 is left alone`)
  })

  it('leaves the young generation to an operator who sized it on the command line', async function () {
    const sized = Number(await script(`(await import(${JSON.stringify(PROCESS_SETUP)})).prepareServiceProcess()\n${ALLOCATE}`, ['--max-semi-space-size=8']))
    assert.ok(sized > 8, `young generation ${sized} MiB`)
  })

  it('answers Helia\'s unused defaults with stand-ins that say so, and Helia still loads', async function () {
    const out = await script(`
      (await import(${JSON.stringify(PROCESS_SETUP)})).prepareServiceProcess()
      const { libp2pDefaults, withLibp2pLight } = await import('@helia/libp2p')
      const { createHeliaLight } = await import('helia')
      try { libp2pDefaults() } catch (err) { console.log(err.name + ': ' + err.message) }
      console.log(typeof withLibp2pLight, typeof createHeliaLight)
    `)
    const [error, loaded] = out.split('\n')
    assert.match(error ?? '', /^NotLoadedError: @helia\/libp2p libp2pDefaults\(\) is not loaded in cluster-service/)
    assert.equal(loaded, 'function function')
  })
})
