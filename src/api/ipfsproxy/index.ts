export { IpfsProxy } from './ipfs-proxy.ts'
export type { IpfsProxyInit } from './ipfs-proxy.ts'
export { ListenAddressError } from './listeners.ts'
export { NodeAddressError } from './node-address.ts'
