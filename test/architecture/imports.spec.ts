/**
 * Components meet only through the RPC client: a file of one component must
 * not import another component's files, and only the Cluster (which builds
 * everything) may import the libp2p host.
 */
import { strict as assert } from 'node:assert'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

/** Component folders, relative to src/. Shared code (rpc, config, api/types.ts ...) is not listed. */
const COMPONENTS = [
  'api/rest', 'api/ipfsproxy', 'api/pinsvc',
  'consensus', 'pintracker', 'ipfsconn', 'monitor', 'informer', 'allocator'
]
/** Areas only some others may import: the host is the Cluster's; the Cluster is the entry points'. */
const IMPORTABLE_ONLY_FROM: Record<string, string[]> = {
  host: ['cluster'],
  cluster: ['cli', 'index.ts']
}

function componentOf (file: string): string | undefined {
  const rel = relative(ROOT, file)
  return COMPONENTS.find((c) => rel === c || rel.startsWith(c + '/'))
}

function areaOf (file: string): string {
  return relative(ROOT, file).split('/')[0] ?? ''
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
export function importsOf (source: string): string[] {
  const specs: string[] = []
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[\w*{}\s,]*\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g
  ]
  for (const re of patterns) {
    for (const m of source.matchAll(re)) if (m[1] != null) specs.push(m[1])
  }
  return specs
}

export function violations (file: string, source: string): string[] {
  const found: string[] = []
  const from = componentOf(file)
  for (const spec of importsOf(source)) {
    if (!spec.startsWith('.')) continue
    const target = resolve(dirname(file), spec)
    const to = componentOf(target)
    if (from != null && to != null && to !== from) {
      found.push(`${relative(ROOT, file)} imports ${spec} (component ${to}) from component ${from}`)
    }
    const allowed = IMPORTABLE_ONLY_FROM[areaOf(target)]
    if (allowed != null && areaOf(file) !== areaOf(target) && !allowed.includes(areaOf(file))) {
      found.push(`${relative(ROOT, file)} imports ${spec}, which only ${allowed.join(' and ')} may import`)
    }
  }
  return found
}

async function sourceFiles (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...await sourceFiles(path))
    else if (entry.name.endsWith('.ts')) out.push(path)
  }
  return out
}

describe('architecture', function () {
  it('no component imports another component, and only the Cluster imports the host', async function () {
    const files = await sourceFiles(ROOT)
    assert.ok(files.length > 10, 'the source tree was found')
    const found: string[] = []
    for (const file of files) found.push(...violations(file, await readFile(file, 'utf8')))
    assert.deepEqual(found, [])
  })

  it('the check catches every form of import across components', function () {
    const file = join(ROOT, 'pintracker/tracker.ts')
    const cases = [
      "import { Pin } from '../consensus/state.ts'",
      "import type { Pin } from '../consensus/state.ts'",
      "export { Pin } from '../consensus/state.ts'",
      "const m = await import('../consensus/state.ts')",
      "import '../api/rest/index.ts'",
      "import { createClusterHost } from '../host/host.ts'",
      "import { Cluster } from '../cluster/cluster.ts'"
    ]
    for (const source of cases) assert.equal(violations(file, source).length, 1, source)
    assert.deepEqual(violations(file, "import { RpcClient } from '../rpc/client.ts'"), [])
    assert.deepEqual(violations(file, "import { x } from './queue.ts'"), [])
  })
})
