/**
 * Every route of the proxy. Pin, repo, put and add commands go through the
 * cluster whatever the IPFS connector; with the embedded node the common
 * read commands are answered from it too; the catch-all comes last.
 */
import { registerAdd } from './add.ts'
import { registerBlocks } from './blocks.ts'
import { registerCat } from './cat.ts'
import { registerDagGet } from './dag-get.ts'
import { registerForward } from './forward.ts'
import { registerNodeInfo } from './node.ts'
import { registerPinLs } from './pin-ls.ts'
import { registerPins } from './pins.ts'
import { registerPuts } from './puts.ts'
import { registerRefs } from './refs.ts'
import { registerRepo } from './repo.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'

export function registerRoutes (app: FastifyInstance, ctx: ProxyContext): void {
  for (const register of [registerPins, registerPinLs, registerRepo, registerPuts, registerAdd]) register(app, ctx)
  if (ctx.node == null) {
    for (const register of [registerNodeInfo, registerCat, registerBlocks, registerDagGet, registerRefs]) register(app, ctx)
  }
  registerForward(app, ctx)
}
