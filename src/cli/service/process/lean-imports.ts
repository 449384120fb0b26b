/**
 * Keeps Helia's defaults out of the daemon's memory.
 *
 * `helia` and `@helia/libp2p` import, at load time, every module of the
 * configurations they offer: WebRTC, AutoTLS with an ACME client, UPnP, the
 * DHT, delegated routing, HTTP gateways. The embedded node builds its own
 * small libp2p host and Helia (createHeliaLight, withLibp2pLight) and calls
 * none of it, yet loading it costs every daemon about 20 MB of heap and more
 * of RSS. A bundler would drop these modules as unused; we have no bundle, so
 * a resolve hook answers the two imports that pull them in with a module
 * whose functions throw if ever called.
 *
 * Must run before Helia is imported: bin/cluster-service.js registers it,
 * then imports the daemon.
 */
import { registerHooks } from 'node:module'

const UNUSED = new URL('./unused-helia-defaults.ts', import.meta.url).href

/** [specifier, a part of the importing module's URL]: imports answered with UNUSED. */
const SKIPPED: ReadonlyArray<[string, string]> = [
  // @helia/libp2p's libp2pDefaults(): the full libp2p configuration
  ['./utils/libp2p-defaults.js', '/node_modules/@helia/libp2p/'],
  // helia's withHTTP(): Helia over HTTP gateways and delegated routing
  ['@helia/http', '/node_modules/helia/']
]

export function skipUnusedHeliaDefaults (): void {
  registerHooks({
    resolve (specifier, context, nextResolve) {
      const parent = context.parentURL ?? ''
      for (const [skipped, importer] of SKIPPED) {
        if (specifier === skipped && parent.includes(importer)) return { url: UNUSED, shortCircuit: true }
      }
      return nextResolve(specifier, context)
    }
  })
}
