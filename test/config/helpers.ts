/** Shared by the configuration tests: temp folders and ConfigError assertions. */
import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../src/config/index.ts'

/** Temp folders made during a suite, removed by `removeAll` in an after hook. */
export class TempFolders {
  private readonly made: string[] = []

  async make (): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'pincluster-config-'))
    this.made.push(folder)
    return folder
  }

  async removeAll (): Promise<void> {
    await Promise.all(this.made.splice(0).map(async folder => rm(folder, { recursive: true, force: true })))
  }
}

export interface ExpectedConfigError {
  key: string
  /** Fragments the message must contain. */
  includes?: string[]
  /** Fragments the message must not contain (secret values). */
  excludes?: string[]
}

export function checkConfigError (err: unknown, expected: ExpectedConfigError): ConfigError {
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
  assert.equal(err.name, 'ConfigError')
  assert.equal(err.key, expected.key)
  if (expected.key !== '') assert.ok(err.message.includes(expected.key), `message names the key: ${err.message}`)
  for (const fragment of expected.includes ?? []) {
    assert.ok(err.message.includes(fragment), `message ${JSON.stringify(err.message)} should include ${JSON.stringify(fragment)}`)
  }
  for (const fragment of expected.excludes ?? []) {
    assert.ok(!err.message.includes(fragment), `message ${JSON.stringify(err.message)} must not include ${JSON.stringify(fragment)}`)
  }
  return err
}

export function throwsConfigError (fn: () => unknown, expected: ExpectedConfigError): ConfigError {
  try {
    fn()
  } catch (err) {
    return checkConfigError(err, expected)
  }
  assert.fail('expected a ConfigError, nothing was thrown')
}

export async function rejectsConfigError (promise: Promise<unknown>, expected: ExpectedConfigError): Promise<ConfigError> {
  try {
    await promise
  } catch (err) {
    return checkConfigError(err, expected)
  }
  assert.fail('expected a ConfigError, the promise resolved')
}

/** A secret whose hex text is easy to search for in messages. */
export const KNOWN_SECRET_HEX = 'c0ffee00'.repeat(8)
