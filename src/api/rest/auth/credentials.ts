/**
 * The users of `basic_auth_credentials` and their passwords. Checks compare
 * SHA-256 digests with timingSafeEqual (equal lengths whatever the input) and
 * go through every user without stopping early, so how long a check takes
 * tells nothing about which part was wrong or how much of it matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { BasicAuthCredentials } from '../../../config/types.ts'

interface Entry {
  user: Buffer
  password: Buffer
}

function digest (text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

export class Credentials {
  private readonly entries: Entry[]
  private readonly passwords: Map<string, string>

  constructor (credentials: BasicAuthCredentials) {
    // users with an empty name or password can never sign in (as in IPFS Cluster)
    const usable = Object.entries(credentials).filter(([user, password]) => user !== '' && password !== '')
    this.entries = usable.map(([user, password]) => ({ user: digest(user), password: digest(password) }))
    this.passwords = new Map(usable)
  }

  /** True when `user` is configured with exactly this `password`. */
  check (user: string, password: string): boolean {
    const givenUser = digest(user)
    const givenPassword = digest(password)
    let found = false
    for (const entry of this.entries) {
      // both comparisons always run: `&&` would skip the password for a wrong user
      const match = Number(timingSafeEqual(entry.user, givenUser)) & Number(timingSafeEqual(entry.password, givenPassword))
      found = found || match === 1
    }
    return found
  }

  /** The password of a configured user (the key of its tokens), or undefined. */
  passwordOf (user: string): string | undefined {
    return this.passwords.get(user)
  }
}
