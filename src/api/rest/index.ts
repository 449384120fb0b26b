export { RestApi } from './rest-api.ts'
export type { RestApiInit } from './rest-api.ts'
export { HttpError } from './errors.ts'
export { ListenAddressError } from '../http/listen-address.ts'
