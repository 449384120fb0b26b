import type { VersionJson } from '../../../api/types.ts'

export function formatVersion (version: VersionJson): string {
  return `${version.version}\n`
}
