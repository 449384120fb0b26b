import { strict as assert } from 'node:assert'
import { formatGoDuration, parseGoDuration } from '../../src/config/index.ts'

describe('config: Go durations', () => {
  it('parses the forms IPFS Cluster writes into milliseconds', () => {
    assert.equal(parseGoDuration('5m0s'), 300_000)
    assert.equal(parseGoDuration('15s'), 15_000)
    assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500)
    assert.equal(parseGoDuration('0s'), 0)
    assert.equal(parseGoDuration('0'), 0)
    assert.equal(parseGoDuration('500ms'), 500)
    assert.equal(parseGoDuration('2h'), 7_200_000)
  })

  it('parses what Go also accepts: fractions, sub-millisecond units, signs', () => {
    assert.equal(parseGoDuration('1.5h'), 5_400_000)
    assert.equal(parseGoDuration('.5s'), 500)
    assert.equal(parseGoDuration('250us'), 0.25)
    assert.equal(parseGoDuration('250µs'), 0.25)
    assert.equal(parseGoDuration('1000000ns'), 1)
    assert.equal(parseGoDuration('+1m'), 60_000)
    assert.equal(parseGoDuration('-1m'), -60_000)
  })

  it('formats milliseconds in Go canonical form', () => {
    assert.equal(formatGoDuration(300_000), '5m0s')
    assert.equal(formatGoDuration(12 * 60_000), '12m0s')
    assert.equal(formatGoDuration(3_600_000), '1h0m0s')
    assert.equal(formatGoDuration(3_723_500), '1h2m3.5s')
    assert.equal(formatGoDuration(90_000), '1m30s')
    assert.equal(formatGoDuration(15_000), '15s')
    assert.equal(formatGoDuration(0), '0s')
    assert.equal(formatGoDuration(1.5), '1.5ms')
    assert.equal(formatGoDuration(0.25), '250µs')
    assert.equal(formatGoDuration(0.000001), '1ns')
    assert.equal(formatGoDuration(-60_000), '-1m0s')
  })

  it('round-trips through format and parse', () => {
    for (const text of ['5m0s', '1h2m3.5s', '27h0m0.001s', '999ms', '1.000001s']) {
      assert.equal(formatGoDuration(parseGoDuration(text)), text)
    }
  })

  it('rejects what Go rejects, saying why', () => {
    const cases: Array<[string, string]> = [
      ['', 'empty'],
      ['5', 'missing unit'],
      ['5x', 'unknown unit "x"'],
      ['5 m', 'unknown unit " m"'],
      ['m', 'expected a number'],
      ['.s', 'expected a number'],
      ['3000000h', 'too large']
    ]
    for (const [text, why] of cases) {
      assert.throws(() => parseGoDuration(text), (err: Error) => err.message.includes(why) && err.message.includes(JSON.stringify(text)), text)
    }
  })
})
