/**
 * The configuration folder: where it is, creating it (`cluster-service
 * init`) and loading it for the daemon.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { logger } from '@libp2p/logger'
import { defaultServiceConfig } from './defaults.ts'
import { ConfigError, ValueProblem } from './errors.ts'
import { freePorts } from './free-ports.ts'
import { IDENTITY_FILE, generateIdentity, parseIdentity, serializeIdentity } from './identity.ts'
import { parseSecret } from './kinds.ts'
import { SERVICE_FILE } from './parse.ts'
import { resolveServiceConfig } from './resolve.ts'
import { serializeServiceConfig } from './serialize.ts'
import type { Environment } from './env.ts'
import type { Identity } from './identity.ts'
import type { IpfsConnectorType, ServiceConfig } from './types.ts'

const log = logger('pincluster:config')

/** IPFS Cluster's variable for the configuration folder. */
export const CONFIG_FOLDER_ENV = 'IPFS_CLUSTER_PATH'
export const DEFAULT_CONFIG_FOLDER_NAME = '.ipfs-cluster'

/** The folder: the --config flag, else $IPFS_CLUSTER_PATH, else ~/.ipfs-cluster; absolute. */
export function configFolder (flag: string | undefined, env: Environment = process.env): string {
  if (flag !== undefined && flag !== '') return resolve(flag)
  const fromEnv = env[CONFIG_FOLDER_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv)
  return join(homedir(), DEFAULT_CONFIG_FOLDER_NAME)
}

export interface InitOptions {
  /** Overwrite existing files. */
  force?: boolean
  /** The cluster secret, 64 hex characters; a fresh random one otherwise. */
  secret?: string
  /** Defaults to the hostname. */
  peername?: string
  /** Free ports on 127.0.0.1 for the cluster listen address, the REST API, the embedded IPFS node, the IPFS proxy and the Pinning Service API, instead of 9096, 9094, 4001, 9095 and 9097. */
  randomPorts?: boolean
  /** `ipfs_connector.type`; the default's otherwise (`cluster-service init` probes for a Kubo API to choose). */
  ipfsConnector?: IpfsConnectorType
  signal?: AbortSignal
}

export interface InitResult {
  servicePath: string
  identityPath: string
  peerId: string
}

export interface LoadedConfig {
  folder: string
  service: ServiceConfig
  identity: Identity
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

/** Writes a file readable by its owner only, atomically (a temporary file renamed over it). */
async function writePrivateFile (path: string, text: string, signal?: AbortSignal): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx', signal })
    await chmod(temporary, 0o600) // the umask may have taken bits off
    await rename(temporary, path)
  } catch (err) {
    await unlink(temporary).catch(() => {})
    if (signal?.aborted === true) throw err
    throw new ConfigError({ source: path, problem: `cannot be written: ${(err as Error).message}`, cause: err })
  }
}

/** Creates the folder with a new service.json and identity.json. */
export async function initConfig (folder: string, opts: InitOptions = {}): Promise<InitResult> {
  const { signal } = opts
  signal?.throwIfAborted()
  const servicePath = join(folder, SERVICE_FILE)
  const identityPath = join(folder, IDENTITY_FILE)

  let secret: Uint8Array | undefined
  if (opts.secret !== undefined) {
    try {
      secret = parseSecret(opts.secret)
    } catch (err) {
      if (!(err instanceof ValueProblem)) throw err
      throw new ConfigError({ source: 'the secret given to init', key: 'cluster.secret', problem: err.message })
    }
  }

  if (opts.force !== true) {
    for (const path of [servicePath, identityPath]) {
      if (await exists(path)) throw new ConfigError({ source: path, problem: 'already exists: use --force to overwrite it' })
    }
  }

  const service = defaultServiceConfig({ secret, peername: opts.peername === '' ? undefined : opts.peername })
  if (opts.randomPorts === true) {
    const [clusterPort, apiPort, embeddedIpfsPort, proxyPort, pinsvcPort] = await freePorts(5, signal)
    service.cluster.listen_multiaddress = [`/ip4/0.0.0.0/tcp/${clusterPort}`]
    service.api.restapi.http_listen_multiaddress = [`/ip4/127.0.0.1/tcp/${apiPort}`]
    service.api.ipfsproxy.listen_multiaddress = [`/ip4/127.0.0.1/tcp/${proxyPort}`]
    service.api.pinsvcapi.http_listen_multiaddress = [`/ip4/127.0.0.1/tcp/${pinsvcPort}`]
    service.ipfs_connector.embedded.listen_multiaddress = [`/ip4/0.0.0.0/tcp/${embeddedIpfsPort}`]
  }
  if (opts.ipfsConnector !== undefined) service.ipfs_connector.type = opts.ipfsConnector
  const identity = await generateIdentity()

  signal?.throwIfAborted()
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new ConfigError({ source: folder, problem: `cannot be created: ${(err as Error).message}`, cause: err })
  }
  await writePrivateFile(identityPath, serializeIdentity(identity), signal)
  await writePrivateFile(servicePath, serializeServiceConfig(service), signal)
  log('initialized %s for peer %s', folder, identity.id)
  return { servicePath, identityPath, peerId: identity.id }
}

async function readConfigFile (path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError({ source: path, problem: 'not found: run `cluster-service init` to create it', cause: err })
    }
    throw new ConfigError({ source: path, problem: `cannot be read: ${(err as Error).message}`, cause: err })
  }
}

/** Reads service.json (with the environment's overrides) and identity.json. */
export async function loadConfig (folder: string, env: Environment = process.env): Promise<LoadedConfig> {
  const servicePath = join(folder, SERVICE_FILE)
  const identityPath = join(folder, IDENTITY_FILE)
  const service = resolveServiceConfig(await readConfigFile(servicePath), servicePath, env)
  const identity = parseIdentity(await readConfigFile(identityPath), identityPath)
  log('loaded %s for peer %s', folder, identity.id)
  return { folder: resolve(folder), service, identity }
}
