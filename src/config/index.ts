/**
 * The configuration: service.json, identity.json, environment overrides and
 * the folder that holds them.
 */
export { ConfigError } from './errors.ts'
export type { ConfigErrorInit } from './errors.ts'
export { defaultServiceConfig, randomSecret } from './defaults.ts'
export type { DefaultsInit } from './defaults.ts'
export { formatGoDuration, parseGoDuration } from './duration.ts'
export { applyEnvOverrides, envVariables } from './env.ts'
export type { EnvOverride, EnvVariable, Environment } from './env.ts'
export { CONFIG_FOLDER_ENV, configFolder, initConfig, loadConfig } from './folder.ts'
export type { InitOptions, InitResult, LoadedConfig } from './folder.ts'
export { IDENTITY_FILE, generateIdentity, parseIdentity, serializeIdentity } from './identity.ts'
export type { Identity } from './identity.ts'
export { SECRET_BYTES } from './kinds.ts'
export { SERVICE_FILE, parseServiceConfig } from './parse.ts'
export { resolveServiceConfig } from './resolve.ts'
export { serializeServiceConfig } from './serialize.ts'
export type * from './types.ts'
