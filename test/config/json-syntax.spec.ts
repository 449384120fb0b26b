import { strict as assert } from 'node:assert'
import { locateJsonError } from '../../src/config/json-syntax.ts'

describe('config: JSON syntax errors', () => {
  it('finds no error in what JSON.parse accepts', () => {
    const valid = ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9\\"y"]}\n', '"s"', '0', '{"a":{"b":{}}}', '\r\n[\t]']
    for (const text of valid) {
      JSON.parse(text)
      assert.equal(locateJsonError(text), undefined, text)
    }
  })

  it('finds the line and column of every error JSON.parse refuses', () => {
    const cases: Array<[string, number, number, string]> = [
      ['', 1, 1, 'unexpected end of input'],
      ['{\n  "a": 1,\n  "b": x\n}', 3, 8, "unexpected character 'x'"],
      ['{"a": 1,}', 1, 9, 'double-quoted property name'],
      ['{"a" 1}', 1, 6, "':'"],
      ['[1 2]', 1, 4, "',' or ']'"],
      ['{"a": "b}', 1, 7, 'unterminated string'],
      ['{"a": "\\x"}', 1, 8, 'bad escape'],
      ['{"a": 01}', 1, 8, "',' or '}'"],
      ['{} {}', 1, 4, 'end of the input'],
      ["{'a': 1}", 1, 2, "unexpected character '''"],
      ['{"a": "\t"}', 1, 8, 'control character']
    ]
    for (const [text, line, column, description] of cases) {
      assert.throws(() => JSON.parse(text), SyntaxError, text)
      const problem = locateJsonError(text)
      assert.ok(problem !== undefined, text)
      assert.deepEqual([problem.line, problem.column], [line, column], text)
      assert.ok(problem.description.includes(description), `${text}: ${problem.description}`)
    }
  })
})
