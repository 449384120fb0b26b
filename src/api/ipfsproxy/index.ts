export { IpfsProxy } from './ipfs-proxy.ts'
export type { IpfsProxyInit } from './ipfs-proxy.ts'
export { ListenAddressError } from '../http/listen-address.ts'
export { NodeAddressError } from './node-address.ts'
