/** `<arch>/<os>` as Go names them (Kubo's `version` System: amd64/linux), from Node's names. */
import { arch, platform } from 'node:os'

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386' }
const GO_OS: Readonly<Record<string, string>> = { win32: 'windows' }

export function goSystem (): string {
  return `${GO_ARCH[arch()] ?? arch()}/${GO_OS[platform()] ?? platform()}`
}
