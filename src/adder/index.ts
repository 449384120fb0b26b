/**
 * The cluster adder, shared by the HTTP APIs that take uploads (the REST
 * API's /add, the IPFS proxy's add): parseMultipart(...) -> Adder.add(...).
 */
export { Adder } from './adder.ts'
export type { AdderInit, AddOptions } from './adder.ts'
export { BlockPutError } from './block-sender.ts'
export { AddInputError } from './errors.ts'
export { parseMultipart } from './multipart.ts'
export type { MultipartOptions } from './multipart.ts'
export { booleanParam, importParamsFromQuery } from './params.ts'
export { isProgress } from './types.ts'
export type { AddEntry, AddOutput, AddParams, AddProgress, AddedOutput, ImportParams } from './types.ts'
