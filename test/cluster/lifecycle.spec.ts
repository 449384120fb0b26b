import { strict as assert } from 'node:assert'
import { ComponentStartError, ComponentStopError, startInOrder, stopInReverse } from '../../src/cluster/lifecycle.ts'
import type { Component } from '../../src/rpc-api.ts'

function recorder (log: string[], failOn?: 'start' | 'stop') {
  return (name: string): Component => ({
    name,
    start: async () => {
      log.push(`start ${name}`)
      if (failOn === 'start' && name === 'b') throw new Error(`${name} cannot start`)
    },
    stop: async () => {
      log.push(`stop ${name}`)
      if (failOn === 'stop' && (name === 'b' || name === 'c')) throw new Error(`${name} cannot stop`)
    }
  })
}

describe('component lifecycle', function () {
  it('starts in order and stops in reverse', async function () {
    const log: string[] = []
    const make = recorder(log)
    const components = ['a', 'b', 'c'].map(make)
    await startInOrder(components)
    await stopInReverse(components)
    assert.deepEqual(log, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a'])
  })

  it('keeps stopping past failures and reports them all', async function () {
    const log: string[] = []
    const components = ['a', 'b', 'c', 'd'].map(recorder(log, 'stop'))
    await assert.rejects(stopInReverse(components), (err: ComponentStopError) => {
      assert.equal(err.name, ComponentStopError.NAME)
      assert.equal(err.errors.length, 2)
      assert.match(err.message, /c: c cannot stop/)
      assert.match(err.message, /b: b cannot stop/)
      return true
    })
    assert.deepEqual(log, ['stop d', 'stop c', 'stop b', 'stop a'])
  })

  it('on a failed start, stops what had started and names the component', async function () {
    const log: string[] = []
    const components = ['a', 'b', 'c'].map(recorder(log, 'start'))
    await assert.rejects(startInOrder(components), (err: ComponentStartError) => err.name === ComponentStartError.NAME && err.component === 'b')
    assert.deepEqual(log, ['start a', 'start b', 'stop a'])
  })
})
