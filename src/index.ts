/** The public API of a cluster peer. */
export { Cluster } from './cluster/cluster.ts'
export type { ClusterInit } from './cluster/cluster.ts'
export type { ClusterApi, ClusterRpcClient, Component, ComponentInit } from './rpc-api.ts'
export type * from './api/types.ts'
export { loadConfig, initConfig, configFolder } from './config/index.ts'
export type { ServiceConfig } from './config/types.ts'
