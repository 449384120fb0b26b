export { PinSvcApi, pinsvcDatastorePath } from './pinsvc-api.ts'
export type { PinSvcApiInit } from './pinsvc-api.ts'
export { ListenAddressError } from '../http/listen-address.ts'
