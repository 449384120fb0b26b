/**
 * Which IPFS connector `cluster-service init` writes: `--ipfs` when given,
 * else `kubo` when an IPFS API answers at the configured node_multiaddress
 * (the default, or its environment override), else `embedded`, so that a
 * fresh machine runs a complete cluster with one command.
 */
import { applyEnvOverrides, defaultServiceConfig } from '../../config/index.ts'
import { ipfsApiAnswers } from '../../ipfsconn/kubo/probe.ts'
import type { IpfsConnectorType } from '../../config/index.ts'
import type { Environment } from '../../config/index.ts'

export const IPFS_CONNECTOR_TYPES: readonly IpfsConnectorType[] = ['kubo', 'embedded']

/** How long init waits for the IPFS API to answer. */
const PROBE_TIMEOUT = 1500

export interface IpfsChoice {
  type: IpfsConnectorType
  /** Why, for the user. */
  reason: string
}

function configuredApiAddress (env: Environment): string {
  const defaults = defaultServiceConfig()
  try {
    return applyEnvOverrides(defaults, env).config.ipfs_connector.ipfshttp.node_multiaddress
  } catch {
    // a bad variable is reported when the daemon loads the configuration
    return defaults.ipfs_connector.ipfshttp.node_multiaddress
  }
}

export function isIpfsConnectorType (value: string): value is IpfsConnectorType {
  return (IPFS_CONNECTOR_TYPES as readonly string[]).includes(value)
}

export async function chooseIpfsConnector (forced: IpfsConnectorType | undefined, env: Environment = process.env): Promise<IpfsChoice> {
  if (forced !== undefined) return { type: forced, reason: 'as asked with --ipfs' }
  const address = configuredApiAddress(env)
  if (await ipfsApiAnswers(address, { timeoutMs: PROBE_TIMEOUT })) return { type: 'kubo', reason: `an IPFS API answers at ${address}` }
  return { type: 'embedded', reason: `no IPFS API answers at ${address}` }
}
