import { readFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

/** This build's version, as `GET /version` and `cluster-ctl version` report it. */
export const VERSION: string = pkg.version

/** The commit this build came from, when the environment says (CI, packaging). */
export const COMMIT: string = process.env.PINCLUSTER_COMMIT ?? ''
